// The personal data a user can read and correct (LGPD Art. 18 I–III): name and email live in better-auth's
// user table (it signs people in by email), encrypted, with the email's keyed hash in place of the address; CPF
// and phone are encrypted in user_profile, with a keyed hash of the CPF for uniqueness. Every correction keeps the
// field, old and new value (encrypted), who and when.
import {z} from "@hono/zod-openapi";
import {isValidCpf, maskCpf, normalizeDocument} from "../loaders/documents.js";
import {record} from "./audit.js";
import {notify} from "./notifications.js";
import {emailHash, openIdentity, seal, sealIdentity, unseal} from "./pii.js";
import type {Services} from "./services.js";

export const profileFields = ["name", "email", "cpf", "phone"] as const;
export type ProfileField = (typeof profileFields)[number];

const phone = z
  .string()
  .trim()
  .transform((p) => (p.startsWith("+") ? "+" : "") + p.replace(/\D/g, ""))
  .refine((p) => /^\+?\d{10,15}$/.test(p), "a phone number has 10 to 15 digits, e.g. +55 11 99999-0000");

/** The fields a person may correct, each with its own message. */
export const profileShape = {
  name: z.string().trim().min(1, "enter a name").max(120, "at most 120 characters"),
  email: z.string().trim().toLowerCase().pipe(z.email("enter a valid email address")),
  cpf: z.string().refine(isValidCpf, "not a valid CPF (check digits)").transform(normalizeDocument).nullable(),
  phone: phone.nullable()
};

/** What may be corrected, field by field; any other key (role, id, emailVerified…) is refused. */
export const ProfilePatch = z.strictObject(profileShape).partial().openapi("ProfilePatch");
export type ProfilePatch = z.infer<typeof ProfilePatch>;

export interface Profile {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  role: string;
  cpf: string | null;
  phone: string | null;
  createdAt: string;
}

type Deps = Pick<Services, "sql" | "keys" | "clock" | "mailer" | "logger" | "publicUrl" | "auth">;

export async function getProfile({sql, keys}: Pick<Services, "sql" | "keys">, userId: string): Promise<Profile | null> {
  const [row] = await sql<
    {
      id: string;
      name: string;
      name_enc: string | null;
      email: string;
      email_enc: string | null;
      emailVerified: boolean;
      role: string | null;
      createdAt: Date;
      cpf_enc: string | null;
      phone_enc: string | null;
    }[]
  >`SELECT u.id, u.name, u.name_enc, u.email, u.email_enc, u."emailVerified", u.role, u."createdAt", p.cpf_enc,
      p.phone_enc
    FROM "user" u LEFT JOIN user_profile p ON p.user_id = u.id WHERE u.id = ${userId}`;
  if (!row) return null;
  return {
    id: row.id,
    ...openIdentity(keys, userId, row),
    emailVerified: row.emailVerified,
    role: row.role ?? "client",
    cpf: unseal(keys, "user_profile", "cpf_enc", userId, row.cpf_enc),
    phone: unseal(keys, "user_profile", "phone_enc", userId, row.phone_enc),
    createdAt: row.createdAt.toISOString()
  };
}

/** A CPF as shown to administrators and in summaries. */
export const maskedCpf = (cpf: string | null) => (cpf ? maskCpf(cpf) : null);

export class ProfileConflict extends Error {
  constructor(readonly fields: Record<string, string[]>) {
    super("conflict");
  }
}

/**
 * Applies a correction and returns the fields that actually changed. `actorId` is the user themselves or an
 * administrator; either way the user is notified (by email too, and at the old address when it changes).
 */
