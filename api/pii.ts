// Where personal data is stored encrypted, how each value is bound to its place (the AAD: table, column, owner),
// and key rotation: re-encrypting every value still under an older key with the active one.
import {normalizeEmail, type KeyRing} from "./crypto.js";
import type {Sql} from "./db.js";

export interface EncryptedTable {
  table: string;
  /** Primary key column, to update a row in place. */
  key: string;
  /** The user the data belongs to; part of the AAD. */
  owner: string;
  columns: string[];
}

export const encryptedTables: EncryptedTable[] = [
  {table: "user", key: "id", owner: "id", columns: ["email_enc", "name_enc"]},
  {table: "user_profile", key: "user_id", owner: "user_id", columns: ["cpf_enc", "phone_enc"]},
  {table: "profile_changes", key: "id", owner: "user_id", columns: ["old_enc", "new_enc"]}
];

export function aad(table: string, column: string, owner: string): string {
  return `${table}.${column}:${owner}`;
}

export function seal(keys: KeyRing, table: string, column: string, owner: string, value: string | null) {
  return value === null ? null : keys.encrypt(value, aad(table, column, owner));
}

export function unseal(keys: KeyRing, table: string, column: string, owner: string, value: string | null) {
  return value === null ? null : keys.decrypt(value, aad(table, column, owner));
}

// ---- better-auth's "user" table (migration 0400; better-auth itself goes through api/auth-adapter.ts) ----

/** What "user".email holds: the keyed hash of the normalized address. Look users up by it, never by the address. */
export function emailHash(keys: KeyRing, email: string): string {
  return keys.hash("email", normalizeEmail(email));
}

export interface StoredIdentity {
  email: string;
  email_enc: string | null;
  name: string;
  name_enc: string | null;
}

/** The "user" columns for an address and/or a name: hash and ciphertext; "name" keeps "" (it is NOT NULL). */
export function sealIdentity(
  keys: KeyRing,
  userId: string,
  who: {email?: string; name?: string}
): Partial<StoredIdentity> {
  const columns: Partial<StoredIdentity> = {};
  if (who.email !== undefined) {
    const email = normalizeEmail(who.email);
    columns.email = keys.hash("email", email);
    columns.email_enc = seal(keys, "user", "email_enc", userId, email);
  }
  if (who.name !== undefined) {
    columns.name = "";
    columns.name_enc = seal(keys, "user", "name_enc", userId, who.name);
  }
  return columns;
}

/** A column without its ciphertext holds the value itself: an anonymized placeholder, or a row not yet encrypted. */
export function openEmail(keys: KeyRing, userId: string, row: Pick<StoredIdentity, "email" | "email_enc">): string {
  return row.email_enc === null ? row.email : keys.decrypt(row.email_enc, aad("user", "email_enc", userId));
}

export function openName(keys: KeyRing, userId: string, row: Pick<StoredIdentity, "name" | "name_enc">): string {
  return row.name_enc === null ? row.name : keys.decrypt(row.name_enc, aad("user", "name_enc", userId));
}

export function openIdentity(keys: KeyRing, userId: string, row: StoredIdentity): {email: string; name: string} {
  return {email: openEmail(keys, userId, row), name: openName(keys, userId, row)};
}

/**
 * Encrypts the users still stored in clear: rows written before migration 0400, or restored from an older backup.
 * SQL has no keys, so the server does it when it starts. Anonymized rows hold only placeholders and are left as
 * they are. Idempotent; each row is updated only if it still holds what was read.
 */
export async function encryptPlainUsers(sql: Sql, keys: KeyRing, batch = 500): Promise<number> {
  let encrypted = 0;
  let after = "";
  for (;;) {
    const rows = await sql<{id: string; email: string; name: string}[]>`
      SELECT u.id, u.email, u.name FROM "user" u
      WHERE u.email_enc IS NULL AND u.id > ${after} AND NOT EXISTS
        (SELECT 1 FROM user_profile p WHERE p.user_id = u.id AND p.anonymized_at IS NOT NULL)
      ORDER BY u.id LIMIT ${batch}`;
    if (!rows.length) return encrypted;
    for (const row of rows) {
      const sealed = sealIdentity(keys, row.id, row);
      const updated = await sql`UPDATE "user" SET email = ${sealed.email!}, email_enc = ${sealed.email_enc!},
        name = ${sealed.name!}, name_enc = ${sealed.name_enc!}
        WHERE id = ${row.id} AND email_enc IS NULL AND email = ${row.email} RETURNING 1`.catch((error: unknown) => {
        // Two legacy rows whose addresses differ only in case or spaces: one account per address from now on.
        if ((error as {code?: string}).code === "23505") {
          throw new Error(`user ${row.id}: another account already has this address (compared normalized)`);
        }
        throw error;
      });
      encrypted += updated.length;
    }
    after = rows[rows.length - 1].id;
  }
}

/** How many stored values each key id protects, per table and column. */
export async function ciphertextsByKey(sql: Sql): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const {table, columns} of encryptedTables) {
    for (const column of columns) {
      const rows = await sql<{key_id: string; n: number}[]>`
        SELECT split_part(${sql(column)}, ':', 1) AS key_id, count(*)::int AS n
        FROM ${sql(table)} WHERE ${sql(column)} IS NOT NULL GROUP BY 1`;
      for (const r of rows) counts[r.key_id] = (counts[r.key_id] ?? 0) + r.n;
    }
  }
  return counts;
}

export interface RotationReport {
  activeKeyId: string;
  reencrypted: number;
  /** After rotation: values per key id; older ids at zero may be removed from PII_KEYS. */
  remaining: Record<string, number>;
}

/**
 * Re-encrypts, in batches, every value not under the active key. Each row is updated only if it still holds the
 * ciphertext that was read, so a concurrent write is never overwritten; the loop picks that row up again.
 */
export async function rotateKeys(sql: Sql, keys: KeyRing, batch = 500): Promise<RotationReport> {
  const prefix = `${keys.activeKeyId}:`;
  let reencrypted = 0;
  for (const {table, key, owner, columns} of encryptedTables) {
    for (const column of columns) {
      for (;;) {
        const rows = await sql<{pk: string; owner: string; value: string}[]>`
          SELECT ${sql(key)}::text AS pk, ${sql(owner)} AS owner, ${sql(column)} AS value FROM ${sql(table)}
          WHERE ${sql(column)} IS NOT NULL AND left(${sql(column)}, ${prefix.length}) <> ${prefix}
          LIMIT ${batch}`;
        if (!rows.length) break;
        for (const row of rows) {
          const where = aad(table, column, row.owner);
          const fresh = keys.encrypt(keys.decrypt(row.value, where), where);
          const updated = await sql`UPDATE ${sql(table)} SET ${sql(column)} = ${fresh}
            WHERE ${sql(key)}::text = ${row.pk} AND ${sql(column)} = ${row.value} RETURNING 1`;
          reencrypted += updated.length;
        }
      }
    }
  }
  return {activeKeyId: keys.activeKeyId, reencrypted, remaining: await ciphertextsByKey(sql)};
}
