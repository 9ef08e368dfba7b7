// /api/profile: the signed-in person reads and corrects their own data (LGPD Art. 18 I–III). Each change is
// recorded (field, old and new value, when, by whom) and notified in-app and by email.
import {createRoute, z} from "@hono/zod-openapi";
import {requireSession, type SessionEnv} from "../access.js";
import {body, invalid, json, router, signedIn, unauthenticated} from "../openapi.js";
import {getProfile, ProfileConflict, ProfilePatch, profileChanges, profileFields, updateProfile} from "../profile.js";
import type {Services} from "../services.js";

export const ProfileSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    role: z.string(),
    cpf: z.string().nullable().openapi({example: "52998224725"}),
    phone: z.string().nullable().openapi({example: "+5511999990000"}),
    createdAt: z.string()
  })
  .openapi("Profile");

export const ProfileChange = z
  .object({
    field: z.enum(profileFields),
    old: z.string().nullable(),
    new: z.string().nullable(),
    changedAt: z.string(),
    changedBy: z.enum(["self", "administrator"])
  })
  .openapi("ProfileChange");

export const ConflictSchema = z
  .object({error: z.literal("conflict"), fields: z.record(z.string(), z.array(z.string()))})
  .openapi("Conflict");

export const Updated = z.object({changed: z.array(z.enum(profileFields)), profile: ProfileSchema});

export function profileRoutes(deps: Services) {
  const app = router<SessionEnv>();
  app.use("*", requireSession(deps.auth));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["profile"],
      summary: "My personal data, in full",
      ...signedIn,
      responses: {200: json(ProfileSchema, "Profile"), ...unauthenticated}
    }),
    async (c) => c.json((await getProfile(deps, c.get("user").id))!, 200)
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/",
      tags: ["profile"],
      summary: "Correct my name, email, CPF or phone (null clears CPF or phone)",
      description:
        "Any other field (role, id, emailVerified…) is refused with 400. A new email must be verified again.",
      ...signedIn,
      request: {body: body(ProfilePatch)},
      responses: {
        200: json(Updated, "Changed fields and the profile now"),
        ...invalid,
        ...unauthenticated,
        409: json(ConflictSchema, "Email or CPF already used by another account")
      }
    }),
    async (c) => {
      const userId = c.get("user").id;
      try {
        return c.json((await updateProfile(deps, userId, c.req.valid("json"), userId))!, 200);
      } catch (error) {
        if (error instanceof ProfileConflict) return c.json({error: "conflict" as const, fields: error.fields}, 409);
        throw error;
      }
    }
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/changes",
      tags: ["profile"],
      summary: "Every change to my data, newest first",
      ...signedIn,
      responses: {200: json(z.object({changes: z.array(ProfileChange)}), "Changes"), ...unauthenticated}
    }),
    async (c) => c.json({changes: await profileChanges(deps, c.get("user").id)}, 200)
  );

  return app;
}
