// Rotation of the hash key (PII_HASH_KEY). Email and CPF are looked up and kept unique through keyed hashes, so
// under a new key every lookup would miss. The fingerprint of the key the hashes were made with is recorded
// (pii_hash_key, migration 0401); when it differs from the current key's, every lookup hash is recomputed from its
// ciphertext, in one transaction: all of them or none. The server does it at start (api/server.ts), and
// `npx tsx scripts/rehash.ts` on demand.
// Hashes kept only as pseudonyms (the audit log's details, consent_records.ip_hash, session IP addresses, export
// tokens) stay under the old key: the append-only tables refuse UPDATE, and no clear value is kept to hash again.
import type postgres from "postgres";
import {record} from "./audit.js";
import type {KeyRing} from "./crypto.js";
import type {Sql} from "./db.js";
import type {Logger} from "./logger.js";
import {aad, emailHash, openEmail} from "./pii.js";

/** What a restore records: hashes made with a key nobody knows. No key has it as fingerprint, so it forces a re-hash. */
export const UNKNOWN_HASH_KEY = "unknown";

/** Serializes servers starting together: one re-hashes, the others then find the new fingerprint. */
const REHASH_LOCK = 726356;

/** An HMAC of a fixed label under the hash key: tells keys apart without revealing them. */
export function hashKeyFingerprint(keys: KeyRing): string {
  return keys.mac("hash-key-fingerprint", "pii_hash_key");
}

export async function recordedHashKey(sql: Sql | postgres.TransactionSql): Promise<string | null> {
  const [row] = await sql<{fingerprint: string}[]>`SELECT fingerprint FROM pii_hash_key`;
  return row?.fingerprint ?? null;
}

async function recordHashKey(sql: Sql | postgres.TransactionSql, fingerprint: string): Promise<void> {
  await sql`INSERT INTO pii_hash_key (fingerprint) VALUES (${fingerprint})
    ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, recorded_at = now()`;
}

/** After loading rows hashed under some other installation's key (a restore): the next start re-hashes them all. */
export function forgetHashKey(sql: Sql | postgres.TransactionSql): Promise<void> {
  return recordHashKey(sql, UNKNOWN_HASH_KEY);
}

export interface RehashReport {
  /**
   * "current": the hashes were already made with this key; "recorded": no fingerprint yet (a database from before
   * migration 0401), the hashes are taken to be under this key and its fingerprint recorded; "rehashed".
   */
  outcome: "current" | "recorded" | "rehashed";
  /** Rows rewritten: "user" (email) and user_profile (email_hash, cpf_hash). */
  users: number;
  profiles: number;
}

/** A stored ciphertext the current keys cannot open; the whole re-hash was rolled back. */
export class UnreadableCiphertext extends Error {
  override name = "UnreadableCiphertext";
  constructor(
    readonly table: string,
    readonly column: string,
    readonly row: string,
    cause: unknown
  ) {
    super(
      `cannot decrypt ${table}.${column} of row ${row} (${cause instanceof Error ? cause.message : String(cause)}): ` +
        "no hash was changed; is every key it may be under in PII_KEYS?",
      {cause}
    );
  }
}

function opened<T>(table: string, column: string, row: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    throw new UnreadableCiphertext(table, column, row, error);
  }
}

export interface RehashOptions {
  logger?: Logger;
  /** Recompute even when the fingerprint matches or is missing (repairs hashes of unknown origin). */
  force?: boolean;
  batch?: number;
}

/**
 * Brings every lookup hash under the current hash key when the recorded fingerprint differs (see the top of this
 * file). Anonymized users keep their placeholders; users still stored in clear (encryptPlainUsers encrypts them)
 * keep their address, which is not a hash.
 */
