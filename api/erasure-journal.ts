// The erasure journal: one encrypted record per anonymized user (user id, time) in the backup storage, under
// erasures/<time>-<id>.json.enc, written by a job the anonymizing transaction itself queues (migrations/0201). It
// lives outside the database, so after a restore of an older backup every later erasure is applied again: a
// restore never brings a deleted person back.
import {createHmac} from "node:crypto";
import {backupId} from "./backup.js";
import {BackupIntegrityError, decryptBytes, encryptBytes, type BackupKeys} from "./backup-crypto.js";
import {getBytes, type BackupStorage} from "./backup-storage.js";
import type {Sql} from "./db.js";
import {eraseUser, LastAdministrator} from "./erasure.js";
import type {JobHandler} from "./job-worker.js";
import {createLogger, type Logger} from "./logger.js";
import type {Clock} from "./services.js";

export const ERASURE_JOB = "erasure.journal";
const PREFIX = "erasures/";
const FORMAT = "grafeno-erasure/1";
/**
 * Records this much older than a backup's start are re-applied too: an erasure's time is taken before its
 * transaction commits, so one stamped just before the backup began may still be missing from its snapshot.
 */
export const ERASURE_MARGIN_MS = 24 * 3_600_000;

export interface ErasureRecord {
  userId: string;
  at: string;
}

/** Writes the record; its name is derived from the user and time, so writing it twice (a retry) changes nothing. */
export async function writeErasure(storage: BackupStorage, keys: BackupKeys, record: ErasureRecord): Promise<string> {
  const at = new Date(record.at);
  if (!record.userId || Number.isNaN(at.getTime())) throw new Error("an erasure record needs a user id and a time");
  const id = createHmac("sha256", keys.key(keys.activeId))
    .update(`erasure\0${record.userId}\0${at.toISOString()}`)
    .digest("hex")
    .slice(0, 20);
  const object = `${PREFIX}${backupId(at)}-${id}.json.enc`;
  const body = JSON.stringify({format: FORMAT, userId: record.userId, at: at.toISOString()});
  await storage.putBytes(object, await encryptBytes(keys, object, Buffer.from(body, "utf8")));
  return object;
}

/** The job that journals an erasure queued by the anonymizing transaction. */
export function erasureJournalHandler(resolve: () => Promise<{storage: BackupStorage; keys: BackupKeys}>): JobHandler {
  return async (payload) => {
    const {storage, keys} = await resolve();
    const object = await writeErasure(storage, keys, {userId: String(payload.userId), at: String(payload.at)});
    return {object};
  };
}

/** Every record stamped at or after `since` minus the margin, oldest first, each authenticated. */
export async function readErasures(
  storage: BackupStorage,
  keys: BackupKeys,
  since: Date
): Promise<(ErasureRecord & {object: string})[]> {
  const from = `${PREFIX}${backupId(new Date(since.getTime() - ERASURE_MARGIN_MS))}`;
  const objects = (await storage.list(PREFIX)).filter((o) => o.key >= from);
  const records: (ErasureRecord & {object: string})[] = [];
  for (const {key} of objects) {
    const body = JSON.parse((await decryptBytes(keys, key, await getBytes(storage, key))).toString("utf8"));
    if (body.format !== FORMAT || typeof body.userId !== "string") {
      throw new BackupIntegrityError(`${key}: not an erasure record`);
    }
    records.push({object: key, userId: body.userId, at: body.at});
  }
  return records;
}

export interface ErasureReport {
  /** Users anonymized again (they were in the backup, not yet erased there). */
  applied: string[];
  alreadyErased: number;
  /** Records for users the backup does not hold (created after it). */
  absent: number;
}

/**
 * Applies the records to a restored database, through the same anonymization as a deletion request, without
 * emailing the person again. An erased administrator who would be the last one is demoted first: the erasure wins.
 */
export async function reapplyErasures(
  deps: {sql: Sql; clock: Clock; logger?: Logger},
  records: ErasureRecord[]
): Promise<ErasureReport> {
  const {sql, clock} = deps;
  const logger = deps.logger ?? createLogger("silent");
  const report: ErasureReport = {applied: [], alreadyErased: 0, absent: 0};
  for (const {userId} of records) {
    const [user] = await sql`SELECT 1 FROM "user" WHERE id = ${userId}`;
    if (!user) {
      report.absent++;
      continue;
    }
    let done: boolean;
    try {
      done = (await eraseUser({sql, clock}, userId, "system:restore")) !== null;
    } catch (error) {
      if (!(error instanceof LastAdministrator)) throw error;
      await sql`UPDATE "user" SET role = 'client' WHERE id = ${userId}`;
      logger.warn({userId}, "restore: an erased administrator was the only one; create a new administrator");
      done = (await eraseUser({sql, clock}, userId, "system:restore")) !== null;
    }
    if (done) report.applied.push(userId);
    else report.alreadyErased++;
  }
  return report;
}
