// User service: what the admin command and the admin routes share.
import {z} from "@hono/zod-openapi";
import {isValidCpf, normalizeDocument} from "../loaders/documents.js";
import {audit, record} from "./audit.js";
import {roles, type Role} from "./auth.js";
import {isAnonymized, LastAdministrator} from "./erasure.js";
import {notify} from "./notifications.js";
import {emailHash, openIdentity, unseal} from "./pii.js";
import {getProfile, maskedCpf, ProfileConflict, profileShape, updateProfile, type Profile} from "./profile.js";
import type {Runtime} from "./server.js";
import type {Services} from "./services.js";

export const newAdministrator = z.object({
  email: z.string().email(),
  name: z.string().trim().min(1).max(120),
  password: z.string().min(10, "at least 10 characters").max(128)
});
export type NewAdministrator = z.infer<typeof newAdministrator>;

/** Signs the person up through better-auth (so the password is hashed its way), then grants the admin role. */
export async function createAdministrator(
  {auth, db, keys}: Pick<Runtime, "auth" | "db" | "keys">,
  who: NewAdministrator
): Promise<{id: string; email: string}> {
  const email = who.email.toLowerCase();
  const [existing] = await db.sql<{id: string}[]>`SELECT id FROM "user" WHERE email = ${emailHash(keys, email)}`;
  let id = existing?.id;
  if (!id) {
    const result = await auth.api.signUpEmail({body: {email, password: who.password, name: who.name}});
    id = result.user.id;
  }
  await db.sql`UPDATE "user" SET role = 'admin', "updatedAt" = now() WHERE id = ${id}`;
  return {id, email};
}

// ---- User administration (administrators only; the routes are in routes/users.ts) ----

export interface UserSummary {
  id: string;
  name: string;
  email: string;
  role: Role;
  emailVerified: boolean;
  banned: boolean;
  anonymized: boolean;
  cpf: string | null;
  createdAt: string;
}

export interface UserQuery {
  role?: Role;
  status?: "active" | "anonymized" | "all";
  q?: string;
  page: number;
  pageSize: number;
}

/**
 * Lists users; `q` matches name or email (case-insensitive), or a CPF exactly through its keyed hash. Names and
 * addresses are encrypted, so with `q` the users that pass the role and status filters are decrypted and matched
 * here, then paged; without it the database pages. CPFs come back masked.
 */
export async function listUsers(
  {sql, keys}: Pick<Services, "sql" | "keys">,
  query: UserQuery
): Promise<{users: UserSummary[]; total: number}> {
  const q = query.q?.trim();
  const status = query.status ?? "active";
  const where = sql`WHERE true
    ${query.role ? sql`AND coalesce(u.role, 'client') = ${query.role}` : sql``}
    ${status === "active" ? sql`AND p.anonymized_at IS NULL` : status === "anonymized" ? sql`AND p.anonymized_at IS NOT NULL` : sql``}`;
  const from = sql`FROM "user" u LEFT JOIN user_profile p ON p.user_id = u.id`;
  const select = sql`SELECT u.id, u.name, u.name_enc, u.email, u.email_enc, u.role, u."emailVerified", u.banned,
      p.anonymized_at, p.cpf_enc, p.cpf_hash, u."createdAt"
    ${from} ${where} ORDER BY u."createdAt" DESC, u.id`;
  const offset = (query.page - 1) * query.pageSize;
  const people = (rows: UserRow[]) => rows.map((r) => ({row: r, ...openIdentity(keys, r.id, r)}));
  let total: number;
  let page: ReturnType<typeof people>;
  if (!q) {
    [{total}] = await sql<{total: number}[]>`SELECT count(*)::int AS total ${from} ${where}`;
    page = people(await sql<UserRow[]>`${select} LIMIT ${query.pageSize} OFFSET ${offset}`);
  } else {
    const needle = q.toLowerCase();
    const cpfHash = isValidCpf(q) ? keys.hash("cpf", normalizeDocument(q)) : null;
    const matching = people(await sql<UserRow[]>`${select}`).filter(
      (p) =>
        (cpfHash !== null && p.row.cpf_hash === cpfHash) ||
        p.name.toLowerCase().includes(needle) ||
        p.email.toLowerCase().includes(needle)
    );
    total = matching.length;
    page = matching.slice(offset, offset + query.pageSize);
  }
  return {
    total,
    users: page.map(({row: r, name, email}) => ({
      id: r.id,
      name,
      email,
      role: r.role ?? "client",
      emailVerified: r.emailVerified,
      banned: Boolean(r.banned),
      anonymized: r.anonymized_at !== null,
      cpf: maskedCpf(unseal(keys, "user_profile", "cpf_enc", r.id, r.cpf_enc)),
      createdAt: r.createdAt.toISOString()
    }))
  };
}

