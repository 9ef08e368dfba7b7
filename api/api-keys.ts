// API keys for machine clients: "gk_" + 32 random bytes, stored as a SHA-256 (a key has full entropy, so a slow
// password hash would add nothing), looked up by hash, revocable.
import {createHash, randomBytes, randomUUID} from "node:crypto";
import type {Sql} from "./db.js";

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createApiKey(sql: Sql, name: string, createdBy: string): Promise<{key: string; row: ApiKeyRow}> {
  const key = `gk_${randomBytes(32).toString("base64url")}`;
  const [row] = await sql<ApiKeyRow[]>`
    INSERT INTO api_key (id, name, prefix, key_hash, created_by)
    VALUES (${randomUUID()}, ${name}, ${key.slice(0, 10)}, ${hash(key)}, ${createdBy})
    RETURNING id, name, prefix, created_by, created_at, last_used_at, revoked_at`;
  return {key, row};
}

/** The key's row when it is valid and not revoked; marks it used. */
export async function verifyApiKey(sql: Sql, key: string, now: Date): Promise<ApiKeyRow | null> {
  if (!/^gk_[\w-]{43}$/.test(key)) return null;
  const [row] = await sql<ApiKeyRow[]>`
    UPDATE api_key SET last_used_at = ${now} WHERE key_hash = ${hash(key)} AND revoked_at IS NULL
    RETURNING id, name, prefix, created_by, created_at, last_used_at, revoked_at`;
  return row ?? null;
}

export async function listApiKeys(sql: Sql): Promise<ApiKeyRow[]> {
  return sql<
    ApiKeyRow[]
  >`SELECT id, name, prefix, created_by, created_at, last_used_at, revoked_at FROM api_key ORDER BY created_at DESC`;
}

export async function revokeApiKey(sql: Sql, id: string, now: Date): Promise<boolean> {
  const rows = await sql`UPDATE api_key SET revoked_at = ${now} WHERE id = ${id} AND revoked_at IS NULL RETURNING id`;
  return rows.length === 1;
}
