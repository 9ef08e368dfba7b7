// The operations side of the server, composed in one place: the job worker with its handlers (backups, the
// erasure journal), the schedules it polls, and who is told when a job fails for good (every administrator).
import type {Json} from "./audit.js";
import {runBackup, type Manifest} from "./backup.js";
import type {OperationsConfig} from "./backup-config.js";
import {loadBackupKeys, type BackupKeys} from "./backup-crypto.js";
import {storageFromConfig, type BackupStorage} from "./backup-storage.js";
import {ERASURE_JOB, erasureJournalHandler} from "./erasure-journal.js";
import {createWorker, type Worker} from "./job-worker.js";
import {enqueueOnce, type Job} from "./jobs.js";
import {notify} from "./notifications.js";
import {enqueueDueSchedules} from "./schedules.js";
import type {Services} from "./services.js";

export const BACKUP_JOB = "backup";
/** Attempts of a backup before it fails for good and administrators are told (backoff: 30 s, 1, 2, 4 min). */
export const BACKUP_ATTEMPTS = 5;

export type OperationsDeps = Pick<Services, "sql" | "keys" | "mailer" | "clock" | "logger" | "publicUrl"> & {
  config: OperationsConfig & {GRAFENO_DATA_DIR: string};
  /** Embedded mode may generate a development backup key under <data>/local. */
  embedded: boolean;
};

export interface Operations {
  worker: Worker;
  storage(): Promise<BackupStorage>;
  keys(): Promise<BackupKeys>;
  /** Queues a backup now (or returns the one already queued or running). */
  requestBackup(): Promise<Job>;
  start(): void;
  stop(): Promise<void>;
}

export function backupSummary(manifest: Manifest): {[key: string]: Json} {
  return {
    backup: manifest.id,
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
    bytes: manifest.tables.reduce((n, t) => n + t.bytes, 0)
  };
}

/** Tells every active administrator, in the app and by email, that a job failed for good. */
export async function notifyJobFailure(deps: Omit<OperationsDeps, "config" | "embedded">, job: Job): Promise<void> {
  const admins = await deps.sql<{id: string}[]>`SELECT id FROM "user"
    WHERE role = 'admin' AND NOT coalesce(banned, false) ORDER BY id`;
  const what = job.kind === BACKUP_JOB ? "The backup" : `The job "${job.kind}"`;
  const consequence =
    job.kind === ERASURE_JOB
      ? " Until it succeeds, a restore of an older backup would not re-apply this erasure."
      : job.kind === BACKUP_JOB
        ? " No new backup was made; check the backup storage."
        : "";
  for (const {id} of admins) {
    await notify(deps, {
      userId: id,
      kind: "job.failed",
      title: job.kind === BACKUP_JOB ? "Backup failed" : `Job failed: ${job.kind}`,
      body:
        `${what} (job ${job.id}) failed after ${job.attempts} attempts: ${(job.lastError ?? "").slice(0, 500)}.` +
        `${consequence} Once the cause is fixed, retry it (POST /api/jobs/${job.id}/retry).`,
      email: true
    });
  }
}

export function createOperations(deps: OperationsDeps): Operations {
  const {sql, clock, logger, config} = deps;
  let storage: Promise<BackupStorage> | undefined;
  let keys: Promise<BackupKeys> | undefined;
  // Resolved on first use and kept once they work; a missing key fails the job (visibly), not the server start.
  const getStorage = () =>
    (storage ??= storageFromConfig(config).catch((error) => {
      storage = undefined;
      throw error;
    }));
  const getKeys = () =>
    (keys ??= loadBackupKeys(config, {
      embedded: deps.embedded,
      dataDir: config.GRAFENO_DATA_DIR,
      logger,
      create: true
    }).catch((error) => {
      keys = undefined;
      throw error;
    }));
  const worker = createWorker({
    sql,
    clock,
    logger: logger.child({component: "jobs"}),
    pollMs: config.JOBS_POLL_MS,
    handlers: {
      [BACKUP_JOB]: async (_payload, {signal, logger: log}) => {
        const [s, k] = await Promise.all([getStorage(), getKeys()]);
        const manifest = await runBackup(
          {sql, storage: s, keys: k, clock, logger: log, retain: config.BACKUP_RETAIN},
          {signal}
        );
        return backupSummary(manifest);
      },
      [ERASURE_JOB]: erasureJournalHandler(async () => ({storage: await getStorage(), keys: await getKeys()}))
    },
    onFailed: (job) => notifyJobFailure(deps, job),
    onPoll: (now) => enqueueDueSchedules(sql, now, {logger, maxAttempts: {[BACKUP_JOB]: BACKUP_ATTEMPTS}})
  });
  return {
    worker,
    storage: getStorage,
    keys: getKeys,
    async requestBackup() {
      const job = await enqueueOnce(sql, {kind: BACKUP_JOB, maxAttempts: BACKUP_ATTEMPTS}, clock);
      worker.wake();
      return job;
    },
    start: () => worker.start(),
    stop: () => worker.stop()
  };
}
