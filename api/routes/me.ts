// /api/me: the data subject's rights (LGPD Art. 18), always available, even before accepting new terms:
// confirmation and access, the processing that applies, export through a one-time link, and deletion.
import {createRoute, z} from "@hono/zod-openapi";
import {requireSession, type SessionEnv} from "../access.js";
import {
  anonymizeUser,
  checkConfirmation,
  deletionConfirmation,
  deletionSummary,
  LastAdministrator
} from "../erasure.js";
import {notify} from "../notifications.js";
import {body, ErrorSchema, invalid, json, OkSchema, router, signedIn, unauthenticated} from "../openapi.js";
import {collectUserData, createExport, exportFormats, listExports, redeemExport, toCsv} from "../portability.js";
import type {Services} from "../services.js";
import {accessSummary, processingForUser} from "../subject.js";
import {Confirm, DeletionPlan} from "./users.js";

const Activity = z
  .object({
    id: z.string(),
    name: z.string(),
    purpose: z.string(),
    data: z.array(z.string()),
    legalBasis: z.string(),
    sharing: z.array(z.string()),
    retention: z.string(),
    applies: z.boolean(),
    why: z.string()
  })
  .openapi("ProcessingActivity");

const AccessSummary = z
  .object({
    confirmation: z.literal(true).openapi({description: "Yes, the product processes personal data about you"}),
    generatedAt: z.string(),
    categories: z.array(z.object({category: z.string(), items: z.array(z.string()), count: z.number().int()})),
    processing: z.array(z.object({id: z.string(), name: z.string(), legalBasis: z.string()})),
    rights: z.record(z.string(), z.string())
  })
  .openapi("AccessSummary");

const ExportInfo = z
  .object({
    id: z.string(),
    format: z.enum(exportFormats),
    createdAt: z.string(),
    expiresAt: z.string(),
    downloadedAt: z.string().nullable()
  })
  .openapi("DataExport");

const ExportLink = z
  .object({id: z.string(), format: z.enum(exportFormats), url: z.string(), expiresAt: z.string()})
  .openapi("DataExportLink");

export function meRoutes(deps: Services) {
  const {sql, auth, keys, clock} = deps;
  const app = router<SessionEnv>();
  app.use("*", requireSession(auth));

  app.openapi(
    createRoute({
      method: "get",
      path: "/data",
      tags: ["me"],
      summary: "Confirmation and simplified access: which categories of my data are held, and why",
      ...signedIn,
      responses: {200: json(AccessSummary, "Summary"), ...unauthenticated}
    }),
    async (c) => c.json(await accessSummary(deps, c.get("user")), 200)
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/processing",
      tags: ["me"],
      summary: "The register of processing, with what applies to me and why (docs/processing-register.md)",
      ...signedIn,
      responses: {200: json(z.object({activities: z.array(Activity)}), "Activities"), ...unauthenticated}
    }),
    async (c) => c.json({activities: await processingForUser(sql, c.get("user"))}, 200)
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/exports",
      tags: ["me"],
      summary: "Ask for an export of everything about me; the link works once, for me, for 15 minutes",
      ...signedIn,
      request: {body: body(z.strictObject({format: z.enum(exportFormats)}))},
      responses: {201: json(ExportLink, "The link"), ...invalid, ...unauthenticated}
    }),
    async (c) => {
      const user = c.get("user");
      const link = await createExport(deps, user.id, c.req.valid("json").format);
      await notify(deps, {
        userId: user.id,
        kind: "export",
        title: "Your data export is ready",
        body: `Download it before ${link.expiresAt}; the link works once.`
      });
      return c.json(link, 201);
    }
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/exports",
      tags: ["me"],
      summary: "My exports: when asked, until when valid, when downloaded",
      ...signedIn,
      responses: {200: json(z.object({exports: z.array(ExportInfo)}), "Exports"), ...unauthenticated}
    }),
    async (c) => c.json({exports: await listExports(deps, c.get("user").id)}, 200)
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/exports/{token}",
      tags: ["me"],
      summary: "Download an export (once, by its owner, before it expires)",
      ...signedIn,
      request: {
        params: z.object({
          token: z
            .string()
            .min(20)
            .max(100)
            .openapi({param: {name: "token", in: "path"}})
        })
      },
      responses: {
        200: {
          description: "The export: JSON, or CSV with columns dataset, record, field, value",
          content: {"application/json": {schema: z.record(z.string(), z.unknown())}, "text/csv": {schema: z.string()}}
        },
        ...unauthenticated,
        404: json(ErrorSchema, "No such link (or not yours)"),
        410: json(ErrorSchema, "Expired or already used")
      }
    }),
    async (c) => {
      const user = c.get("user");
      const redeemed = await redeemExport(deps, c.req.valid("param").token, user.id);
      if (!redeemed.ok) return c.json({error: redeemed.reason}, redeemed.reason === "not_found" ? 404 : 410);
      const data = (await collectUserData(deps, user.id))!;
      const name = `my-data-${data.generatedAt.slice(0, 10)}.${redeemed.format}`;
      const headers = {"content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store"};
      if (redeemed.format === "csv") {
        return c.body(`\uFEFF${toCsv(data)}`, 200, {...headers, "content-type": "text/csv; charset=utf-8"});
      }
      return c.body(JSON.stringify(data, null, 2), 200, {...headers, "content-type": "application/json"});
    }
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/deletion",
      tags: ["me"],
      summary: "Step 1 of deleting my account: what will be erased and kept, and a confirmation token",
      ...signedIn,
      responses: {200: json(DeletionPlan, "The plan"), ...unauthenticated}
    }),
    async (c) => {
      const {id} = c.get("user");
      const {erased, kept} = await deletionSummary(sql, id);
      return c.json({...deletionConfirmation(keys, id, id, clock.now()), erased, kept}, 200);
    }
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/",
      tags: ["me"],
      summary: "Step 2: delete (anonymize) my account with the token from step 1; signs me out everywhere",
      ...signedIn,
      request: {body: body(Confirm)},
      responses: {
        200: json(OkSchema, "Deleted"),
        ...invalid,
        ...unauthenticated,
        409: json(ErrorSchema, "Bad or expired confirmation, or the last administrator")
      }
    }),
    async (c) => {
      const {id} = c.get("user");
      if (!checkConfirmation(keys, c.req.valid("json").confirmation, id, id, clock.now())) {
        return c.json({error: "confirmation_invalid", message: "ask for a new confirmation (step 1)"}, 409);
      }
      try {
        await anonymizeUser(deps, id, id);
      } catch (error) {
        if (error instanceof LastAdministrator) return c.json({error: "last_admin"}, 409);
        throw error;
      }
      return c.json({ok: true as const}, 200);
    }
  );

  return app;
}
