import {execFile} from "node:child_process";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {promisify} from "node:util";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {audit, canonicalJson, GENESIS_HASH, listAudit, verifyChain} from "../api/audit.js";
import type {Database} from "../api/db.js";
import {migrate} from "../api/migrate.js";
import {acceptTerms, accountsServer, publish, signUp, signUpAs, type Person} from "./helpers/accounts.js";
import {testDatabase} from "./helpers/database.js";
import type {TestServer} from "./helpers/server.js";

describe("the audit log", () => {
  let db: Database;
  beforeAll(async () => {
    db = await testDatabase();
    await migrate(db.sql);
  });
  afterAll(() => db?.close());

  it("writes canonical JSON: keys sorted at every level, undefined left out", () => {
    expect(canonicalJson({b: 1, a: {d: [1, {z: 1, y: 2}], c: undefined}})).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it("chains each entry to the previous one, starting from the genesis hash", async () => {
    const first = await audit(db.sql, {action: "test.first", actorId: "u1", detail: {n: 1}});
    const second = await audit(db.sql, {action: "test.second", subjectId: "u2", detail: {fields: ["cpf"]}});
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(await verifyChain(db.sql)).toMatchObject({ok: true, checked: 2, lastHash: second.hash});
  });

  it("refuses UPDATE, DELETE and TRUNCATE in the database itself", async () => {
    await expect(db.sql`UPDATE audit_log SET action = 'x'`).rejects.toThrow(/append-only/);
    await expect(db.sql`DELETE FROM audit_log`).rejects.toThrow(/append-only/);
    await expect(db.sql`TRUNCATE audit_log`).rejects.toThrow(/append-only/);
  });

  it("never forks the chain under concurrent writers", async () => {
    await Promise.all(Array.from({length: 25}, (_, i) => audit(db.sql, {action: "test.concurrent", detail: {i}})));
    const report = await verifyChain(db.sql, 7);
    expect(report.ok).toBe(true);
    const [{forks}] = await db.sql`SELECT count(*) - count(DISTINCT prev_hash) AS forks FROM audit_log`;
    expect(Number(forks)).toBe(0);
  });

  it("lists entries newest first, filtered by who acted or whom they concern", async () => {
    const {entries, total} = await listAudit(db.sql, {involving: "u2"});
    expect(total).toBe(1);
    expect(entries[0]).toMatchObject({action: "test.second", subjectId: "u2", detail: {fields: ["cpf"]}});
    expect((await listAudit(db.sql, {action: "test.concurrent", pageSize: 10, page: 3})).entries).toHaveLength(5);
  });

  it("detects an entry edited behind the trigger's back (as a superuser could)", async () => {
    const [victim] = await db.sql`SELECT id FROM audit_log WHERE action = 'test.second'`;
    await db.sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`;
    await db.sql`UPDATE audit_log SET detail = '{"fields": ["phone"]}' WHERE id = ${victim.id}`;
    await db.sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`;
    const report = await verifyChain(db.sql);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({id: Number(victim.id), reason: "hash"});
  });

  it("detects an entry removed from the middle of the chain", async () => {
    const fresh = await testDatabase();
    try {
      await migrate(fresh.sql);
      for (const action of ["a", "b", "c"]) await audit(fresh.sql, {action});
      await fresh.sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`;
      await fresh.sql`DELETE FROM audit_log WHERE action = 'b'`;
      const report = await verifyChain(fresh.sql);
      const [c] = await fresh.sql`SELECT id FROM audit_log WHERE action = 'c'`;
      expect(report.broken).toMatchObject({id: Number(c.id), reason: "prev_hash"});
    } finally {
      await fresh.close();
    }
  });
});

describe("the audit log for administrators", () => {
  let server: TestServer;
  let admin: Person;
  let ana: Person;
  beforeAll(async () => {
    server = await accountsServer();
    admin = await signUpAs(server, "admin", "admin@example.com");
    await publish(admin.client);
    await acceptTerms(admin.client);
    ana = await signUp(server, "ana@example.com");
    await acceptTerms(ana.client, ["research"]);
  });
  afterAll(() => server?.close());

  it("shows sign-ins, consent changes and administrative acts, filtered by subject", async () => {
    const {entries, total} = await (await admin.client.request(`/api/audit?subjectId=${ana.id}`)).json();
    expect(entries.map((e: {action: string}) => e.action).reverse()).toEqual([
      "account.created",
      "auth.sign_in",
      "consent.changed"
    ]);
    expect(total).toBe(3);
    const published = await (await admin.client.request("/api/audit?action=terms.published")).json();
    expect(published.entries[0]).toMatchObject({actorId: admin.id, detail: {version: 1}});
  });

  it("verifies the chain on request, and reports the first tampered entry", async () => {
    expect(await (await admin.client.request("/api/audit/verify")).json()).toMatchObject({ok: true});
    const sql = server.runtime.db.sql;
    const [victim] = await sql`SELECT id FROM audit_log WHERE action = 'consent.changed' AND actor_id = ${ana.id}`;
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`;
    await sql`UPDATE audit_log SET detail = '{"accepted": []}' WHERE id = ${victim.id}`;
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`;
    const report = await (await admin.client.request("/api/audit/verify")).json();
    expect(report).toMatchObject({ok: false, broken: {id: Number(victim.id), reason: "hash"}});
  });

  it("is closed to everyone but administrators", async () => {
    expect((await ana.client.request("/api/audit")).status).toBe(403);
    expect((await ana.client.request("/api/audit/verify")).status).toBe(403);
  });
});

describe("scripts/verify-audit.ts", () => {
  it("reports an intact chain and exits 0", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "verify-audit-"));
    try {
      const env = {...process.env, GRAFENO_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "silent"};
      delete (env as Record<string, string | undefined>).DATABASE_URL;
      const {stderr} = await promisify(execFile)("npx", ["tsx", "scripts/verify-audit.ts"], {env});
      expect(stderr).toMatch(/audit log intact: 0 entries/);
    } finally {
      await rm(dataDir, {recursive: true, force: true});
    }
  });
});
