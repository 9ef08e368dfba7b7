// The job worker: polls for due jobs (and schedules), runs one at a time, renews its lock while it runs, retries
// a failed attempt after an exponential backoff and, after the last one, leaves the job 'failed' and reports it.
// On stop it aborts the running job, which goes back to the queue without the attempt being counted.
import {randomBytes} from "node:crypto";
import {hostname} from "node:os";
import type {Json} from "./audit.js";
import type {Sql} from "./db.js";
import {backoffMs, claimNext, requeueExpired, settle, type Job, type Payload} from "./jobs.js";
import type {Logger} from "./logger.js";
import {systemClock, type Clock} from "./services.js";

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
        // The first poll waits one interval (or a wake): the server finishes starting before background work
        // competes for the database (the embedded one has a single connection).
        await sleep(pollMs);
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
