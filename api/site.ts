// Serves the built Framework site from one origin: clean URLs (/rfm → rfm.html), precompressed assets, long
// cache lifetimes for content-hashed files, and a session required for everything but the sign-in pages. A
// signed-in person who has not accepted the current terms' mandatory items is sent to /terms from product pages.
import {createReadStream} from "node:fs";
import {stat} from "node:fs/promises";
import {extname, join, normalize, resolve, sep} from "node:path";
import {Readable} from "node:stream";
import type {Context, MiddlewareHandler} from "hono";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".arrow": "application/vnd.apache.arrow.stream",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8"
};

/** Pages anyone may open, and the library code they need (no data lives under these prefixes). */
export const publicPages = new Set(["/sign-in", "/sign-up"]);
// Page components (`_import/`) are code only; data reaches pages solely through loaders, under `_file/`.
export const publicPrefixes = ["/_observablehq/", "/_npm/", "/_import/"];

export function isPublicPath(path: string): boolean {
  return publicPages.has(path) || publicPrefixes.some((p) => path.startsWith(p));
}

/**
 * Pages a signed-in person can always open, even before accepting new terms: the terms themselves, and their
 * rights (LGPD Art. 18: correcting data, revoking consent, exporting, deleting the account never wait on terms).
 */
export const termsExemptPages = new Set(["/terms", "/privacy", "/profile"]);

export function isTermsExempt(path: string): boolean {
  return termsExemptPages.has(path.replace(/\.html$/, "").replace(/\/$/, "") || "/");
}

async function fileAt(path: string): Promise<{path: string; size: number} | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? {path, size: s.size} : null;
  } catch {
    return null;
  }
}

/** Maps a URL path to a file inside `root`, or null; never escapes the root. */
export async function resolveSitePath(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const base = resolve(root);
  const target = normalize(join(base, decoded));
  if (target !== base && !target.startsWith(base + sep)) return null;
  const candidates = decoded.endsWith("/") ? [join(target, "index.html")] : [target, `${target}.html`];
  for (const candidate of candidates) {
    if (extname(candidate) === "" && candidate === target) continue;
    const file = await fileAt(candidate);
    if (file) return file.path;
  }
  return null;
}

function cacheControl(urlPath: string, file: string): string {
  if (file.endsWith(".html")) return "no-cache";
  // Framework puts a content hash in every asset name under these prefixes.
  return /^\/_(observablehq|npm|file|import)\//.test(urlPath) ? "private, max-age=31536000, immutable" : "no-cache";
}

async function send(c: Context, file: string, urlPath: string): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": types[extname(file)] ?? "application/octet-stream",
    "cache-control": cacheControl(urlPath, file),
    vary: "accept-encoding"
  };
  let path = file;
  if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
    const gz = await fileAt(`${file}.gz`);
    if (gz) {
      path = gz.path;
      headers["content-encoding"] = "gzip";
    }
  }
  const size = (await fileAt(path))!.size;
  headers["content-length"] = String(size);
  if (c.req.method === "HEAD") return new Response(null, {status: 200, headers});
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream;
  return new Response(body, {status: 200, headers});
}

export interface SiteOptions {
  root: string;
  /** The signed-in user's id, or null when the request carries no valid session. */
  userId: (c: Context) => Promise<string | null>;
  /** Whether the user accepted the current terms' mandatory items (absent: no terms gate). */
  termsAccepted?: (userId: string) => Promise<boolean>;
}

export function site({root, userId, termsAccepted}: SiteOptions): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const urlPath = c.req.path;
    const file = await resolveSitePath(root, urlPath);
    if (!isPublicPath(urlPath)) {
      const nextUrl = encodeURIComponent(urlPath + (new URL(c.req.url).search || ""));
      const user = await userId(c);
      if (!user) {
        if (file?.endsWith(".html")) return c.redirect(`/sign-in?next=${nextUrl}`, 302);
        return c.json({error: "sign in required"}, 401);
      }
      // Product pages and their data wait for the terms; unknown paths fall through to the 404 below.
      if (file && termsAccepted && !isTermsExempt(urlPath) && !(await termsAccepted(user))) {
        if (file.endsWith(".html")) return c.redirect(`/terms?next=${nextUrl}`, 302);
        return c.json({error: "terms_required"}, 403);
      }
    }
    if (!file) return next();
    return send(c, file, urlPath);
  };
}
