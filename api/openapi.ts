// Shared pieces of the API description: error shapes, the validation hook that turns zod issues into field
// errors, and small helpers so each route declares what it accepts and answers where it is defined.
import {OpenAPIHono, z} from "@hono/zod-openapi";
import type {Env} from "hono";
import type {ZodError} from "zod";

export const ErrorSchema = z
  .object({error: z.string().openapi({example: "forbidden"}), message: z.string().optional()})
  .openapi("Error");

export const InvalidInputSchema = z
  .object({
    error: z.literal("invalid_input"),
    fields: z.record(z.string(), z.array(z.string())).openapi({example: {email: ["Invalid email address"]}})
  })
  .openapi("InvalidInput");

/** Field path → messages; keys that are not allowed (mass assignment) are reported under their own name. */
export function fieldErrors(error: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  const add = (path: string, message: string) => (fields[path || "_"] ??= []).push(message);
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add(path ? `${path}.${key}` : key, "not allowed");
    } else {
      add(path, issue.message);
    }
  }
  return fields;
}

/** A router whose invalid requests all answer 400 `{error: "invalid_input", fields}` before any handler runs. */
export function router<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result, c) => {
      if (!result.success) return c.json({error: "invalid_input" as const, fields: fieldErrors(result.error)}, 400);
    }
  });
}

export function json<T>(schema: T, description: string) {
  return {content: {"application/json": {schema}}, description};
}

export function body<T>(schema: T) {
  return {content: {"application/json": {schema}}, required: true};
}

export const invalid = {400: json(InvalidInputSchema, "Invalid input, with a message per field; nothing written")};
export const unauthenticated = {401: json(ErrorSchema, "No valid session")};
export const forbidden = {403: json(ErrorSchema, "Not allowed: wrong role, foreign origin or terms not accepted")};
export const notFound = {404: json(ErrorSchema, "No such object (or not yours)")};

/** Every signed-in route: a session cookie, and the usual refusals. */
export const signedIn = {security: [{session: []}]};

export const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({param: {name: "id", in: "path"}})
});

export const Paging = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50)
};

export const OkSchema = z.object({ok: z.literal(true)}).openapi("Ok");
