// /api/audit: the audit log for administrators: entries filtered by act, actor or subject, and a check of the
// whole hash chain (the same check as scripts/verify-audit.ts).
import {createRoute, z} from "@hono/zod-openapi";
import {requireRole, requireSession, requireTerms, type SessionEnv} from "../access.js";
import {listAudit, verifyChain} from "../audit.js";
import {forbidden, invalid, json, Paging, router, signedIn, unauthenticated} from "../openapi.js";
import type {Services} from "../services.js";

export const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actorId: z.string().nullable(),
    action: z.string().openapi({example: "consent.changed"}),
    subjectId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string()
  })
  .openapi("AuditEntry");

const ChainReport = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    lastHash: z.string(),
    broken: z
      .object({id: z.number().int(), reason: z.enum(["hash", "prev_hash"]), expected: z.string(), found: z.string()})
      .optional()
  })
  .openapi("ChainReport");

const AuditQuery = z.object({
  action: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  subjectId: z.string().max(100).optional(),
  ...Paging
});

export function auditRoutes({sql, auth}: Services) {
  const app = router<SessionEnv>();
  app.use("*", requireSession(auth), requireRole("admin"), requireTerms(sql));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["audit"],
      summary: "Audit entries, newest first (administrators)",
      ...signedIn,
      request: {query: AuditQuery},
      responses: {
        200: json(z.object({entries: z.array(AuditEntry), total: z.number().int()}), "Entries"),
        ...invalid,
        ...unauthenticated,
        ...forbidden
      }
    }),
    async (c) => c.json(await listAudit(sql, c.req.valid("query")), 200)
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/verify",
      tags: ["audit"],
      summary: "Verify the hash chain from the first entry; reports the first broken one (administrators)",
      ...signedIn,
      responses: {200: json(ChainReport, "The chain's state"), ...unauthenticated, ...forbidden}
    }),
    async (c) => c.json(await verifyChain(sql), 200)
  );

  return app;
}
