// /api/consent: the signed-in person's decisions on the current terms, and their history. Accepting and
// revoking are the same call (LGPD Art. 8 §5: revoking as easy as giving).
import {createRoute, z} from "@hono/zod-openapi";
import {clientIp, requireSession, type SessionEnv} from "../access.js";
import {channels, ConsentError, consentHistory, consentStatus, decide} from "../consent.js";
import {notify} from "../notifications.js";
import {body, ErrorSchema, invalid, json, router, signedIn, unauthenticated} from "../openapi.js";
import type {Services} from "../services.js";

export const ConsentItem = z
  .object({
    code: z.string(),
    title: z.string(),
    text: z.string(),
    mandatory: z.boolean(),
    decision: z.enum(["accept", "revoke"]).nullable(),
    decidedAt: z.string().nullable()
  })
  .openapi("ConsentItem");

export const ConsentStatus = z
  .object({
    version: z.number().int().nullable(),
    title: z.string().nullable(),
    accepted: z.boolean().openapi({description: "All mandatory items of the current version accepted"}),
    items: z.array(ConsentItem)
  })
  .openapi("ConsentStatus");

export const ConsentRecord = z
  .object({
    id: z.number().int(),
    version: z.number().int(),
    item: z.string(),
    itemTitle: z.string(),
    mandatory: z.boolean(),
    decision: z.enum(["accept", "revoke"]),
    decidedAt: z.string(),
    channel: z.string(),
    userAgent: z.string().nullable(),
    ipHash: z.string().nullable()
  })
  .openapi("ConsentRecord");

const Decisions = z
  .strictObject({
    version: z.number().int().min(1),
    decisions: z
      .array(z.strictObject({item: z.string().min(1).max(40), decision: z.enum(["accept", "revoke"])}))
      .min(1, "decide on at least one item")
      .max(50),
    channel: z.enum(channels).default("api")
  })
  .openapi("ConsentDecisions");

export function consentRoutes(deps: Services) {
  const {sql, auth, keys, clock} = deps;
  const app = router<SessionEnv>();
  app.use("*", requireSession(auth));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["consent"],
      summary: "My decisions on the current terms, item by item",
      ...signedIn,
      responses: {200: json(ConsentStatus, "Current state"), ...unauthenticated}
    }),
    async (c) => c.json(await consentStatus(sql, c.get("user").id), 200)
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["consent"],
      summary: "Accept or revoke items of the current version; each change appends a consent record",
      ...signedIn,
      request: {body: body(Decisions)},
      responses: {
        200: json(
          z.object({changed: z.array(z.object({item: z.string(), decision: z.string()})), status: ConsentStatus}),
          "Recorded"
        ),
        ...invalid,
        ...unauthenticated,
        409: json(ErrorSchema, "Not the current version (stale_version) or nothing published (no_terms)")
      }
    }),
    async (c) => {
      const user = c.get("user");
      const input = c.req.valid("json");
      try {
        const {changed} = await decide(
          sql,
          keys,
          {userId: user.id, ...input, ip: clientIp(c), userAgent: c.req.header("user-agent") ?? null},
          clock.now()
        );
        if (changed.length) {
          const list = changed.map((d) => `${d.item}: ${d.decision === "accept" ? "accepted" : "revoked"}`).join(", ");
          await notify(deps, {
            userId: user.id,
            kind: "consent",
            title: "Your privacy choices changed",
            body: list,
            link: "/privacy"
          });
        }
        return c.json({changed, status: await consentStatus(sql, user.id)}, 200);
      } catch (error) {
        if (!(error instanceof ConsentError)) throw error;
        if (error.code === "unknown_item") return c.json({error: "invalid_input" as const, fields: error.fields}, 400);
        return c.json({error: error.code}, 409);
      }
    }
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/history",
      tags: ["consent"],
      summary: "Every consent record of mine, newest first",
      ...signedIn,
      responses: {200: json(z.object({records: z.array(ConsentRecord)}), "History"), ...unauthenticated}
    }),
    async (c) => c.json({records: await consentHistory(sql, c.get("user").id)}, 200)
  );

  return app;
}
