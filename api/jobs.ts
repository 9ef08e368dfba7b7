// Durable jobs in Postgres (migrations/0200_jobs.sql). A worker claims one due job at a time with FOR UPDATE SKIP
// LOCKED in a single statement, so no transaction stays open while the job runs (the embedded pool has one
// connection), and holds it under a lock that expires: a job whose worker died is queued again once the lock has
// expired. A failed attempt is retried after an exponential backoff; after the last one the job stays 'failed'.
import {randomBytes} from "node:crypto";
import {hostname} from "node:os";
import type postgres from "postgres";
import type {Json} from "./audit.js";
import type {Sql} from "./db.js";
import type {Logger} from "./logger.js";
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

async function settle(sql: Sql, job: Job, workerId: string, set: postgres.PendingQuery<postgres.Row[]>) {
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

export interface JobContext {
  job: Job;
  /** Aborted when the worker stops: stop at the next safe point; the job is queued again, the attempt not counted. */
  signal: AbortSignal;
  logger?: Logger;
}

export type JobHandler = (payload: Payload, context: JobContext) => Promise<Json | void>;

export interface WorkerOptions {
  sql: Sql;
  handlers: Record<string, JobHandler>;
  clock?: Clock;
  pollMs?: number;
  /** How long a claim lasts without renewal; renewed every third of it while the job runs. */
  lockMs?: number;
  backoff?: {baseMs: number; maxMs: number};
  logger?: Logger;
  workerId?: string;
  /** Called once when a job has failed for good (last attempt, or lock lost on the last attempt). */
  onFailed?: (job: Job) => Promise<void> | void;
  /** Called at each poll before claiming (schedules enqueue their due jobs here). */
  onPoll?: (now: Date) => Promise<unknown>;
  /** How long stop() waits for a running job to notice the abort. */
  stopGraceMs?: number;
}

export interface Worker {
  readonly id: string;
  /** One poll: requeue expired locks, run onPoll, claim and run one due job; the job as it ended, or null. */
  tick(): Promise<Job | null>;
  start(): void;
  /** Poll now rather than after the current wait (a job was just queued). */
  wake(): void;
  stop(): Promise<void>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

export function createWorker(options: WorkerOptions): Worker {
  const {sql, handlers, clock = systemClock, pollMs = 5000, lockMs = 10 * 60_000, logger} = options;
  const backoff = options.backoff ?? {baseMs: 30_000, maxMs: 3_600_000};
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const kinds = Object.keys(handlers);
  let stopped = false;
  let loop: Promise<void> | undefined;
  let current: AbortController | undefined;
  let woken = false;
  let wakeUp: (() => void) | undefined;

  const failedForGood = async (job: Job) => {
    logger?.error({job: job.id, kind: job.kind, attempts: job.attempts, error: job.lastError}, "job failed for good");
    try {
      await options.onFailed?.(job);
    } catch (error) {
      logger?.error({err: error, job: job.id}, "job failure handler failed");
    }
  };

  const run = async (job: Job): Promise<Job | null> => {
    const controller = new AbortController();
    current = controller;
    const renew = setInterval(() => {
      const until = new Date(clock.now().getTime() + lockMs);
      sql`UPDATE jobs SET locked_until = ${until} WHERE id = ${job.id} AND locked_by = ${id}`.catch(() => {});
    }, lockMs / 3);
    renew.unref();
    const log = logger?.child({job: job.id, kind: job.kind, attempt: job.attempts});
    log?.info("job started");
    try {
      const result = await handlers[job.kind](job.payload, {job, signal: controller.signal, logger: log});
      const now = clock.now();
      const done = await settle(
        sql,
        job,
        id,
        sql`status = 'succeeded', result = ${sql.json(result ?? null)},
        finished_at = ${now}, updated_at = ${now}`
      );
      log?.info("job succeeded");
      return done;
    } catch (error) {
      const now = clock.now();
      if (controller.signal.aborted) {
        log?.warn("job interrupted by shutdown: queued again");
        return settle(
          sql,
          job,
          id,
          sql`status = 'queued', attempts = attempts - 1, run_at = ${now}, updated_at = ${now}`
        );
      }
      const final = job.attempts >= job.maxAttempts;
      const retryAt = new Date(now.getTime() + backoffMs(job.attempts, backoff));
      log?.warn({err: error, final, retryAt: final ? undefined : retryAt}, "job attempt failed");
      const ended = await settle(
        sql,
        job,
        id,
        final
          ? sql`status = 'failed', last_error = ${message(error)}, finished_at = ${now}, updated_at = ${now}`
          : sql`status = 'queued', last_error = ${message(error)}, run_at = ${retryAt}, updated_at = ${now}`
      );
      if (ended?.status === "failed") await failedForGood(ended);
      return ended;
    } finally {
      clearInterval(renew);
      current = undefined;
    }
  };

  const tick = async (): Promise<Job | null> => {
    const now = clock.now();
    for (const lost of await requeueExpired(sql, now)) {
      logger?.warn({job: lost.id, kind: lost.kind, status: lost.status}, "job lock expired");
      if (lost.status === "failed") await failedForGood(lost);
    }
    await options.onPoll?.(now);
    const job = await claimNext(sql, {kinds, workerId: id, now, lockMs});
    return job ? run(job) : null;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wakeUp = undefined;
      woken = false;
    });

  return {
    id,
    tick,
    start() {
      loop ??= (async () => {
        while (!stopped) {
          let ran: Job | null = null;
          try {
            ran = await tick();
          } catch (error) {
            if (!stopped) logger?.error({err: error}, "job worker poll failed");
          }
          if (!ran) await sleep(pollMs);
        }
      })();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      current?.abort();
      wakeUp?.();
      if (!loop) return;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.stopGraceMs ?? 5000)));
      await Promise.race([loop, grace]);
      clearTimeout(timer);
    }
  };
}

export function startWorker(options: WorkerOptions): Worker {
  const worker = createWorker(options);
  worker.start();
  return worker;
}
