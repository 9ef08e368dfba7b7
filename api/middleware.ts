// Small cross-cutting middleware: access logs with the request id, security headers.
import type {MiddlewareHandler} from "hono";
import type {Logger} from "./logger.js";

/** `clientIp`: the client's address, set once per request by clientAddress (api/access.ts). */
export type AppEnv = {Variables: {requestId: string; log: Logger; clientIp: string | null}};

export function accessLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    const log = logger.child({requestId: c.get("requestId")});
    c.set("log", log);
    await next();
    log.info(
      {method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - start)},
      "request"
    );
  };
}

// Pages run inline module scripts and DuckDB-WASM starts its worker from a blob URL; nothing may leave the origin.
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join("; ");

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("content-security-policy", contentSecurityPolicy);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "same-origin");
  c.header("x-frame-options", "DENY");
  c.header("cross-origin-opener-policy", "same-origin");
};