export async function rehashLookups(sql: Sql, keys: KeyRing, options: RehashOptions = {}): Promise<RehashReport> {
  const {logger, force = false, batch = 500} = options;
  const fingerprint = hashKeyFingerprint(keys);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${REHASH_LOCK})`;
    const previous = await recordedHashKey(tx);
    if (!force && previous === fingerprint) return {outcome: "current", users: 0, profiles: 0};
    if (!force && previous === null) {
      await recordHashKey(tx, fingerprint);
      logger?.info({fingerprint}, "hash key: fingerprint recorded (existing hashes taken to be under this key)");
      return {outcome: "recorded", users: 0, profiles: 0};
    }
    logger?.info({previous, fingerprint}, "hash key changed: re-hashing email and CPF lookups");
    // Other servers still running with the old key would write old hashes meanwhile: they wait for the commit.
    await tx`LOCK TABLE "user", user_profile IN SHARE ROW EXCLUSIVE MODE`;
    const users = await rehashUsers(tx, keys, batch, logger);
    const profiles = await rehashProfiles(tx, keys, batch, logger);
    await recordHashKey(tx, fingerprint);
    await record(tx, {action: "pii.hash_key_rotated", detail: {previous, fingerprint, users, profiles}});
    logger?.info({users, profiles}, "hash key: lookups re-hashed");
    return {outcome: "rehashed", users, profiles};
  });
}

/** "user".email from email_enc; rows without a ciphertext hold a placeholder or an address in clear, not a hash. */
async function rehashUsers(tx: postgres.TransactionSql, keys: KeyRing, batch: number, logger?: Logger) {
  let done = 0;
  let after = "";
  for (;;) {
    const rows = await tx<{id: string; email_enc: string}[]>`
      SELECT u.id, u.email_enc FROM "user" u
      WHERE u.email_enc IS NOT NULL AND u.id > ${after} AND NOT EXISTS
        (SELECT 1 FROM user_profile p WHERE p.user_id = u.id AND p.anonymized_at IS NOT NULL)
      ORDER BY u.id LIMIT ${batch}`;
    if (!rows.length) return done;
    const hashes = rows.map((r) =>
      opened("user", "email_enc", r.id, () =>
        emailHash(keys, keys.decrypt(r.email_enc, aad("user", "email_enc", r.id)))
      )
    );
    const updated = await tx`UPDATE "user" u SET email = v.email
      FROM unnest(${tx.array(rows.map((r) => r.id))}::text[], ${tx.array(hashes)}::text[]) AS v (id, email)
      WHERE u.id = v.id RETURNING 1`;
    done += updated.length;
    after = rows[rows.length - 1].id;
    logger?.debug({table: "user", rows: done}, "hash key: re-hashing");
  }
}

interface ProfileRow {
  user_id: string;
  email_hash: string | null;
  cpf_hash: string | null;
  cpf_enc: string | null;
  /** The user's: email_hash is the hash of their address. */
  email: string;
  email_enc: string | null;
}

/** user_profile.email_hash from the user's address, cpf_hash from cpf_enc; a hash without its value stays as is. */
async function rehashProfiles(tx: postgres.TransactionSql, keys: KeyRing, batch: number, logger?: Logger) {
  let done = 0;
  let after = "";
  for (;;) {
    const rows = await tx<ProfileRow[]>`SELECT p.user_id, p.email_hash, p.cpf_hash, p.cpf_enc, u.email, u.email_enc
      FROM user_profile p JOIN "user" u ON u.id = p.user_id
      WHERE p.anonymized_at IS NULL AND (p.email_hash IS NOT NULL OR p.cpf_enc IS NOT NULL) AND p.user_id > ${after}
      ORDER BY p.user_id LIMIT ${batch}`;
    if (!rows.length) return done;
    const emails = rows.map((r) =>
      r.email_hash === null
        ? null
        : opened("user", "email_enc", r.user_id, () => emailHash(keys, openEmail(keys, r.user_id, r)))
    );
    const cpfs = rows.map((r) =>
      r.cpf_enc === null
        ? r.cpf_hash
        : opened("user_profile", "cpf_enc", r.user_id, () =>
            keys.hash("cpf", keys.decrypt(r.cpf_enc!, aad("user_profile", "cpf_enc", r.user_id)))
          )
    );
    const updated = await tx`UPDATE user_profile p SET email_hash = v.email_hash, cpf_hash = v.cpf_hash
      FROM unnest(${tx.array(rows.map((r) => r.user_id))}::text[], ${tx.array(emails)}::text[],
        ${tx.array(cpfs)}::text[]) AS v (user_id, email_hash, cpf_hash)
      WHERE p.user_id = v.user_id RETURNING 1`;
    done += updated.length;
    after = rows[rows.length - 1].user_id;
    logger?.debug({table: "user_profile", rows: done}, "hash key: re-hashing");
  }
}