export async function updateProfile(
  deps: Deps,
  userId: string,
  patch: ProfilePatch,
  actorId: string
): Promise<{changed: ProfileField[]; profile: Profile} | null> {
  const {sql, keys, clock} = deps;
  const before = await getProfile(deps, userId);
  if (!before) return null;
  const changed = profileFields.filter((f) => patch[f] !== undefined && patch[f] !== before[f]);
  if (!changed.length) return {changed, profile: before};
  const at = clock.now();
  const taken = await sql<{field: string}[]>`
    SELECT 'email' AS field FROM "user" WHERE ${patch.email ?? null}::text IS NOT NULL
      AND email = ${patch.email ? emailHash(keys, patch.email) : null} AND id <> ${userId}
    UNION ALL
    SELECT 'cpf' FROM user_profile WHERE ${patch.cpf ?? null}::text IS NOT NULL
      AND cpf_hash = ${patch.cpf ? keys.hash("cpf", patch.cpf) : null} AND user_id <> ${userId}`;
  if (taken.length) throw new ProfileConflict(Object.fromEntries(taken.map((t) => [t.field, ["already in use"]])));
  await sql
    .begin(async (tx) => {
      await tx`INSERT INTO user_profile (user_id) VALUES (${userId}) ON CONFLICT (user_id) DO NOTHING`;
      if (patch.name !== undefined || patch.email !== undefined) {
        const sealed = sealIdentity(keys, userId, {
          email: patch.email ?? before.email,
          name: patch.name ?? before.name
        });
        await tx`UPDATE "user" SET name = ${sealed.name!}, name_enc = ${sealed.name_enc!}, email = ${sealed.email!},
        email_enc = ${sealed.email_enc!},
        "emailVerified" = ${patch.email !== undefined && patch.email !== before.email ? false : before.emailVerified},
        "updatedAt" = ${at} WHERE id = ${userId}`;
        await tx`UPDATE user_profile SET email_hash = ${sealed.email!} WHERE user_id = ${userId}`;
      }
      if (patch.cpf !== undefined) {
        await tx`UPDATE user_profile SET cpf_enc = ${seal(keys, "user_profile", "cpf_enc", userId, patch.cpf)},
        cpf_hash = ${patch.cpf ? keys.hash("cpf", patch.cpf) : null}, updated_at = ${at} WHERE user_id = ${userId}`;
      }
      if (patch.phone !== undefined) {
        await tx`UPDATE user_profile SET phone_enc = ${seal(keys, "user_profile", "phone_enc", userId, patch.phone)},
        updated_at = ${at} WHERE user_id = ${userId}`;
      }
      for (const field of changed) {
        const old = before[field] === null ? null : String(before[field]);
        await tx`INSERT INTO profile_changes (user_id, field, old_enc, new_enc, changed_by, changed_at)
        VALUES (${userId}, ${field}, ${seal(keys, "profile_changes", "old_enc", userId, old)},
                ${seal(keys, "profile_changes", "new_enc", userId, patch[field] ?? null)}, ${actorId}, ${at})`;
      }
      await record(tx, {action: "profile.updated", actorId, subjectId: userId, detail: {fields: changed}, at});
    })
    .catch(uniqueToConflict);
  const profile = (await getProfile(deps, userId))!;
  const by = actorId === userId ? "You" : "An administrator";
  const notice = {
    userId,
    kind: "profile",
    title: "Your personal data was changed",
    body: `${by} changed: ${changed.join(", ")}. If this was not expected, contact the administrators.`,
    link: "/profile",
    email: true
  };
  await notify(deps, notice);
  if (changed.includes("email")) {
    await notify(deps, {...notice, to: before.email, body: `${notice.body} Your email is now ${profile.email}.`});
    await deps.auth.api.sendVerificationEmail({body: {email: profile.email}}).catch((error: unknown) => {
      deps.logger.error({err: error}, "verification email for a changed address not sent");
    });
  }
  return {changed, profile};
}

/** A unique index caught what the check above raced with: same answer, a conflict on that field. */
function uniqueToConflict(error: unknown): never {
  const {code, constraint_name: constraint} = error as {code?: string; constraint_name?: string};
  if (code === "23505" && constraint) {
    throw new ProfileConflict({[constraint.includes("cpf") ? "cpf" : "email"]: ["already in use"]});
  }
  throw error;
}

export interface ProfileChange {
  field: ProfileField;
  old: string | null;
  new: string | null;
  changedAt: string;
  changedBy: "self" | "administrator";
}

export async function profileChanges(
  {sql, keys}: Pick<Services, "sql" | "keys">,
  userId: string
): Promise<ProfileChange[]> {
  const rows = await sql<
    {field: ProfileField; old_enc: string | null; new_enc: string | null; changed_by: string | null; changed_at: Date}[]
  >`SELECT field, old_enc, new_enc, changed_by, changed_at FROM profile_changes
    WHERE user_id = ${userId} ORDER BY changed_at DESC, id`;
  return rows.map((r) => ({
    field: r.field,
    old: unseal(keys, "profile_changes", "old_enc", userId, r.old_enc),
    new: unseal(keys, "profile_changes", "new_enc", userId, r.new_enc),
    changedAt: r.changed_at.toISOString(),
    changedBy: r.changed_by === userId ? "self" : "administrator"
  }));
}
