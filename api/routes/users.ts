// /api/users: user administration (administrators only): list with filter, search and pagination; create and
// edit with field-level messages; delete in two steps (ask for a confirmation token, then delete with it).
import {createRoute, z} from "@hono/zod-openapi";
import {requireRole, requireSession, requireTerms, type SessionEnv} from "../access.js";
import {audit} from "../audit.js";
import {roles} from "../auth.js";
import {consentHistory} from "../consent.js";
import {
  anonymizeUser,
  checkConfirmation,
  deletionConfirmation,
  deletionSummary,
  isAnonymized,
  LastAdministrator
} from "../erasure.js";
import {
  body,
  ErrorSchema,
  forbidden,
  IdParams,
  invalid,
  json,
  notFound,
  OkSchema,
  Paging,
  router,
  signedIn,
  unauthenticated
} from "../openapi.js";
import {getProfile, ProfileConflict, profileChanges} from "../profile.js";
import type {Services} from "../services.js";
import {createUser, listUsers, NewUser, updateUser, UserPatch} from "../users.js";
import {ConsentRecord} from "./consent.js";
import {ConflictSchema, ProfileChange, ProfileSchema} from "./profile.js";

const UserSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(roles),
    emailVerified: z.boolean(),
    banned: z.boolean(),
    anonymized: z.boolean(),
    cpf: z.string().nullable().openapi({description: "Masked", example: "***.982.247-**"}),
    createdAt: z.string()
  })
  .openapi("UserSummary");

const UserQuery = z.object({
  role: z.enum(roles).optional(),
  status: z.enum(["active", "anonymized", "all"]).default("active"),
  q: z.string().trim().max(100).optional().openapi({description: "Name or email contains; or an exact CPF"}),
  ...Paging
});

export const DeletionPlan = z
  .object({
    confirmation: z.string(),
    expiresAt: z.string(),
    erased: z.array(z.string()),
    kept: z.array(z.string())
  })
  .openapi("DeletionPlan");

export const Confirm = z.strictObject({confirmation: z.string().min(1).max(1000)}).openapi("DeletionConfirmation");

const lastAdmin = {error: "last_admin", message: "the last administrator cannot lose the role or be deleted"};
const conflicts = {409: json(ConflictSchema.or(ErrorSchema), "Email or CPF in use, or the last administrator")};

export function userRoutes(deps: Services) {
  const {sql, auth, keys, clock} = deps;
  const app = router<SessionEnv>();
  app.use("*", requireSession(auth), requireRole("admin"), requireTerms(sql));
  const refusals = {...unauthenticated, ...forbidden};

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["users"],
      summary: "Users, newest first, filtered by role and status and searched by name, email or CPF",
      ...signedIn,
      request: {query: UserQuery},
      responses: {
        200: json(z.object({users: z.array(UserSummary), total: z.number().int()}), "A page"),
        ...invalid,
        ...refusals
      }
    }),
    async (c) => c.json(await listUsers(deps, c.req.valid("query")), 200)
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["users"],
      summary: "Create a user; they get an email to choose their password",
      ...signedIn,
      request: {body: body(NewUser)},
      responses: {201: json(ProfileSchema, "Created"), ...invalid, ...refusals, ...conflicts}
    }),
    async (c) => {
      try {
        return c.json(await createUser(deps, c.req.valid("json"), c.get("user").id), 201);
      } catch (error) {
        if (error instanceof ProfileConflict) return c.json({error: "conflict" as const, fields: error.fields}, 409);
        throw error;
      }
    }
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["users"],
      summary: "One user's data, in full (the access is audited)",
      ...signedIn,
      request: {params: IdParams},
      responses: {200: json(ProfileSchema, "The user"), ...refusals, ...notFound}
    }),
    async (c) => {
      const {id} = c.req.valid("param");
      const profile = await getProfile(deps, id);
      if (!profile) return c.json({error: "not_found"}, 404);
      await audit(sql, {action: "user.viewed", actorId: c.get("user").id, subjectId: id, at: clock.now()});
      return c.json(profile, 200);
    }
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["users"],
      summary: "Change a user's name, email, CPF, phone or role",
      ...signedIn,
      request: {params: IdParams, body: body(UserPatch)},
      responses: {200: json(ProfileSchema, "The user now"), ...invalid, ...refusals, ...notFound, ...conflicts}
    }),
    async (c) => {
      try {
        const profile = await updateUser(deps, c.req.valid("param").id, c.req.valid("json"), c.get("user").id);
        return profile ? c.json(profile, 200) : c.json({error: "not_found"}, 404);
      } catch (error) {
        if (error instanceof ProfileConflict) return c.json({error: "conflict" as const, fields: error.fields}, 409);
        if (error instanceof LastAdministrator) return c.json(lastAdmin, 409);
        throw error;
      }
    }
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/deletion",
      tags: ["users"],
      summary: "Step 1 of deletion: what will be erased and kept, and a confirmation token valid 10 minutes",
      ...signedIn,
      request: {params: IdParams},
      responses: {200: json(DeletionPlan, "The plan"), ...refusals, ...notFound}
    }),
    async (c) => {
      const {id} = c.req.valid("param");
      const profile = await getProfile(deps, id);
      if (!profile || (await isAnonymized(sql, id))) return c.json({error: "not_found"}, 404);
      const {erased, kept} = await deletionSummary(sql, id);
      return c.json({...deletionConfirmation(keys, c.get("user").id, id, clock.now()), erased, kept}, 200);
    }
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["users"],
      summary: "Step 2 of deletion: anonymize the user, with the token from step 1",
      ...signedIn,
      request: {params: IdParams, body: body(Confirm)},
      responses: {
        200: json(OkSchema, "Anonymized"),
        ...invalid,
        ...refusals,
        ...notFound,
        409: json(ErrorSchema, "Bad or expired confirmation, or the last administrator")
      }
    }),
    async (c) => {
      const {id} = c.req.valid("param");
      const actor = c.get("user").id;
      if (!checkConfirmation(keys, c.req.valid("json").confirmation, actor, id, clock.now())) {
        return c.json({error: "confirmation_invalid", message: "ask for a new confirmation (step 1)"}, 409);
      }
      try {
        return (await anonymizeUser(deps, id, actor))
          ? c.json({ok: true as const}, 200)
          : c.json({error: "not_found"}, 404);
      } catch (error) {
        if (error instanceof LastAdministrator) return c.json(lastAdmin, 409);
        throw error;
      }
    }
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/consent",
      tags: ["users"],
      summary: "A user's consent history",
      ...signedIn,
      request: {params: IdParams},
      responses: {200: json(z.object({records: z.array(ConsentRecord)}), "History"), ...refusals}
    }),
    async (c) => c.json({records: await consentHistory(sql, c.req.valid("param").id)}, 200)
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/changes",
      tags: ["users"],
      summary: "Every change to a user's data",
      ...signedIn,
      request: {params: IdParams},
      responses: {200: json(z.object({changes: z.array(ProfileChange)}), "Changes"), ...refusals}
    }),
    async (c) => c.json({changes: await profileChanges(deps, c.req.valid("param").id)}, 200)
  );

  return app;
}
