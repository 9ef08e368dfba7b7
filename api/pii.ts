// Where personal data is stored encrypted, how each value is bound to its place (the AAD: table, column, owner),
// and key rotation: re-encrypting every value still under an older key with the active one.
import type {KeyRing} from "./crypto.js";
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
