// The whole HTTP surface, composed in one visible place: middleware, then /api routes, then the site.
import {Hono} from "hono";
import {requestId} from "hono/request-id";
import type {Auth} from "./auth.js";
import type {Sql} from "./db.js";
import type {Logger} from "./logger.js";
import {accessLog, securityHeaders, type AppEnv} from "./middleware.js";
import {healthRoutes} from "./routes/health.js";
import {site} from "./site.js";

export interface AppDeps {
  sql: Sql;
  auth: Auth;
  logger: Logger;
  /** The built site (Framework's output folder). */
  distDir: string;
}

export function createApp({sql, auth, logger, distDir}: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(accessLog(logger));
  app.use(securityHeaders);

  app.route("/api/health", healthRoutes(sql));
  app.on(["GET", "POST"], "/api/auth/*", (c) => auth.handler(c.req.raw));
  app.all("/api/*", (c) => c.json({error: "not found"}, 404));

  app.use(
    site({
      root: distDir,
      signedIn: async (c) => Boolean(await auth.api.getSession({headers: c.req.raw.headers}))
    })
  );
  app.notFound((c) => c.json({error: "not found"}, 404));
  app.onError((error, c) => {
    c.get("log")?.error({err: error}, "unhandled error");
    return c.json({error: "internal error", requestId: c.get("requestId")}, 500);
  });
  return app;
}
