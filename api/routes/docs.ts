// /api/openapi.json and /api/docs: the API description generated from the routes' zod schemas, and Swagger UI
// served from node_modules on our own origin (no CDN: a page may request nothing outside its origin).
import {createRequire} from "node:module";
import {readFile} from "node:fs/promises";
import {dirname, join} from "node:path";
import {z, type OpenAPIHono} from "@hono/zod-openapi";
import type {Env} from "hono";
import {body, ErrorSchema, json, signedIn} from "../openapi.js";
import {exportTable} from "../spreadsheet.js";
import {describeScoring} from "./scoring-docs.js";

const swaggerDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const assets: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png"
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grafeno Workbench API</title>
<link rel="icon" href="/api/docs/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

// validatorUrl: null, or Swagger UI would ask a public validator about our document.
const init = `window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  withCredentials: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
`;

const Credentials = z.object({email: z.email(), password: z.string().min(10).max(128)});

/** Endpoints that are not zod routes of ours: health and better-auth's, described by hand. */
function describeOthers<E extends Env>(api: OpenAPIHono<E>): void {
  const r = api.openAPIRegistry;
  r.registerComponent("securitySchemes", "session", {type: "apiKey", in: "cookie", name: "better-auth.session_token"});
  const ok = json(z.record(z.string(), z.unknown()), "OK");
  const paths: [string, string, string, z.ZodType | null][] = [
    ["get", "/health", "Database reachable and migrations applied", null],
    [
      "post",
      "/auth/sign-up/email",
      "Create an account (then accept the terms: POST /api/consent)",
      Credentials.extend({name: z.string()})
    ],
    ["post", "/auth/sign-in/email", "Sign in; rate-limited per client address (429 when exceeded)", Credentials],
    ["post", "/auth/sign-out", "Sign out this session", null],
    ["get", "/auth/get-session", "The current session and user", null],
    ["post", "/auth/revoke-sessions", "Sign out everywhere", null],
    ["get", "/auth/list-sessions", "My active sessions", null],
    [
      "post",
      "/auth/change-password",
      "Change my password",
      z.object({currentPassword: z.string(), newPassword: z.string(), revokeOtherSessions: z.boolean().optional()})
    ],
    [
      "post",
      "/auth/request-password-reset",
      "Email a password-reset link",
      z.object({email: z.email(), redirectTo: z.string().optional()})
    ],
    [
      "post",
      "/auth/reset-password",
      "Set a new password with the emailed token",
      z.object({token: z.string(), newPassword: z.string()})
    ],
    ["post", "/auth/send-verification-email", "Email a verification link again", z.object({email: z.email()})],
    ["get", "/auth/verify-email", "Follow the emailed verification link", null]
  ];
  r.registerPath({
    method: "post",
    path: "/exports/{format}",
    tags: ["exports"],
    summary: "A table shown on a page, as a file to take away (xlsx or csv)",
    ...signedIn,
    request: {
      params: z.object({format: z.enum(["xlsx", "csv"])}),
      body: body(exportTable)
    },
    responses: {
      200: {description: "The file"},
      400: json(ErrorSchema, "Invalid table"),
      401: json(ErrorSchema, "No session")
    }
  });
  for (const [method, path, summary, schema] of paths) {
    r.registerPath({
      method: method as "get" | "post",
      path,
      tags: [path.startsWith("/auth") ? "auth (better-auth)" : "health"],
      summary,
      ...(path.startsWith("/auth") && !path.includes("sign-") && !path.includes("password") ? signedIn : {}),
      ...(schema ? {request: {body: body(schema)}} : {}),
      responses: {200: ok, 400: json(ErrorSchema, "Invalid input"), 429: json(ErrorSchema, "Too many attempts")}
    });
  }
}

export function mountDocs<E extends Env>(api: OpenAPIHono<E>): void {
  describeOthers(api);
  describeScoring(api);
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Grafeno Workbench API",
      version: "1",
      description:
        "Accounts, LGPD consent and data-subject rights, audit. Signed-in routes use the session cookie; " +
        "state-changing requests from another origin are refused (403). Invalid input answers 400 with a message per field."
    },
    servers: [{url: "/api"}]
  });
  api.get("/docs", (c) => c.html(page));
  api.get("/docs/init.js", (c) => c.body(init, 200, {"content-type": "text/javascript; charset=utf-8"}));
  api.get("/docs/:asset", async (c) => {
    const name = c.req.param("asset");
    const type = assets[name];
    if (!type) return c.json({error: "not found"}, 404);
    const bytes = await readFile(join(swaggerDir, name));
    return c.body(new Uint8Array(bytes), 200, {"content-type": type, "cache-control": "public, max-age=86400"});
  });
}
