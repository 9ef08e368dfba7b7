import {randomBytes} from "node:crypto";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {listBackups, readManifest, runBackup, backupTables, type Manifest} from "../api/backup.js";
import {BackupIntegrityError, parseBackupKeys} from "../api/backup-crypto.js";
import {getBytes, s3Storage, type BackupStorage} from "../api/backup-storage.js";
import type {Database} from "../api/db.js";
import {enqueue} from "../api/jobs.js";
import {migrate} from "../api/migrate.js";
import {unseal} from "../api/pii.js";
import {recordedHashKey, UNKNOWN_HASH_KEY} from "../api/rehash.js";
import {restoreBackup, RestoreRefused} from "../api/restore.js";
import {systemClock} from "../api/services.js";
import {
  acceptTerms,
  accountsServer,
  mailText,
  outbox,
  publish,
  signUp,
  signUpAs,
  type Person
} from "./helpers/accounts.js";
import {backedUpRows, dumpTables} from "./helpers/backups.js";
import {testDatabase} from "./helpers/database.js";
import {startS3, waitFor, type TestS3} from "./helpers/s3.js";
import type {TestServer} from "./helpers/server.js";

const keyText = randomBytes(32).toString("base64");
const BACKUP_KEY = `t1:${keyText}`;
const keys = parseBackupKeys(BACKUP_KEY);

async function emptyTarget(): Promise<Database> {
  const db = await testDatabase();
  await migrate(db.sql);
  return db;
}

