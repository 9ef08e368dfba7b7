// The audit log: who did what to whose data, append-only and hash-chained (see migrations/0003_audit.sql).
// Writers are serialized by an advisory lock held to the end of their transaction, so the chain never forks,
// and an entry commits or rolls back with the act it records.
import {createHash} from "node:crypto";
import type postgres from "postgres";
import type {Sql} from "./db.js";

export type Json = string | number | boolean | null | Json[] | {[key: string]: Json};

export interface AuditEntry {
  action: string;
  /** The user who acted; null for the system or an anonymous caller. */
  actorId?: string | null;
  /** The user whose data the act concerns. */
  subjectId?: string | null;
  /** Never personal data in clear: ids, field names, counts, keyed hashes. */
  detail?: {[key: string]: Json};
  at?: Date;
}

export interface AuditRow {
  id: number;
  at: string;
  actorId: string | null;
  action: string;
  subjectId: string | null;
  detail: {[key: string]: Json};
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = "0".repeat(64);
const AUDIT_LOCK = 726355;

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function rowHash(prevHash: string, row: Omit<AuditRow, "prevHash" | "hash">): string {
  const entry = {
    id: String(row.id),
    at: row.at,
    actor: row.actorId,
    action: row.action,
    subject: row.subjectId,
    detail: row.detail
  };
  return createHash("sha256")
    .update(prevHash + canonicalJson(entry))
    .digest("hex");
}

/** Appends an entry inside the caller's transaction (the lock lasts until it commits). */
export async function record(tx: postgres.TransactionSql, entry: AuditEntry): Promise<AuditRow> {
  await tx`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`;
  const [last] = await tx<{hash: string}[]>`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`;
  const [{id}] = await tx<{id: string}[]>`SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))::text AS id`;
  const row = {
    id: Number(id),
    at: (entry.at ?? new Date()).toISOString(),
    actorId: entry.actorId ?? null,
    action: entry.action,
    subjectId: entry.subjectId ?? null,
    detail: entry.detail ?? {}
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = rowHash(prevHash, row);
  await tx`INSERT INTO audit_log (id, at, actor_id, action, subject_id, detail, prev_hash, hash)
    VALUES (${id}, ${row.at}, ${row.actorId}, ${row.action}, ${row.subjectId}, ${tx.json(row.detail)},
            ${prevHash}, ${hash})`;
  return {...row, prevHash, hash};
}

/** Records an entry in a transaction of its own, for acts that have no transaction to join. */
export function audit(sql: Sql, entry: AuditEntry): Promise<AuditRow> {
  return sql.begin((tx) => record(tx, entry)) as Promise<AuditRow>;
}

const columns = (sql: Sql) => sql`id::text AS id, at, actor_id, action, subject_id, detail, prev_hash, hash`;

function fromDb(r: Record<string, unknown>): AuditRow {
  return {
    id: Number(r.id),
    at: (r.at as Date).toISOString(),
    actorId: r.actor_id as string | null,
    action: r.action as string,
    subjectId: r.subject_id as string | null,
    detail: r.detail as AuditRow["detail"],
    prevHash: r.prev_hash as string,
    hash: r.hash as string
  };
}

export interface ChainReport {
  ok: boolean;
  /** Rows checked (up to and including the broken one). */
  checked: number;
  lastHash: string;
  broken?: {id: number; reason: "hash" | "prev_hash"; expected: string; found: string};
}

/** Walks the chain from the first row; reports the first row whose link or content does not match. */
export async function verifyChain(sql: Sql, batch = 1000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let after = "0";
  let checked = 0;
  for (;;) {
    const rows = (
      await sql`SELECT ${columns(sql)} FROM audit_log WHERE audit_log.id > ${after} ORDER BY audit_log.id LIMIT ${batch}`
    ).map(fromDb);
    for (const row of rows) {
      checked++;
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          lastHash: prevHash,
          broken: {id: row.id, reason: "prev_hash", expected: prevHash, found: row.prevHash}
        };
      }
      const hash = rowHash(prevHash, row);
      if (hash !== row.hash) {
        return {
          ok: false,
          checked,
          lastHash: prevHash,
          broken: {id: row.id, reason: "hash", expected: hash, found: row.hash}
        };
      }
      prevHash = row.hash;
    }
    if (rows.length < batch) return {ok: true, checked, lastHash: prevHash};
    after = String(rows[rows.length - 1].id);
  }
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  subjectId?: string;
  /** Entries where the user is the actor or the subject. */
  involving?: string;
  page?: number;
  pageSize?: number;
}

export async function listAudit(sql: Sql, q: AuditQuery = {}): Promise<{entries: AuditRow[]; total: number}> {
  const pageSize = q.pageSize ?? 50;
  const where = sql`WHERE true
    ${q.action ? sql`AND action = ${q.action}` : sql``}
    ${q.actorId ? sql`AND actor_id = ${q.actorId}` : sql``}
    ${q.subjectId ? sql`AND subject_id = ${q.subjectId}` : sql``}
    ${q.involving ? sql`AND (actor_id = ${q.involving} OR subject_id = ${q.involving})` : sql``}`;
  const [{total}] = await sql<{total: number}[]>`SELECT count(*)::int AS total FROM audit_log ${where}`;
  const rows = await sql`SELECT ${columns(sql)} FROM audit_log ${where}
    ORDER BY audit_log.id DESC LIMIT ${pageSize} OFFSET ${((q.page ?? 1) - 1) * pageSize}`;
  return {entries: rows.map(fromDb), total};
}
