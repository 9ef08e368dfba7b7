// Who may call what: a session, a role, the current terms accepted, and same-origin state changes.
import {getConnInfo} from "@hono/node-server/conninfo";
import type {Context, MiddlewareHandler} from "hono";
import {clientIpHeader, type Auth, type Role} from "./auth.js";
import type {Sql} from "./db.js";
import type {AppEnv} from "./middleware.js";
import {currentTermsStatus} from "./terms.js";

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  emailVerified: boolean;
}

export type SessionEnv = {Variables: AppEnv["Variables"] & {user: SessionUser; sessionId: string}};

export function requireSession(auth: Auth): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const found = await auth.api.getSession({headers: c.req.raw.headers});
    if (!found) return c.json({error: "unauthenticated"}, 401);
    const {user, session} = found;
    c.set("user", {
      id: user.id,
      name: user.name,
      email: user.email,
      role: ((user as {role?: string | null}).role ?? "client") as Role,
      emailVerified: user.emailVerified
    });
    c.set("sessionId", session.id);
    await next();
  };
}

export function requireRole(...allowed: Role[]): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    if (!allowed.includes(c.get("user").role)) return c.json({error: "forbidden"}, 403);
    await next();
  };
}

/** Product routes: 403 `terms_required` until the user has accepted the current version's mandatory items. */
export function requireTerms(sql: Sql): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const status = await currentTermsStatus(sql, c.get("user").id);
    if (!status.accepted) return c.json({error: "terms_required", version: status.version}, 403);
    await next();
  };
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A state-changing request from another origin is refused (403), whatever it carries: cookies are sent
 * cross-site on top-level POSTs and by older browsers, so the Origin (or Sec-Fetch-Site) header decides.
 */
export function sameOrigin(allowedOrigins: string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  return async (c, next) => {
    if (!safeMethods.has(c.req.method)) {
      const origin = c.req.header("origin");
      const foreign = origin ? !allowed.has(origin) : c.req.header("sec-fetch-site") === "cross-site";
      if (foreign) return c.json({error: "foreign_origin"}, 403);
    }
    await next();
  };
}

/** The client's address as the socket saw it (no proxy header is trusted). */
export function clientIp(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** The request for better-auth, carrying the socket's address in the only header it reads the address from. */
export function withClientIp(c: Context): Request {
  const headers = new Headers(c.req.raw.headers);
  headers.delete(clientIpHeader);
  const ip = clientIp(c);
  if (ip) headers.set(clientIpHeader, ip);
  return new Request(c.req.raw, {headers});
}
