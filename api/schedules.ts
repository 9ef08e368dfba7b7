// Recurring jobs: "every N hours at HH:MM" (UTC). Runs fall on HH:MM and every N hours from there (N = 24: daily
// at HH:MM; N = 6 at 02:00: 02:00, 08:00, 14:00, 20:00). The worker calls enqueueDueSchedules at each poll.
import type {Json} from "./audit.js";
import type {Sql} from "./db.js";
import {enqueueOnceIn, type Job} from "./jobs.js";
import type {Logger} from "./logger.js";
import type {Clock} from "./services.js";

export interface Schedule {
  kind: string;
  enabled: boolean;
  everyHours: number;
  /** HH:MM, UTC. */
  at: string;
  nextRun: string | null;
  lastRun: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

export interface ScheduleChange {
  enabled: boolean;
  everyHours: number;
  at: string;
}

export const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** The first run strictly after `now`: HH:MM UTC on 1970-01-01 plus a whole number of periods. */
export function nextRunAfter(now: Date, everyHours: number, at: string): Date {
  if (!HHMM.test(at)) throw new Error(`"${at}" is not HH:MM`);
  const [hours, minutes] = at.split(":").map(Number);
  const anchor = Date.UTC(1970, 0, 1, hours, minutes);
  const period = everyHours * 3_600_000;
  const periods = Math.floor((now.getTime() - anchor) / period) + 1;
  return new Date(anchor + periods * period);
}

function fromDb(r: Record<string, unknown>): Schedule {
  const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);
  return {
    kind: r.kind as string,
    enabled: r.enabled as boolean,
    everyHours: r.every_hours as number,
    at: r.at_time as string,
    nextRun: iso(r.next_run),
    lastRun: iso(r.last_run),
    updatedAt: iso(r.updated_at)!,
    updatedBy: r.updated_by as string | null
  };
}

export async function getSchedule(sql: Sql, kind: string): Promise<Schedule | null> {
  const [row] = await sql`SELECT * FROM schedules WHERE kind = ${kind}`;
  return row ? fromDb(row) : null;
}

export async function setSchedule(
  sql: Sql,
  kind: string,
  change: ScheduleChange,
  {actorId, now}: {actorId: string | null; now: Date}
): Promise<Schedule> {
  const next = change.enabled ? nextRunAfter(now, change.everyHours, change.at) : null;
  const [row] = await sql`INSERT INTO schedules (kind, enabled, every_hours, at_time, next_run, updated_at, updated_by)
    VALUES (${kind}, ${change.enabled}, ${change.everyHours}, ${change.at}, ${next}, ${now}, ${actorId})
    ON CONFLICT (kind) DO UPDATE SET enabled = excluded.enabled, every_hours = excluded.every_hours,
      at_time = excluded.at_time, next_run = excluded.next_run, updated_at = excluded.updated_at,
      updated_by = excluded.updated_by
    RETURNING *`;
  return fromDb(row);
}

/** Queues a job for every enabled schedule whose time has come (none while one of its kind is still pending). */
export async function enqueueDueSchedules(
  sql: Sql,
  now: Date,
  {logger, maxAttempts}: {logger?: Logger; maxAttempts?: Record<string, number>} = {}
): Promise<Job[]> {
  const [due] = await sql`SELECT 1 FROM schedules WHERE enabled AND next_run <= ${now} LIMIT 1`;
  if (!due) return [];
  const clock: Clock = {now: () => now};
  const queued = (await sql.begin(async (tx) => {
    const due = await tx`SELECT kind, payload, every_hours, at_time FROM schedules
      WHERE enabled AND next_run <= ${now} ORDER BY kind FOR UPDATE SKIP LOCKED`;
    const jobs: Job[] = [];
    for (const s of due) {
      const kind = s.kind as string;
      jobs.push(
        await enqueueOnceIn(
          tx,
          {kind, payload: s.payload as {[key: string]: Json}, maxAttempts: maxAttempts?.[kind]},
          clock
        )
      );
      await tx`UPDATE schedules SET last_run = ${now},
        next_run = ${nextRunAfter(now, s.every_hours as number, s.at_time as string)} WHERE kind = ${kind}`;
    }
    return jobs;
  })) as Job[];
  for (const job of queued) logger?.info({job: job.id, kind: job.kind}, "scheduled job queued");
  return queued;
}
