// Administrators issue and revoke API keys for machine clients of the scoring API; the metrics endpoint answers
// administrators and key holders (a Prometheus scraper).
import {Hono} from "hono";
import {z} from "zod";
import {requireRole, requireSession, requireTerms, type SessionEnv} from "../access.js";
import {createApiKey, listApiKeys, revokeApiKey, verifyApiKey} from "../api-keys.js";
import {audit} from "../audit.js";
import type {ScoringMetrics} from "../metrics.js";
import type {Services} from "../services.js";

const newKey = z.strictObject({name: z.string().trim().min(1, "a name says who uses the key").max(120)});

export function apiKeyRoutes(services: Services): Hono<SessionEnv> {
  const {sql, auth, clock} = services;
  const app = new Hono<SessionEnv>();
  app.use(requireSession(auth), requireRole("admin"), requireTerms(sql));
  app.get("/", async (c) => c.json({keys: await listApiKeys(sql)}));
  app.post("/", async (c) => {
    const parsed = newKey.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      const fields: Record<string, string[]> = {};
      for (const i of parsed.error.issues) (fields[i.path.join(".") || "_"] ??= []).push(i.message);
      return c.json({error: "invalid_input", fields}, 400);
    }
    const {key, row} = await createApiKey(sql, parsed.data.name, c.get("user").id);
    await audit(sql, {
      action: "api_key.created",
      actorId: c.get("user").id,
      detail: {keyId: row.id, prefix: row.prefix},
      at: clock.now()
    });
    return c.json({key, ...row}, 201);
  });
  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await revokeApiKey(sql, id, clock.now()))) return c.json({error: "not_found"}, 404);
    await audit(sql, {action: "api_key.revoked", actorId: c.get("user").id, detail: {keyId: id}, at: clock.now()});
    return c.json({ok: true});
  });
  return app;
}

export function metricsRoute(services: Services, metrics: ScoringMetrics): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const bearer = /^Bearer (gk_\S+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    const allowed = bearer
      ? Boolean(await verifyApiKey(services.sql, bearer, services.clock.now()))
      : ((await services.auth.api.getSession({headers: c.req.raw.headers}))?.user as {role?: string} | undefined)
          ?.role === "admin";
    if (!allowed) return c.json({error: "forbidden"}, 403);
    return c.body(metrics.text(), 200, {"content-type": "text/plain; version=0.0.4; charset=utf-8"});
  });
  return app;
}
