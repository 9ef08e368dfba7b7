// /api/terms: versioned terms. Anyone may read them (sign-up shows them before there is an account);
// administrators publish a new version, and earlier versions stay readable.
import {createRoute, z} from "@hono/zod-openapi";
import {requireRole, requireSession, requireTerms, type SessionEnv} from "../access.js";
import {body, ErrorSchema, forbidden, invalid, json, notFound, router, signedIn, unauthenticated} from "../openapi.js";
import type {Services} from "../services.js";
import {currentTerms, getTerms, listTerms, publishTerms} from "../terms.js";

const TermItem = z
  .object({
    code: z.string().openapi({example: "privacy-policy"}),
    mandatory: z.boolean(),
    title: z.string(),
    text: z.string()
  })
  .openapi("TermItem");

const TermVersion = z
  .object({
    version: z.number().int(),
    title: z.string(),
    summary: z.string(),
    publishedAt: z.string(),
    items: z.array(TermItem)
  })
  .openapi("TermVersion");

const TermVersionList = z
  .object({
    versions: z.array(
      z.object({
        version: z.number().int(),
        title: z.string(),
        publishedAt: z.string(),
        items: z.number().int(),
        current: z.boolean()
      })
    )
  })
  .openapi("TermVersionList");

const NewTerms = z
  .strictObject({
    title: z.string().trim().min(1, "enter a title").max(200),
    summary: z.string().trim().max(2000).optional(),
    items: z
      .array(
        z.strictObject({
          code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lower-case letters, digits and dashes, up to 40"),
          mandatory: z.boolean(),
          title: z.string().trim().min(1, "enter a title").max(200),
          text: z.string().trim().min(1, "enter the text").max(20_000)
        })
      )
      .min(1, "at least one item")
      .max(50)
      .refine((items) => new Set(items.map((i) => i.code)).size === items.length, "item codes must be unique")
  })
  .openapi("NewTerms");

const VersionParams = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({param: {name: "version", in: "path"}, example: 1})
});

export function termsRoutes({sql, auth, clock}: Services) {
  const app = router<SessionEnv>();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["terms"],
      summary: "All published versions, newest (current) first",
      responses: {200: json(TermVersionList, "Versions")}
    }),
    async (c) => c.json({versions: await listTerms(sql)}, 200)
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/current",
      tags: ["terms"],
      summary: "The current version with its items (public: sign-up shows it)",
      responses: {200: json(TermVersion, "The current terms"), 404: json(ErrorSchema, "Nothing published yet")}
    }),
    async (c) => {
      const terms = await currentTerms(sql);
      return terms ? c.json(terms, 200) : c.json({error: "no_terms"}, 404);
    }
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{version}",
      tags: ["terms"],
      summary: "One version, current or earlier",
      request: {params: VersionParams},
      responses: {200: json(TermVersion, "The version"), ...invalid, ...notFound}
    }),
    async (c) => {
      const terms = await getTerms(sql, c.req.valid("param").version);
      return terms ? c.json(terms, 200) : c.json({error: "not_found"}, 404);
    }
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["terms"],
      summary: "Publish a new version (administrators). Everyone must accept its mandatory items again.",
      ...signedIn,
      middleware: [requireSession(auth), requireRole("admin"), requireTerms(sql)] as const,
      request: {body: body(NewTerms)},
      responses: {
        201: json(z.object({version: z.number().int()}), "Published"),
        ...invalid,
        ...unauthenticated,
        ...forbidden
      }
    }),
    async (c) => {
      const version = await publishTerms(sql, c.req.valid("json"), c.get("user").id, clock.now());
      return c.json({version}, 201);
    }
  );

  return app;
}