interface UserRow {
  id: string;
  name: string;
  name_enc: string | null;
  email: string;
  email_enc: string | null;
  role: Role | null;
  emailVerified: boolean;
  banned: boolean | null;
  anonymized_at: Date | null;
  cpf_enc: string | null;
  cpf_hash: string | null;
  createdAt: Date;
}

export const NewUser = z
  .strictObject({
    name: profileShape.name,
    email: profileShape.email,
    cpf: profileShape.cpf.optional(),
    phone: profileShape.phone.optional(),
    role: z.enum(roles)
  })
  .openapi("NewUser");
export type NewUser = z.infer<typeof NewUser>;

export const UserPatch = z
  .strictObject({...profileShape, role: z.enum(roles)})
  .partial()
  .openapi("UserPatch");
export type UserPatch = z.infer<typeof UserPatch>;

/**
 * Creates an account without a password and sends the person a link to choose one (the password-reset flow),
 * so no administrator ever knows it.
 */
export async function createUser(deps: Services, input: NewUser, actorId: string): Promise<Profile> {
  const {sql, auth, clock} = deps;
  const [taken] = await sql`SELECT 1 FROM "user" WHERE email = ${emailHash(deps.keys, input.email)}`;
  if (taken) throw new ProfileConflict({email: ["already in use"]});
  if (input.cpf) {
    const [cpfTaken] = await sql`SELECT 1 FROM user_profile WHERE cpf_hash = ${deps.keys.hash("cpf", input.cpf)}`;
    if (cpfTaken) throw new ProfileConflict({cpf: ["already in use"]});
  }
  // The admin plugin's types know only its default roles; the column's CHECK constraint knows ours.
  const role = input.role as "admin";
  const {user} = await auth.api.createUser({body: {email: input.email, name: input.name, role}});
  await audit(sql, {
    action: "user.created",
    actorId,
    subjectId: user.id,
    detail: {role: input.role, fields: Object.keys(input).sort()},
    at: clock.now()
  });
  if (input.cpf || input.phone) await updateProfile(deps, user.id, {cpf: input.cpf, phone: input.phone}, actorId);
  await auth.api.requestPasswordReset({body: {email: input.email, redirectTo: "/reset-password"}});
  return (await getProfile(deps, user.id))!;
}

/** Changes a user's data and role; the last active administrator keeps the role. */
export async function updateUser(deps: Services, userId: string, patch: UserPatch, actorId: string) {
  const {sql, clock} = deps;
  const {role, ...fields} = patch;
  const before = await getProfile(deps, userId);
  if (!before || (await isAnonymized(sql, userId))) return null;
  if (role && role !== before.role) {
    await sql.begin(async (tx) => {
      if (before.role === "admin") {
        await tx`SELECT pg_advisory_xact_lock(726357)`;
        const [{others}] = await tx<{others: number}[]>`SELECT count(*)::int AS others FROM "user"
          WHERE role = 'admin' AND id <> ${userId} AND NOT coalesce(banned, false)`;
        if (others === 0) throw new LastAdministrator();
      }
      await tx`UPDATE "user" SET role = ${role}, "updatedAt" = ${clock.now()} WHERE id = ${userId}`;
      await record(tx, {
        action: "user.role_changed",
        actorId,
        subjectId: userId,
        detail: {from: before.role, to: role}
      });
    });
    await notify(deps, {
      userId,
      kind: "account",
      title: "Your role changed",
      body: `An administrator changed your role from ${before.role} to ${role}.`,
      email: true
    });
  }
  const result = await updateProfile(deps, userId, fields, actorId);
  return result?.profile ?? null;
}
