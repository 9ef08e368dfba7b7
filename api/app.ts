// The whole HTTP surface, composed in one visible place: middleware, then /api routes, then the site.
import {Hono} from "hono";
import {bodyLimit} from "hono/body-limit";
import {requestId} from "hono/request-id";
import {clientAddress, sameOrigin, withClientIp} from "./access.js";
import {audit} from "./audit.js";
import type {Auth} from "./auth.js";
import type {KeyRing} from "./crypto.js";
import type {Sql} from "./db.js";
import type {Logger} from "./logger.js";
import type {Mailer} from "./mailer.js";
import {accessLog, securityHeaders, type AppEnv} from "./middleware.js";
import {ScoringMetrics} from "./metrics.js";
import {ModelRegistry} from "./model-registry.js";
import {apiKeyRoutes, metricsRoute} from "./routes/api-keys.js";
import {datasetRoutes} from "./routes/datasets.js";
import {exportRoutes} from "./routes/exports.js";
import {scoreRoutes} from "./routes/score.js";
import {router} from "./openapi.js";
import type {Operations} from "./operations.js";
import {auditRoutes} from "./routes/audit.js";
import {backupRoutes} from "./routes/backups.js";
import {consentRoutes} from "./routes/consent.js";
import {mountDocs} from "./routes/docs.js";
import {healthRoutes} from "./routes/health.js";
import {jobRoutes} from "./routes/jobs.js";
import {meRoutes} from "./routes/me.js";
import {notificationRoutes} from "./routes/notifications.js";
import {profileRoutes} from "./routes/profile.js";
import {termsRoutes} from "./routes/terms.js";
import {userRoutes} from "./routes/users.js";
import type {Clock, Services} from "./services.js";
import {site} from "./site.js";
import {termsAccepted} from "./terms.js";

export interface AppDeps {
  sql: Sql;
  auth: Auth;
  logger: Logger;
  /** The built site (Framework's output folder). */
  distDir: string;
  keys: KeyRing;
  mailer: Mailer;
  clock: Clock;
  /** The origin browsers use: links in emails, and the only origin allowed to change state. */
  publicUrl: string;
  /** Jobs and backups (api/operations.ts): their admin routes are mounted when present. */
  operations?: Operations;
  /** Reverse proxies whose X-Forwarded-For names the client (TRUST_PROXY); none by default. */
  trustProxy?: readonly string[];
}

export function createApp({distDir, trustProxy, ...services}: AppDeps): Hono<AppEnv> {
  const {sql, auth, logger}: Services = services;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(clientAddress(trustProxy));
  app.use(accessLog(logger));
  app.use(securityHeaders);
  app.use("/api/*", sameOrigin([services.publicUrl]));

  app.route("/api/health", healthRoutes(sql));
  app.on(["GET", "POST"], "/api/auth/*", (c) => auth.handler(withClientIp(c)));
  app.route(
    "/api/exports",
    exportRoutes({
      userId: async (c) => (await auth.api.getSession({headers: c.req.raw.headers}))?.user.id ?? null,
      // Tables taken away from a page may hold registry data: each export is an audited act (name and size only).
      onExport: async (who, what) => {
        await audit(sql, {action: "table.exported", actorId: who.userId, detail: what, at: services.clock.now()});
        logger.info({userId: who.userId, ...what}, "table exported");
      }
    })
  );
  // Model scoring for analysts and machine clients, API keys, and Prometheus metrics of the scoring calls.
  const scoringMetrics = new ScoringMetrics();
  app.route("/api/score", scoreRoutes(services, new ModelRegistry(), scoringMetrics));
  app.route("/api/api-keys", apiKeyRoutes(services));
  app.route("/api/metrics", metricsRoute(services, scoringMetrics));
  app.route("/api/datasets", datasetRoutes(services, process.env.GRAFENO_DATA_DIR ?? "data"));
  // Accounts and LGPD, each area described by its zod schemas in /api/openapi.json (page: /api/docs).
  const api = router<AppEnv>();
  api.use(
    bodyLimit({maxSize: 1024 * 1024, onError: (c) => c.json({error: "too_large", message: "at most 1 MB"}, 413)})
  );
  api.route("/terms", termsRoutes(services));
  api.route("/consent", consentRoutes(services));
  api.route("/profile", profileRoutes(services));
  api.route("/me", meRoutes(services));
  api.route("/notifications", notificationRoutes(services));
  api.route("/users", userRoutes(services));
  api.route("/audit", auditRoutes(services));
  if (services.operations) {
    api.route("/jobs", jobRoutes(services, services.operations));
    api.route("/backups", backupRoutes(services, services.operations));
  }
  mountDocs(api);
  app.route("/api", api);
  app.all("/api/*", (c) => c.json({error: "not found"}, 404));

  app.use(
    site({
      root: distDir,
      user: async (c) => {
        const found = await auth.api.getSession({headers: c.req.raw.headers});
        return found ? {id: found.user.id, role: (found.user as {role?: string | null}).role ?? "client"} : null;
      },
      // Product pages wait until the current terms' mandatory items are accepted (the API does the same).
      termsAccepted: (userId) => termsAccepted(sql, userId)
    })
  );
  app.notFound((c) => c.json({error: "not found"}, 404));
  app.onError((error, c) => {
    c.get("log")?.error({err: error}, "unhandled error");
    return c.json({error: "internal error", requestId: c.get("requestId")}, 500);
  });
  return app;
}
