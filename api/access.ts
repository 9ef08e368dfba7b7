// Who may call what: a session, a role, the current terms accepted, and same-origin state changes.
import {getConnInfo} from "@hono/node-server/conninfo";
import type {Context, MiddlewareHandler} from "hono";
import {BlockList, isIP} from "node:net";
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

function socketAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** An IPv4 client on a dual-stack socket shows as "::ffff:10.0.0.1": it is 10.0.0.1. */
function plainAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

export type TrustedProxy = (address: string) => boolean;

/** Which socket peers are our reverse proxies (TRUST_PROXY: addresses or CIDR ranges, validated by config). */
export function trustedProxies(entries: readonly string[]): TrustedProxy {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const plain = plainAddress(address);
    const version = isIP(plain);
    return version !== 0 && list.check(plain, version === 6 ? "ipv6" : "ipv4");
  };
}

/**
 * The client behind trusted proxies. A peer that is not one of them is the client, whatever the headers say.
 * Otherwise X-Forwarded-For is read from the right (each proxy appends whom it talked to): trusted hops are
 * skipped and the first untrusted one is the client; the hops left of it are whatever the client wrote. A
 * malformed hop stops the walk at the last address a proxy vouched for.
 */
export function forwardedClient(peer: string, forwardedFor: string | undefined, trusted: TrustedProxy): string {
  let client = plainAddress(peer);
  if (!trusted(client)) return client;
  const hops = (forwardedFor ?? "").split(",").map((hop) => plainAddress(hop.trim()));
  for (let i = hops.length - 1; i >= 0 && trusted(client); i--) {
    if (!isIP(hops[i])) break;
    client = hops[i];
  }
  return client;
}

/** Resolves the client's address once per request: the socket's, or, from a trusted proxy, the forwarded one. */
export function clientAddress(trustProxy: readonly string[] = []): MiddlewareHandler<AppEnv> {
  const trusted = trustProxy.length ? trustedProxies(trustProxy) : null;
  return async (c, next) => {
    const peer = socketAddress(c);
    c.set("clientIp", peer && trusted ? forwardedClient(peer, c.req.header("x-forwarded-for"), trusted) : peer);
    await next();
  };
}

/** The client's address: as clientAddress resolved it, else as the socket saw it (no header is believed). */
export function clientIp(c: Context): string | null {
  const resolved: string | null | undefined = c.get("clientIp");
  return resolved === undefined ? socketAddress(c) : resolved;
}

/** The request for better-auth, carrying the client's address in the only header it reads the address from. */
export function withClientIp(c: Context): Request {
  const headers = new Headers(c.req.raw.headers);
  headers.delete(clientIpHeader);
  const ip = clientIp(c);
  if (ip) headers.set(clientIpHeader, ip);
  return new Request(c.req.raw, {headers});
}
