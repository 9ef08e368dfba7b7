// Serves the built Framework site from one origin: clean URLs (/rfm → rfm.html), precompressed assets, long
// cache lifetimes for content-hashed files, and a session required for everything but the sign-in pages. A
// signed-in person who has not accepted the current terms' mandatory items is sent to /terms from product pages.
// Administration pages are for administrators: others get a 403, and pages sent to them lose the sidebar section
// that links there (the API refuses them anyway; the navigation should not offer what will be refused).
import {createReadStream} from "node:fs";
import {readFile, stat} from "node:fs/promises";
import {extname, join, normalize, relative, resolve, sep} from "node:path";
import {Readable} from "node:stream";
import {gzipSync} from "node:zlib";
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

/** Whether a file of the site is an administration page (decided on the file, so no spelling of the URL escapes). */
export function isAdminFile(root: string, file: string): boolean {
  return relative(resolve(root), file).split(sep)[0] === "admin";
}

/**
 * The page's HTML without the sidebar sections (Framework's `<section>` or `<details>` with a `<summary>`) whose
 * links all lead to administration pages; links are resolved against the page's own path, as the browser would.
 */
export function withoutAdminNav(html: string, pagePath: string): string {
  const base = new URL(pagePath, "http://site.invalid");
  const isAdminLink = (href: string) => /^\/admin(\/|$)/.test(new URL(href, base).pathname);
  return html.replace(/<nav id="observablehq-sidebar">[\s\S]*?<\/nav>/, (nav) =>
    nav.replace(/\n?[ \t]*<(section|details)\b[^>]*>\s*<summary>[\s\S]*?<\/\1>/g, (section) => {
      const links = [...section.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)].map((m) => m[1]);
      return links.length > 0 && links.every(isAdminLink) ? "" : section;
    })
  );
}

function cacheControl(urlPath: string, file: string): string {
  // Pages differ by role (the administration links): never kept by a shared cache.
  if (file.endsWith(".html")) return "private, no-cache";
  // Framework puts a content hash in every asset name under these prefixes.
  return /^\/_(observablehq|npm|file|import)\//.test(urlPath) ? "private, max-age=31536000, immutable" : "no-cache";
}

async function send(c: Context, file: string, urlPath: string, rewrite?: (html: string) => string): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": types[extname(file)] ?? "application/octet-stream",
    "cache-control": cacheControl(urlPath, file),
    vary: "accept-encoding"
  };
  const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  if (rewrite && file.endsWith(".html")) {
    // Pages are a few kB: rewritten and compressed per request rather than served from the .gz beside them.
    const text = Buffer.from(rewrite(await readFile(file, "utf8")));
    const body = gzip ? gzipSync(text) : text;
    if (gzip) headers["content-encoding"] = "gzip";
    headers["content-length"] = String(body.length);
    return new Response(c.req.method === "HEAD" ? null : body, {status: 200, headers});
  }
  let path = file;
  if (gzip) {
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

export interface SiteUser {
  id: string;
  role: string;
}

export interface SiteOptions {
  root: string;
  /** The signed-in user, or null when the request carries no valid session. */
  user: (c: Context) => Promise<SiteUser | null>;
  /** Whether the user accepted the current terms' mandatory items (absent: no terms gate). */
  termsAccepted?: (userId: string) => Promise<boolean>;
}

const forbiddenPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Administrators only</title></head>
<body><h1>Administrators only</h1><p>This page is for administrators. <a href="/">Back to the dashboard</a>.</p></body>
</html>
`;

export function site({root, user: sessionUser, termsAccepted}: SiteOptions): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const urlPath = c.req.path;
    const file = await resolveSitePath(root, urlPath);
    let user: SiteUser | null = null;
    if (!isPublicPath(urlPath)) {
      const nextUrl = encodeURIComponent(urlPath + (new URL(c.req.url).search || ""));
      user = await sessionUser(c);
      if (!user) {
        if (file?.endsWith(".html")) return c.redirect(`/sign-in?next=${nextUrl}`, 302);
        return c.json({error: "sign in required"}, 401);
      }
      // Product pages and their data wait for the terms; unknown paths fall through to the 404 below.
      if (file && termsAccepted && !isTermsExempt(urlPath) && !(await termsAccepted(user.id))) {
        if (file.endsWith(".html")) return c.redirect(`/terms?next=${nextUrl}`, 302);
        return c.json({error: "terms_required"}, 403);
      }
    }
    if (!file) return next();
    if (user?.role === "admin") return send(c, file, urlPath);
    if (isAdminFile(root, file)) return c.html(forbiddenPage, 403);
    return send(c, file, urlPath, (html) => withoutAdminNav(html, urlPath));
  };
}
