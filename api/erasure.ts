// Deletion (LGPD Art. 18 IV and VI) as anonymization, behind an explicit confirmation step. Personal fields are
// erased; what the law requires to keep (Art. 16: consent proof, the audit log) stays, pointing only at the
// user id, which nothing links to a person any more. The person gets a last email at the old address.
import {timingSafeEqual} from "node:crypto";
import {record} from "./audit.js";
import type {KeyRing} from "./crypto.js";
import type {Sql} from "./db.js";
import {openEmail} from "./pii.js";
import type {Services} from "./services.js";

const CONFIRMATION_MINUTES = 10;

export interface Confirmation {
  confirmation: string;
  expiresAt: string;
}

/** A self-contained token: who may delete whom until when, MAC'd with the hash key; nothing stored. */
export function deletionConfirmation(keys: KeyRing, actorId: string, subjectId: string, now: Date): Confirmation {
  const expiresAt = new Date(now.getTime() + CONFIRMATION_MINUTES * 60_000);
  const payload = Buffer.from(JSON.stringify({a: actorId, s: subjectId, e: expiresAt.getTime()})).toString("base64url");
  return {confirmation: `${payload}.${keys.mac("delete-user", payload)}`, expiresAt: expiresAt.toISOString()};
}

export function checkConfirmation(keys: KeyRing, token: string, actorId: string, subjectId: string, now: Date) {
  const [payload, mac] = token.split(".");
  if (!payload || !mac) return false;
  const expected = Buffer.from(keys.mac("delete-user", payload));
  if (expected.length !== mac.length || !timingSafeEqual(expected, Buffer.from(mac))) return false;
  try {
    const {a, s, e} = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return a === actorId && s === subjectId && typeof e === "number" && e > now.getTime();
  } catch {
    return false;
  }
}

export async function isAnonymized(sql: Sql, userId: string): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM user_profile WHERE user_id = ${userId} AND anonymized_at IS NOT NULL`;
  return Boolean(row);
}

/** What deletion will erase and keep, shown before the confirmation. */
export async function deletionSummary(sql: Sql, userId: string) {
  const [counts] = await sql<{consents: number; audit: number; exports: number; notifications: number}[]>`
    SELECT (SELECT count(*)::int FROM consent_records WHERE user_id = ${userId}) AS consents,
           (SELECT count(*)::int FROM audit_log WHERE subject_id = ${userId} OR actor_id = ${userId}) AS audit,
           (SELECT count(*)::int FROM data_exports WHERE user_id = ${userId}) AS exports,
           (SELECT count(*)::int FROM notifications WHERE user_id = ${userId}) AS notifications`;
  return {
    erased: [
      "name",
      "email",
      "cpf",
      "phone",
      "password",
      "sessions",
      "profile change history",
      "notifications",
      "exports"
    ],
    kept: [
      `${counts.consents} consent records (proof of consent, LGPD Art. 8 §2 and Art. 16 I), under a pseudonymous id`,
      `${counts.audit} audit log entries (security and legal obligations, Art. 16 I and Art. 37), under a pseudonymous id`
    ],
    counts
  };
}

export class LastAdministrator extends Error {
  constructor() {
    super("last_admin");
  }
}

/**
 * Erases the user's personal data in one transaction (no email: see anonymizeUser). Returns the stored address
 * columns, for a last message, or null when there is no such (not yet anonymized) user. The name and address are
 * replaced by placeholders and their ciphertexts removed.
 */
export async function eraseUser(
  {sql, clock}: Pick<Services, "sql" | "clock">,
  userId: string,
  actorId: string
): Promise<{email: string; email_enc: string | null} | null> {
  const at = clock.now();
  return sql.begin(async (tx) => {
    const [user] = await tx<{email: string; email_enc: string | null; role: string | null}[]>`
      SELECT u.email, u.email_enc, u.role FROM "user" u LEFT JOIN user_profile p ON p.user_id = u.id
      WHERE u.id = ${userId} AND p.anonymized_at IS NULL FOR UPDATE OF u`;
    if (!user) return null;
    if (user.role === "admin") {
      const [{others}] = await tx<{others: number}[]>`SELECT count(*)::int AS others FROM "user"
        WHERE role = 'admin' AND id <> ${userId} AND NOT coalesce(banned, false)`;
      if (others === 0) throw new LastAdministrator();
    }
    await tx`UPDATE "user" SET name = 'Deleted user', name_enc = NULL,
      email = ${`deleted-${userId}@anonymized.invalid`}, email_enc = NULL,
      "emailVerified" = false, image = NULL, role = 'client', banned = true, "banReason" = 'anonymized',
      "updatedAt" = ${at} WHERE id = ${userId}`;
    await tx`INSERT INTO user_profile (user_id) VALUES (${userId}) ON CONFLICT (user_id) DO NOTHING`;
    await tx`UPDATE user_profile SET email_hash = NULL, cpf_hash = NULL, cpf_enc = NULL, phone_enc = NULL,
      anonymized_at = ${at}, updated_at = ${at} WHERE user_id = ${userId}`;
    await tx`DELETE FROM profile_changes WHERE user_id = ${userId}`;
    await tx`DELETE FROM notifications WHERE user_id = ${userId}`;
    await tx`DELETE FROM data_exports WHERE user_id = ${userId}`;
    await tx`DELETE FROM session WHERE "userId" = ${userId}`;
    await tx`DELETE FROM account WHERE "userId" = ${userId}`;
    await tx`DELETE FROM verification WHERE value = ${userId} OR value LIKE ${`%"${userId}"%`}`;
    await record(tx, {
      action: "user.anonymized",
      actorId,
      subjectId: userId,
      detail: {by: actorId === userId ? "self" : "administrator"},
      at
    });
    return {email: user.email, email_enc: user.email_enc};
  });
}

/** Anonymizes the user, then tells them at their old address; false when there is no such user. */
export async function anonymizeUser(
  deps: Pick<Services, "sql" | "keys" | "clock" | "mailer" | "logger">,
  userId: string,
  actorId: string
): Promise<boolean> {
  const {keys, mailer, logger} = deps;
  const erased = await eraseUser(deps, userId, actorId);
  if (erased === null) return false;
  const text =
    "Your Grafeno Workbench account was deleted: your personal data was erased. Records the law requires us " +
    "to keep (proof of consent, the audit log) remain under a pseudonymous identifier.\n";
  const to = openEmail(keys, userId, erased);
  await mailer.send({to, subject: "Your account was deleted", text}).catch((error: unknown) => {
    logger.error({err: error}, "deletion confirmation email not sent");
  });
  return true;
}
