import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Database} from "../api/db.js";
import {migrate} from "../api/migrate.js";
import {enqueueDueSchedules, getSchedule, nextRunAfter, setSchedule} from "../api/schedules.js";
import {testDatabase} from "./helpers/database.js";

describe("schedules", () => {
  let db: Database;
  beforeAll(async () => {
    db = await testDatabase();
    await migrate(db.sql);
  });
  afterAll(() => db?.close());

  it('computes "every N hours at HH:MM" (UTC)', () => {
    const at = (iso: string) => new Date(iso);
    expect(nextRunAfter(at("2025-03-01T12:00:00Z"), 24, "03:00").toISOString()).toBe("2025-03-02T03:00:00.000Z");
    expect(nextRunAfter(at("2025-03-01T02:59:00Z"), 24, "03:00").toISOString()).toBe("2025-03-01T03:00:00.000Z");
    expect(nextRunAfter(at("2025-03-01T03:00:00Z"), 24, "03:00").toISOString()).toBe("2025-03-02T03:00:00.000Z");
    expect(nextRunAfter(at("2025-03-01T09:30:00Z"), 6, "02:15").toISOString()).toBe("2025-03-01T14:15:00.000Z");
    expect(nextRunAfter(at("2025-03-01T23:59:00Z"), 1, "00:00").toISOString()).toBe("2025-03-02T00:00:00.000Z");
  });

  it("ships the backup schedule turned off", async () => {
    expect(await getSchedule(db.sql, "backup")).toMatchObject({enabled: false, everyHours: 24, at: "03:00"});
  });

  it("queues the job when due, never a second while it is pending, and moves on to the next run", async () => {
    let now = new Date("2025-03-01T12:00:00.000Z");
    const s = await setSchedule(db.sql, "backup", {enabled: true, everyHours: 6, at: "02:00"}, {actorId: "a1", now});
    expect(s).toMatchObject({enabled: true, nextRun: "2025-03-01T14:00:00.000Z", updatedBy: "a1"});
    expect(await enqueueDueSchedules(db.sql, now)).toEqual([]);
    now = new Date("2025-03-01T14:00:00.000Z");
    const [queued] = await enqueueDueSchedules(db.sql, now, {maxAttempts: {backup: 4}});
    expect(queued).toMatchObject({kind: "backup", status: "queued", maxAttempts: 4});
    expect(await getSchedule(db.sql, "backup")).toMatchObject({
      lastRun: now.toISOString(),
      nextRun: "2025-03-01T20:00:00.000Z"
    });
    now = new Date("2025-03-01T20:00:00.000Z");
    const [again] = await enqueueDueSchedules(db.sql, now);
    expect(again.id).toBe(queued.id);
    const [{n}] = await db.sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'backup'`;
    expect(n).toBe(1);
    await setSchedule(db.sql, "backup", {enabled: false, everyHours: 6, at: "02:00"}, {actorId: "a1", now});
    expect(await enqueueDueSchedules(db.sql, new Date("2025-04-01T00:00:00Z"))).toEqual([]);
  });
});
