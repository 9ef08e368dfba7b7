// /api/backups: backups for administrators: the backups in the storage (complete only when their manifest is
// there), a backup now, and the schedule ("every N hours at HH:MM" UTC).
import {createRoute, z} from "@hono/zod-openapi";
import {requireRole, requireSession, requireTerms, type SessionEnv} from "../access.js";
import {audit} from "../audit.js";
import {listBackups} from "../backup.js";
import {BACKUP_JOB, type Operations} from "../operations.js";
import {body, ErrorSchema, forbidden, invalid, json, router, signedIn, unauthenticated} from "../openapi.js";
import {getSchedule, HHMM, setSchedule} from "../schedules.js";
import type {Services} from "../services.js";
import {JobSchema} from "./jobs.js";

export const BackupSchema = z
  .object({
    id: z.string().openapi({example: "20250101T030000.000Z"}),
    complete: z.boolean().openapi({description: "False for an interrupted backup (no manifest): never restored"}),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    objects: z.number().int(),
    bytes: z.number().int(),
    rows: z.number().int().nullable(),
    keyId: z.string().nullable()
  })
  .openapi("Backup");

export const ScheduleSchema = z
  .object({
    kind: z.string(),
    enabled: z.boolean(),
    everyHours: z.number().int(),
    at: z.string().openapi({description: "HH:MM, UTC", example: "03:00"}),
    nextRun: z.string().nullable(),
    lastRun: z.string().nullable(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable()
  })
  .openapi("Schedule");

const ScheduleChange = z
  .strictObject({
    enabled: z.boolean(),
    everyHours: z.number().int().min(1).max(8760),
    at: z.string().regex(HHMM, "must be HH:MM (UTC), 00:00 to 23:59")
  })
  .openapi("ScheduleChange");

const unavailable = {503: json(ErrorSchema, "The backup storage cannot be reached")};

export function backupRoutes({sql, auth, clock}: Services, operations: Operations) {
  const app = router<SessionEnv>();
  app.use("*", requireSession(auth), requireRole("admin"), requireTerms(sql));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["backups"],
      summary: "Backups in the storage, newest first (administrators)",
      ...signedIn,
      responses: {
        200: json(z.object({storage: z.string(), backups: z.array(BackupSchema)}), "Backups"),
        ...unauthenticated,
        ...forbidden,
        ...unavailable
      }
    }),
    async (c) => {
      try {
        const storage = await operations.storage();
        return c.json({storage: storage.description, backups: await listBackups(storage)}, 200);
      } catch (error) {
        c.get("log")?.warn({err: error}, "backup storage unavailable");
        return c.json({error: "storage_unavailable", message: (error as Error).message}, 503);
      }
    }
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["backups"],
      summary: "Take a backup now: queues the job (or returns the one already queued or running)",
      ...signedIn,
      responses: {202: json(z.object({job: JobSchema}), "Queued"), ...unauthenticated, ...forbidden}
    }),
    async (c) => {
      const job = await operations.requestBackup();
      await audit(sql, {action: "backup.requested", actorId: c.get("user").id, detail: {job: job.id}});
      return c.json({job}, 202);
    }
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/schedule",
      tags: ["backups"],
      summary: "The backup schedule (administrators)",
      ...signedIn,
      responses: {200: json(ScheduleSchema, "The schedule"), ...unauthenticated, ...forbidden}
    }),
    async (c) =>
      c.json(
        (await getSchedule(sql, BACKUP_JOB)) ??
          (await setSchedule(
            sql,
            BACKUP_JOB,
            {enabled: false, everyHours: 24, at: "03:00"},
            {actorId: null, now: clock.now()}
          )),
        200
      )
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/schedule",
      tags: ["backups"],
      summary: "Change the backup schedule: on or off, every N hours at HH:MM UTC (administrators)",
      ...signedIn,
      request: {body: body(ScheduleChange)},
      responses: {200: json(ScheduleSchema, "The schedule now"), ...invalid, ...unauthenticated, ...forbidden}
    }),
    async (c) => {
      const change = c.req.valid("json");
      const actorId = c.get("user").id;
      const schedule = await setSchedule(sql, BACKUP_JOB, change, {actorId, now: clock.now()});
      await audit(sql, {action: "backup.schedule_changed", actorId, detail: {...change}});
      return c.json(schedule, 200);
    }
  );

  return app;
}
