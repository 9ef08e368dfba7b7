// Durable jobs in Postgres (migrations/0200_jobs.sql): queue, claim, expired locks, listing and manual retry.
// A claim is one statement with FOR UPDATE SKIP LOCKED, so no transaction stays open while the job runs (the
// embedded pool has one connection); it holds the job under a lock that expires, so a job whose worker died is
// queued again once its lock has expired. The worker that runs them is api/job-worker.ts.
import type postgres from "postgres";
import type {Json} from "./audit.js";
import type {Sql} from "./db.js";
import {systemClock, type Clock} from "./services.js";

export const jobStatuses = ["queued", "running", "succeeded", "failed"] as const;
export type JobStatus = (typeof jobStatuses)[number];
export type Payload = {[key: string]: Json};

export interface Job {
  id: number;
  kind: string;
  payload: Payload;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedUntil: string | null;
  lockedBy: string | null;
  lastError: string | null;
  result: Json | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

type Db = Sql | postgres.TransactionSql;

const columns = (sql: Db) =>
  sql`id::text AS id, kind, payload, status, attempts, max_attempts, run_at, locked_until, locked_by, last_error,
      result, created_at, updated_at, finished_at`;

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);

function fromDb(r: Record<string, unknown>): Job {
  return {
    id: Number(r.id),
    kind: r.kind as string,
    payload: r.payload as Payload,
    status: r.status as JobStatus,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    runAt: iso(r.run_at)!,
    lockedUntil: iso(r.locked_until),
    lockedBy: r.locked_by as string | null,
    lastError: r.last_error as string | null,
    result: (r.result ?? null) as Json | null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    finishedAt: iso(r.finished_at)
  };
}

export interface NewJob {
  kind: string;
  payload?: Payload;
  runAt?: Date;
  maxAttempts?: number;
}

export async function enqueue(sql: Db, job: NewJob, clock: Clock = systemClock): Promise<Job> {
  const now = clock.now();
  const [row] = await sql`INSERT INTO jobs (kind, payload, max_attempts, run_at, created_at, updated_at)
    VALUES (${job.kind}, ${sql.json(job.payload ?? {})}, ${job.maxAttempts ?? 5}, ${job.runAt ?? now}, ${now}, ${now})
    RETURNING ${columns(sql)}`;
  return fromDb(row);
}

/** Inside a transaction: the kind's queued or running job if there is one, else a new one (never two). */
export async function enqueueOnceIn(tx: postgres.TransactionSql, job: NewJob, clock: Clock): Promise<Job> {
  await tx`SELECT pg_advisory_xact_lock(726356, hashtext(${job.kind}))`;
  const [active] = await tx`SELECT ${columns(tx)} FROM jobs WHERE kind = ${job.kind}
    AND status IN ('queued', 'running') ORDER BY id LIMIT 1`;
  return active ? fromDb(active) : enqueue(tx, job, clock);
}

export function enqueueOnce(sql: Sql, job: NewJob, clock: Clock = systemClock): Promise<Job> {
  return sql.begin((tx) => enqueueOnceIn(tx, job, clock)) as Promise<Job>;
}

export function backoffMs(attempt: number, {baseMs, maxMs}: {baseMs: number; maxMs: number}): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Claims the oldest due job of these kinds for `workerId` until now + lockMs; null when none is due. */
export async function claimNext(
  sql: Sql,
  {kinds, workerId, now, lockMs}: {kinds: string[]; workerId: string; now: Date; lockMs: number}
): Promise<Job | null> {
  if (!kinds.length) return null;
  const [row] = await sql`UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ${workerId},
      locked_until = ${new Date(now.getTime() + lockMs)}, updated_at = ${now}
    WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= ${now} AND kind IN ${sql(kinds)}
                ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING ${columns(sql)}`;
  return row ? fromDb(row) : null;
}

/** Jobs whose worker stopped renewing its lock: queued again, or failed when that was their last attempt. */
export async function requeueExpired(sql: Sql, now: Date): Promise<Job[]> {
  const rows = await sql`UPDATE jobs SET
      status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
      finished_at = CASE WHEN attempts >= max_attempts THEN ${now}::timestamptz END,
      last_error = 'lock expired: the worker ' || coalesce(locked_by, '?') || ' stopped before finishing',
      locked_by = NULL, locked_until = NULL, run_at = ${now}, updated_at = ${now}
    WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND locked_until < ${now} FOR UPDATE SKIP LOCKED)
    RETURNING ${columns(sql)}`;
  return rows.map(fromDb);
}

/** Ends the worker's claim on a job with `set`; null when the claim was lost (its lock expired, another took it). */
export async function settle(
  sql: Sql,
  job: Job,
  workerId: string,
  set: postgres.PendingQuery<postgres.Row[]>
): Promise<Job | null> {
  const [row] = await sql`UPDATE jobs SET ${set}, locked_by = NULL, locked_until = NULL
    WHERE id = ${job.id} AND status = 'running' AND locked_by = ${workerId} RETURNING ${columns(sql)}`;
  return row ? fromDb(row) : null;
}

export async function listJobs(
  sql: Sql,
  q: {status?: JobStatus; kind?: string; page?: number; pageSize?: number} = {}
): Promise<{jobs: Job[]; total: number}> {
  const pageSize = q.pageSize ?? 50;
  const where = sql`WHERE true ${q.status ? sql`AND status = ${q.status}` : sql``}
    ${q.kind ? sql`AND kind = ${q.kind}` : sql``}`;
  const [{total}] = await sql<{total: number}[]>`SELECT count(*)::int AS total FROM jobs ${where}`;
  const rows = await sql`SELECT ${columns(sql)} FROM jobs ${where}
    ORDER BY id DESC LIMIT ${pageSize} OFFSET ${((q.page ?? 1) - 1) * pageSize}`;
  return {jobs: rows.map(fromDb), total};
}

/** A failed job, queued again with a fresh set of attempts; the reason when it cannot be. */
export async function retryJob(sql: Sql, id: number, now: Date): Promise<Job | "not_found" | "not_failed"> {
  const [row] = await sql`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ${now}, updated_at = ${now},
      finished_at = NULL WHERE id = ${id} AND status = 'failed' RETURNING ${columns(sql)}`;
  if (row) return fromDb(row);
  const [exists] = await sql`SELECT 1 FROM jobs WHERE id = ${id}`;
  return exists ? "not_failed" : "not_found";
}