describe("encrypted backups to S3 (s3rver) and restore", () => {
  let s3: TestS3;
  let storage: BackupStorage;
  let server: TestServer;
  let admin: Person;
  let ana: Person;
  let bia: Person;
  let first: Manifest;
  const targets: Database[] = [];
  const sql = () => server.runtime.db.sql;
  const target = async () => {
    const db = await emptyTarget();
    targets.push(db);
    return db;
  };
  const jobs = async (query: string) => (await (await admin.client.request(`/api/jobs?${query}`)).json()).jobs;

  beforeAll(async () => {
    s3 = await startS3();
    storage = await s3Storage(s3.settings);
    server = await accountsServer({...s3.env, BACKUP_KEY, JOBS_POLL_MS: "100", BACKUP_RETAIN: "10"});
    admin = await signUpAs(server, "admin", "admin@example.com");
    await publish(admin.client);
    await acceptTerms(admin.client);
    ana = await signUp(server, "ana@example.com", "Ana Souza");
    await acceptTerms(ana.client, ["research"]);
    const patch = await ana.client.request("/api/profile", {
      method: "PATCH",
      json: {cpf: "529.982.247-25", phone: "+55 11 91234-5678"}
    });
    expect(patch.status).toBe(200);
    expect((await ana.client.post("/api/me/exports", {format: "json"})).status).toBe(201);
    bia = await signUp(server, "bia@example.com", "Bia Lima");
    await acceptTerms(bia.client, ["newsletter"]);
  });
  afterAll(async () => {
    for (const db of targets) await db.close();
    await server?.close();
    await s3?.close();
  });

  it("takes a backup when an administrator asks, and lists it as complete", async () => {
    const response = await admin.client.post("/api/backups", {});
    expect(response.status).toBe(202);
    const {job} = await response.json();
    const done = await waitFor(
      async () =>
        (await jobs("kind=backup")).find(
          (j: {id: number; status: string}) => j.id === job.id && j.status !== "queued" && j.status !== "running"
        ),
      20_000,
      "the backup job"
    );
    expect(done).toMatchObject({status: "succeeded", attempts: 1});
    const listed = await (await admin.client.request("/api/backups")).json();
    expect(listed.storage).toMatch(/^s3 bucket grafeno-backups at http:\/\/127\.0\.0\.1:\d+$/);
    expect(listed.backups).toHaveLength(1);
    expect(listed.backups[0]).toMatchObject({id: done.result.backup, complete: true, keyId: "t1"});
    first = await readManifest(storage, keys, done.result.backup);
    expect(first.tables.map((t) => t.table)).toEqual(backupTables.map((t) => t.name));
    expect(first.tables.find((t) => t.table === "consent_records")!.rows).toBeGreaterThanOrEqual(7);
    const objects = await storage.list(`backups/${first.id}/`);
    expect(objects.map((o) => o.key).sort()).toEqual(
      [...first.tables.map((t) => t.object), `backups/${first.id}/manifest.json`].sort()
    );
    // Nothing in clear, and never the key: the objects are ciphertext, the manifest names only the key id.
    for (const {key} of objects) {
      const bytes = await getBytes(storage, key);
      expect(bytes.includes("ana@example.com")).toBe(false);
      expect(bytes.includes(keyText)).toBe(false);
      expect(bytes.includes(Buffer.from(keyText, "base64"))).toBe(false);
    }
  });

  it("restores into an empty database: identical tables, identity sequences and audit chain continued", async () => {
    const before = await dumpTables(sql());
    const db = await target();
    const report = await restoreBackup({sql: db.sql, storage, keys, clock: systemClock}, first.id);
    expect(report).toMatchObject({backup: first.id, chain: {ok: true}, erasures: {applied: []}});
    const after = await dumpTables(db.sql);
    for (const {name} of backupTables) {
      if (name === "audit_log") continue;
      expect([name, after[name]]).toEqual([name, before[name]]);
    }
    expect(after.audit_log.slice(0, -1)).toEqual(before.audit_log);
    expect(JSON.parse(after.audit_log.at(-1)!)).toMatchObject({action: "backup.restored", detail: {backup: first.id}});
    // The backup's email and CPF hashes may be under another PII_HASH_KEY: the next start re-hashes them.
    expect(await recordedHashKey(db.sql)).toBe(UNKNOWN_HASH_KEY);
    // Personal data is restored as stored, still readable with the same PII keys.
    const [profile] = await db.sql`SELECT cpf_enc FROM user_profile WHERE user_id = ${ana.id}`;
    const cpf = unseal(server.runtime.keys, "user_profile", "cpf_enc", ana.id, profile.cpf_enc);
    expect(cpf?.replace(/\D/g, "")).toBe("52998224725");
    const [{id}] = await db.sql`INSERT INTO consent_records (user_id, version, item_code, decision, decided_at, channel)
      VALUES (${ana.id}, 1, 'research', 'revoke', now(), 'test') RETURNING id`;
    expect(Number(id)).toBeGreaterThan(first.tables.find((t) => t.table === "consent_records")!.rows);
  });

  it("refuses a database that is not empty", async () => {
    const db = targets[0];
    const restore = restoreBackup({sql: db.sql, storage, keys, clock: systemClock}, "latest");
    await expect(restore).rejects.toThrow(/not empty \(table user has rows\)/);
    await expect(restore).rejects.toBeInstanceOf(RestoreRefused);
  });

  it("keeps a person erased after the backup erased after a restore", async () => {
    const step1 = await admin.client.post(`/api/users/${bia.id}/deletion`, {});
    const {confirmation} = await step1.json();
    const erased = await admin.client.request(`/api/users/${bia.id}`, {method: "DELETE", json: {confirmation}});
    expect(erased.status).toBe(200);
    const journaled = await waitFor(
      async () => (await jobs("kind=erasure.journal")).find((j: {status: string}) => j.status === "succeeded"),
      20_000,
      "the erasure journal job"
    );
    expect(journaled.result.object).toMatch(/^erasures\/\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{20}\.json\.enc$/);
    expect((await getBytes(storage, journaled.result.object)).includes(bia.id)).toBe(false);

    const db = await target();
    const report = await restoreBackup({sql: db.sql, storage, keys, clock: systemClock}, first.id);
    expect(report.erasures).toEqual({applied: [bia.id], alreadyErased: 0, absent: 0});
    expect(report.chain.ok).toBe(true);
    const [user] = await db.sql`SELECT name, email, banned FROM "user" WHERE id = ${bia.id}`;
    expect(user).toEqual({name: "Deleted user", email: `deleted-${bia.id}@anonymized.invalid`, banned: true});
    const [profile] = await db.sql`SELECT anonymized_at, email_hash FROM user_profile WHERE user_id = ${bia.id}`;
    expect(profile.anonymized_at).not.toBeNull();
    expect(profile.email_hash).toBeNull();
    expect(await db.sql`SELECT 1 FROM account WHERE "userId" = ${bia.id}`).toHaveLength(0);
    // Every consent record is intact, bia's included (proof of consent outlives the person's data).
    const [{n}] = await db.sql`SELECT count(*)::int AS n FROM consent_records`;
    expect(n).toBe(first.tables.find((t) => t.table === "consent_records")!.rows);
    const [entry] =
      await db.sql`SELECT actor_id FROM audit_log WHERE action = 'user.anonymized' AND subject_id = ${bia.id}`;
    expect(entry.actor_id).toBe("system:restore");
  });

  it("never lists a backup killed halfway as complete, and refuses to restore it", async () => {
    const deps = {sql: sql(), storage, keys, clock: systemClock};
    const killed = runBackup(deps, {
      afterObject: () => {
        throw new Error("killed after the first table");
      }
    });
    await expect(killed).rejects.toThrow(/killed/);
    const backups = await listBackups(storage);
    const half = backups.find((b) => b.id !== first.id)!;
    expect(half).toMatchObject({complete: false, objects: 1});
    expect(backups.filter((b) => b.complete).map((b) => b.id)).toEqual([first.id]);
    const db = await target();
    await expect(restoreBackup({...deps, sql: db.sql}, half.id)).rejects.toThrow(/incomplete: it has no manifest/);
    const listed = await (await admin.client.request("/api/backups")).json();
    expect(listed.backups.find((b: {id: string}) => b.id === half.id).complete).toBe(false);
    expect(await backedUpRows(db.sql)).toBe(0);
  });

  it("refuses a corrupted byte, a truncated object and an altered manifest, writing nothing", async () => {
    const deps = {sql: sql(), storage, keys, clock: systemClock};
    const manifest = await runBackup(deps);
    const db = targets.at(-1)!; // left empty by the refused restore above
    expect(await backedUpRows(db.sql)).toBe(0);
    const restore = () => restoreBackup({...deps, sql: db.sql}, manifest.id);
    const consent = manifest.tables.find((t) => t.table === "consent_records")!;
    const original = await getBytes(storage, consent.object);

    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)] ^= 0x01;
    await storage.putBytes(consent.object, flipped);
    await expect(restore()).rejects.toThrow(/consent_records\.jsonl\.gz\.enc: checksum mismatch/);
    await expect(restore()).rejects.toBeInstanceOf(BackupIntegrityError);

    await storage.putBytes(consent.object, original.subarray(0, original.length - 20));
    await expect(restore()).rejects.toThrow(/checksum mismatch .* altered or truncated/);

    await storage.putBytes(consent.object, original);
    const path = `backups/${manifest.id}/manifest.json`;
    const text = (await getBytes(storage, path)).toString("utf8");
    await storage.putBytes(path, Buffer.from(text.replace(`"rows": ${consent.rows}`, `"rows": ${consent.rows - 1}`)));
    await expect(restore()).rejects.toThrow(/manifest was altered/);
    expect(await backedUpRows(db.sql)).toBe(0);

    await storage.putBytes(path, Buffer.from(text));
    const other = parseBackupKeys(`t1:${randomBytes(32).toString("base64")}`);
    await expect(restoreBackup({...deps, sql: db.sql, keys: other}, manifest.id)).rejects.toThrow(/another key/);
    await expect(restore()).resolves.toMatchObject({chain: {ok: true}});
  });

  it("tells every administrator when a backup fails for good (storage unreachable)", async () => {
    const broken = await accountsServer({
      BACKUP_S3_URL: "http://127.0.0.1:9",
      BACKUP_S3_ACCESS_KEY_ID: "x",
      BACKUP_S3_SECRET_ACCESS_KEY: "y",
      BACKUP_KEY,
      JOBS_POLL_MS: "100"
    });
    try {
      const boss = await signUpAs(broken, "admin", "boss@example.com");
      const {id} = await enqueue(broken.runtime.db.sql, {kind: "backup", maxAttempts: 1});
      const failed = await waitFor(
        async () => {
          const [row] = await broken.runtime.db.sql`SELECT status, last_error FROM jobs WHERE id = ${id}`;
          return row.status === "failed" && row;
        },
        30_000,
        "the backup to fail"
      );
      expect(failed.last_error).toBeTruthy();
      const notice = await waitFor(async () => {
        const [row] = await broken.runtime.db.sql`SELECT title, body FROM notifications WHERE user_id = ${boss.id}
          AND kind = 'job.failed'`;
        return row;
      });
      expect(notice.title).toBe("Backup failed");
      expect(notice.body).toContain(`POST /api/jobs/${id}/retry`);
      // The in-app notice is written first, then the email goes out.
      await waitFor(
        async () =>
          (await outbox(broken)).some((m) => m.includes("boss@example.com") && mailText(m).includes("The backup (job")),
        10_000,
        "the email to the administrator"
      );
    } finally {
      await broken.close();
    }
  });
});
