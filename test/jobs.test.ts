import {afterAll, beforeAll, beforeEach, describe, expect, it} from "vitest";
import type {Database} from "../api/db.js";
import {createWorker, startWorker, type JobHandler} from "../api/job-worker.js";
import {backoffMs, claimNext, enqueue, enqueueOnce, retryJob, type Job} from "../api/jobs.js";
import {migrate} from "../api/migrate.js";
import {acceptTerms, accountsServer, publish, signUp, signUpAs, type Person} from "./helpers/accounts.js";
import {testDatabase} from "./helpers/database.js";
import {waitFor} from "./helpers/s3.js";
import type {TestServer} from "./helpers/server.js";

describe("durable jobs", () => {
  let db: Database;
  let now: Date;
  const clock = {now: () => now};
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  const job = async (id: number): Promise<Record<string, unknown>> => {
    const [row] = await db.sql`SELECT * FROM jobs WHERE id = ${id}`;
    return row;
  };
  beforeAll(async () => {
    db = await testDatabase();
    await migrate(db.sql);
  });
  beforeEach(async () => {
    await db.sql`DELETE FROM jobs`;
    now = new Date("2025-03-01T12:00:00.000Z");
  });
  afterAll(() => db?.close());

  it("runs a queued job once and keeps its result", async () => {
    const seen: unknown[] = [];
    const worker = createWorker({
      sql: db.sql,
      clock,
      handlers: {"test.echo": async (payload) => (seen.push(payload), {echoed: payload.n!})}
    });
    const queued = await enqueue(db.sql, {kind: "test.echo", payload: {n: 7}}, clock);
    expect(queued).toMatchObject({status: "queued", attempts: 0, maxAttempts: 5, runAt: now.toISOString()});
    const done = await worker.tick();
    expect(done).toMatchObject({id: queued.id, status: "succeeded", attempts: 1, result: {echoed: 7}, lockedBy: null});
    expect(done!.finishedAt).toBe(now.toISOString());
    expect(await worker.tick()).toBeNull();
    expect(seen).toEqual([{n: 7}]);
  });

  it("waits for a job's time before running it", async () => {
    const worker = createWorker({sql: db.sql, clock, handlers: {"test.later": async () => {}}});
    await enqueue(db.sql, {kind: "test.later", runAt: new Date(now.getTime() + 60_000)}, clock);
    expect(await worker.tick()).toBeNull();
    advance(60_000);
    expect(await worker.tick()).toMatchObject({status: "succeeded"});
  });

  it("retries with exponential backoff, then stays failed after the last attempt and is reported once", async () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, {baseMs: 1000, maxMs: 10_000}))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000
    ]);
    const failed: Job[] = [];
    let calls = 0;
    const worker = createWorker({
      sql: db.sql,
      clock,
      backoff: {baseMs: 1000, maxMs: 10_000},
      handlers: {"test.flaky": async () => Promise.reject(new Error(`storage down (${++calls})`))},
      onFailed: (j) => void failed.push(j)
    });
    const {id} = await enqueue(db.sql, {kind: "test.flaky", maxAttempts: 3}, clock);
    const start = now.getTime();

    expect(await worker.tick()).toMatchObject({status: "queued", attempts: 1, lastError: "storage down (1)"});
    expect((await job(id)).run_at).toEqual(new Date(start + 1000));
    advance(999);
    expect(await worker.tick()).toBeNull();
    advance(1);
    expect(await worker.tick()).toMatchObject({status: "queued", attempts: 2, lastError: "storage down (2)"});
    expect((await job(id)).run_at).toEqual(new Date(start + 1000 + 2000));
    advance(1999);
    expect(await worker.tick()).toBeNull();
    advance(1);
    const last = await worker.tick();
    expect(last).toMatchObject({status: "failed", attempts: 3, lastError: "storage down (3)"});
    expect(last!.finishedAt).toBe(now.toISOString());

    advance(3_600_000);
    expect(await worker.tick()).toBeNull();
    expect(calls).toBe(3);
    expect(failed.map((j) => [j.id, j.status, j.attempts])).toEqual([[id, "failed", 3]]);
  });

  it("queues again a job whose worker died, once its lock has expired, and another worker finishes it", async () => {
    const {id} = await enqueue(db.sql, {kind: "test.work"}, clock);
    const claimed = await claimNext(db.sql, {kinds: ["test.work"], workerId: "dead-worker", now, lockMs: 60_000});
    expect(claimed).toMatchObject({id, status: "running", attempts: 1, lockedBy: "dead-worker"});
    // The process is gone: nothing renews the lock, nothing finishes the job. A new worker starts.
    const survivor = createWorker({
      sql: db.sql,
      clock,
      lockMs: 60_000,
      workerId: "new-worker",
      handlers: {"test.work": async () => ({done: true})}
    });
    advance(30_000);
    expect(await survivor.tick()).toBeNull();
    expect(await job(id)).toMatchObject({status: "running", locked_by: "dead-worker"});
    advance(30_001);
    expect(await survivor.tick()).toMatchObject({id, status: "succeeded", attempts: 2, result: {done: true}});
    expect((await job(id)).last_error).toMatch(/lock expired: the worker dead-worker stopped/);
  });

  it("fails, and reports, a job whose worker died during its last attempt", async () => {
    const failed: Job[] = [];
    const {id} = await enqueue(db.sql, {kind: "test.work", maxAttempts: 1}, clock);
    await claimNext(db.sql, {kinds: ["test.work"], workerId: "dead-worker", now, lockMs: 1000});
    const worker = createWorker({
      sql: db.sql,
      clock,
      handlers: {"test.work": async () => {}},
      onFailed: (j) => void failed.push(j)
    });
    advance(1001);
    expect(await worker.tick()).toBeNull();
    expect(await job(id)).toMatchObject({status: "failed", attempts: 1, locked_by: null});
    expect(failed.map((j) => j.id)).toEqual([id]);
  });

  it("hands each job to exactly one of many concurrent claimers (FOR UPDATE SKIP LOCKED)", async () => {
    for (let i = 0; i < 12; i++) await enqueue(db.sql, {kind: "test.many", payload: {i}}, clock);
    const claims = await Promise.all(
      Array.from({length: 16}, (_, w) =>
        claimNext(db.sql, {kinds: ["test.many"], workerId: `w${w}`, now, lockMs: 60_000})
      )
    );
    const ids = claims.filter((c) => c !== null).map((c) => c!.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    const [{running}] = await db.sql`SELECT count(*)::int AS running FROM jobs WHERE status = 'running'`;
    expect(running).toBe(12);
  });

  it("queues an interrupted job again, without counting the attempt, when the worker stops", async () => {
    const waitForAbort: JobHandler = (_payload, {signal}) =>
      new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
    const worker = startWorker({sql: db.sql, clock, pollMs: 20, handlers: {"test.long": waitForAbort}});
    const {id} = await enqueue(db.sql, {kind: "test.long"}, clock);
    worker.wake();
    await waitFor(async () => (await job(id)).status === "running", 5000, "the job to start");
    await worker.stop();
    expect(await job(id)).toMatchObject({status: "queued", attempts: 0, locked_by: null});
  });

  it("picks up jobs in the background, at once when woken", async () => {
    const worker = startWorker({sql: db.sql, clock, pollMs: 60_000, handlers: {"test.bg": async () => ({ok: true})}});
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const {id} = await enqueue(db.sql, {kind: "test.bg"}, clock);
      worker.wake();
      await waitFor(async () => (await job(id)).status === "succeeded", 5000, "the job to run");
    } finally {
      await worker.stop();
    }
  });

  it("retries a failed job by hand with a fresh set of attempts, and refuses any other", async () => {
    const {id} = await enqueue(db.sql, {kind: "test.manual", maxAttempts: 1}, clock);
    const worker = createWorker({sql: db.sql, clock, handlers: {"test.manual": () => Promise.reject(new Error("no"))}});
    expect(await worker.tick()).toMatchObject({status: "failed"});
    advance(5000);
    expect(await retryJob(db.sql, id, now)).toMatchObject({id, status: "queued", attempts: 0, finishedAt: null});
    expect(await retryJob(db.sql, id, now)).toBe("not_failed");
    expect(await retryJob(db.sql, 987654, now)).toBe("not_found");
  });

  it("never queues a second job of a kind while one is pending (enqueueOnce)", async () => {
    const [a, b] = await Promise.all([
      enqueueOnce(db.sql, {kind: "test.once"}, clock),
      enqueueOnce(db.sql, {kind: "test.once"}, clock)
    ]);
    expect(a.id).toBe(b.id);
  });
});

describe("jobs and the backup schedule for administrators", () => {
  let server: TestServer;
  let admin: Person;
  let client: Person;
  beforeAll(async () => {
    server = await accountsServer();
    admin = await signUpAs(server, "admin", "admin@example.com");
    await publish(admin.client);
    await acceptTerms(admin.client);
    client = await signUp(server, "client@example.com");
    await acceptTerms(client.client);
  });
  afterAll(() => server?.close());

  it("lists jobs by status and retries a failed one, recording who did", async () => {
    const sql = server.runtime.db.sql;
    const {id} = await enqueue(sql, {kind: "test.unhandled", maxAttempts: 1});
    await sql`UPDATE jobs SET status = 'failed', attempts = 1, last_error = 'it broke' WHERE id = ${id}`;
    const {jobs, total} = await (await admin.client.request("/api/jobs?status=failed")).json();
    expect(total).toBe(1);
    expect(jobs[0]).toMatchObject({id, kind: "test.unhandled", status: "failed", lastError: "it broke"});
    const retried = await admin.client.post(`/api/jobs/${id}/retry`, {});
    expect(retried.status).toBe(200);
    expect((await retried.json()).job).toMatchObject({id, status: "queued", attempts: 0});
    expect((await admin.client.post(`/api/jobs/${id}/retry`, {})).status).toBe(409);
    expect((await admin.client.post("/api/jobs/999999/retry", {})).status).toBe(404);
    expect((await admin.client.request("/api/jobs?status=lost")).status).toBe(400);
    const [entry] = await sql`SELECT actor_id, detail FROM audit_log WHERE action = 'job.retried'`;
    expect(entry).toMatchObject({actor_id: admin.id, detail: {job: id, kind: "test.unhandled"}});
  });

  it("reads and changes the backup schedule, refusing a bad one field by field", async () => {
    const before = await (await admin.client.request("/api/backups/schedule")).json();
    expect(before).toMatchObject({kind: "backup", enabled: false, everyHours: 24, at: "03:00", nextRun: null});
    const bad = await admin.client.request("/api/backups/schedule", {
      method: "PUT",
      json: {enabled: true, everyHours: 0, at: "25:00", kind: "other"}
    });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).fields).sort()).toEqual(["at", "everyHours", "kind"]);
    const good = await admin.client.request("/api/backups/schedule", {
      method: "PUT",
      json: {enabled: true, everyHours: 12, at: "01:30"}
    });
    expect(good.status).toBe(200);
    const schedule = await good.json();
    expect(schedule).toMatchObject({enabled: true, everyHours: 12, at: "01:30", updatedBy: admin.id});
    expect(new Date(schedule.nextRun).getTime()).toBeGreaterThan(Date.now());
    expect(["01:30", "13:30"]).toContain(schedule.nextRun.slice(11, 16));
    const [entry] = await server.runtime.db
      .sql`SELECT detail FROM audit_log WHERE action = 'backup.schedule_changed' AND actor_id = ${admin.id}`;
    expect(entry.detail).toEqual({enabled: true, everyHours: 12, at: "01:30"});
    await admin.client.request("/api/backups/schedule", {
      method: "PUT",
      json: {enabled: false, everyHours: 24, at: "03:00"}
    });
  });

  it("is closed to clients (403) and to anonymous callers (401)", async () => {
    const calls: [string, string][] = [
      ["GET", "/api/jobs"],
      ["POST", "/api/jobs/1/retry"],
      ["GET", "/api/backups"],
      ["POST", "/api/backups"],
      ["GET", "/api/backups/schedule"],
      ["PUT", "/api/backups/schedule"]
    ];
    const json = {enabled: true, everyHours: 1, at: "00:00"};
    for (const [method, path] of calls) {
      const init = method === "GET" ? {} : {method, json};
      expect([method, path, (await client.client.request(path, init)).status]).toEqual([method, path, 403]);
      const anonymous = await fetch(new URL(path, server.url), {method, headers: {origin: server.url}});
      expect([method, path, anonymous.status]).toEqual([method, path, 401]);
    }
    const [{n}] = await server.runtime.db.sql`SELECT count(*)::int AS n FROM jobs WHERE kind = 'backup'`;
    expect(n).toBe(0);
  });
});
