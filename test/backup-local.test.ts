// Backup encryption in detail, the local-folder storage (the embedded default), retention, the erasure journal's
// records, and the two commands (scripts/backup.ts, scripts/restore.ts) on embedded databases.
import {execFile} from "node:child_process";
import {randomBytes} from "node:crypto";
import {mkdtemp, readFile, rm, stat} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {promisify} from "node:util";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {audit} from "../api/audit.js";
import {applyRetention, listBackups, runBackup} from "../api/backup.js";
import {
  BackupKeyMissing,
  CHUNK_BYTES,
  decryptBytes,
  encryptBytes,
  loadBackupKeys,
  parseBackupKeys
} from "../api/backup-crypto.js";
import {localStorage, type BackupStorage} from "../api/backup-storage.js";
import {openDatabase, type Database} from "../api/db.js";
import {readErasures, writeErasure} from "../api/erasure-journal.js";
import {migrate} from "../api/migrate.js";
import {restoreBackup} from "../api/restore.js";
import {insertUser} from "./helpers/accounts.js";
import {dumpTables} from "./helpers/backups.js";
import {testDatabase} from "./helpers/database.js";

const keys = parseBackupKeys(randomBytes(32).toString("base64"));

describe("backup stream encryption (chunked AES-256-GCM)", () => {
  const context = "backups/20250101T000000.000Z/user.jsonl.gz.enc";
  const plain = randomBytes(3 * CHUNK_BYTES + 1234);
  let sealed: Buffer;
  beforeAll(async () => {
    sealed = await encryptBytes(keys, context, plain);
  });
  const header = 8 + 1 + 2 + 16;
  const frame = (n: number) => 5 + n + 16;

  it("round-trips data of any length: empty, exact multiples of a chunk, several chunks", async () => {
    expect(keys.activeId).toBe("b1");
    expect(sealed.length).toBe(header + 3 * frame(CHUNK_BYTES) + frame(1234));
    expect((await decryptBytes(keys, context, sealed)).equals(plain)).toBe(true);
    for (const data of [Buffer.alloc(0), randomBytes(CHUNK_BYTES), randomBytes(2 * CHUNK_BYTES)]) {
      const out = await encryptBytes(keys, context, data);
      expect((await decryptBytes(keys, context, out)).equals(data)).toBe(true);
    }
    expect((await encryptBytes(keys, context, Buffer.alloc(0))).length).toBe(header + frame(0));
  });

  it("refuses any altered byte: header, key id, salt, flags, lengths, ciphertext, tags", async () => {
    const positions = [0, 9, header - 1, header, header + 2, header + 100, header + frame(CHUNK_BYTES) - 1];
    positions.push(sealed.length - frame(1234), sealed.length - 1);
    for (const at of positions) {
      const bad = Buffer.from(sealed);
      bad[at] ^= 0x40;
      await expect(decryptBytes(keys, context, bad), `byte ${at}`).rejects.toThrow(
        /^backups\/.*: (not a backup object|this backup was encrypted with key|malformed|authentication failed|truncated)/
      );
    }
  });

  it("refuses truncated objects, even cut exactly between chunks, and data after the final chunk", async () => {
    const cut = (n: number) => decryptBytes(keys, context, sealed.subarray(0, n));
    await expect(cut(header + frame(CHUNK_BYTES))).rejects.toThrow(/truncated after chunk 1 \(the final chunk/);
    await expect(cut(header + 2 * frame(CHUNK_BYTES))).rejects.toThrow(/truncated after chunk 2/);
    await expect(cut(sealed.length - 1)).rejects.toThrow(/truncated/);
    await expect(cut(10)).rejects.toThrow(/truncated \(no complete header\)/);
    const longer = Buffer.concat([sealed, Buffer.from([0, 0, 0, 0, 0])]);
    await expect(decryptBytes(keys, context, longer)).rejects.toThrow(/data after the final chunk/);
  });

  it("refuses reordered chunks, an object under another name, and a key it does not have", async () => {
    const one = frame(CHUNK_BYTES);
    const swapped = Buffer.concat([
      sealed.subarray(0, header),
      sealed.subarray(header + one, header + 2 * one),
      sealed.subarray(header, header + one),
      sealed.subarray(header + 2 * one)
    ]);
    await expect(decryptBytes(keys, context, swapped)).rejects.toThrow(/authentication failed at chunk 0/);
    await expect(decryptBytes(keys, context.replace("user", "audit_log"), sealed)).rejects.toThrow(/authentication/);
    const other = parseBackupKeys(`zz:${randomBytes(32).toString("base64")}`);
    await expect(decryptBytes(other, context, sealed)).rejects.toThrow(/encrypted with key "b1", which is neither/);
    const rotated = parseBackupKeys(
      `b2:${randomBytes(32).toString("base64")}`,
      `b1:${keys.key("b1").toString("base64")}`
    );
    expect((await decryptBytes(rotated, context, sealed)).equals(plain)).toBe(true);
  });

  it("takes the key from the environment; only the embedded default generates one, under data/local", async () => {
    expect(() => parseBackupKeys("dG9vIHNob3J0")).toThrow(/32 bytes/);
    const dataDir = await mkdtemp(join(tmpdir(), "backup-key-"));
    try {
      const options = {embedded: false, dataDir, create: true};
      await expect(loadBackupKeys({}, options)).rejects.toBeInstanceOf(BackupKeyMissing);
      await expect(loadBackupKeys({}, {...options, embedded: true, create: false})).rejects.toThrow(
        /no development key/
      );
      const generated = await loadBackupKeys({}, {...options, embedded: true});
      expect(generated.activeId).toBe("dev1");
      expect((await stat(join(dataDir, "local", "backup-key"))).mode & 0o777).toBe(0o600);
      const again = await loadBackupKeys({}, {...options, embedded: true});
      expect(again.key("dev1").equals(generated.key("dev1"))).toBe(true);
    } finally {
      await rm(dataDir, {recursive: true, force: true});
    }
  });
});

describe("backups to a local folder", () => {
  let source: Database;
  let target: Database;
  let dir: string;
  let storage: BackupStorage;
  let now = new Date("2025-06-01T03:00:00.000Z");
  const clock = {now: () => (now = new Date(now.getTime() + 1000))};
  beforeAll(async () => {
    source = await testDatabase();
    await migrate(source.sql);
    target = await testDatabase();
    await migrate(target.sql);
    dir = await mkdtemp(join(tmpdir(), "backups-"));
    storage = localStorage(dir);
    for (const id of ["u1", "u2", "u3"]) await insertUser(source.sql, id);
    await source.sql`INSERT INTO term_versions (version, title, published_at) VALUES (1, 'Terms', now())`;
    await source.sql`INSERT INTO term_items (version, code, position, mandatory, title, text)
      VALUES (1, 'terms', 1, true, 'Terms', 'Text')`;
    await source.sql`INSERT INTO consent_records (user_id, version, item_code, decision, decided_at, channel)
      VALUES ('u1', 1, 'terms', 'accept', now(), 'web'), ('u2', 1, 'terms', 'accept', now(), 'web')`;
    await audit(source.sql, {action: "test.one", subjectId: "u1", detail: {n: 1}});
    await audit(source.sql, {action: "test.two", subjectId: "u2"});
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    await rm(dir, {recursive: true, force: true});
  });

  it("writes owner-only files and restores identical tables", async () => {
    const manifest = await runBackup({sql: source.sql, storage, keys, clock});
    const file = join(dir, "backups", manifest.id, "consent_records.jsonl.gz.enc");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file)).includes("accept")).toBe(false);
    expect(JSON.parse(await readFile(join(dir, "backups", manifest.id, "manifest.json"), "utf8"))).toMatchObject({
      id: manifest.id,
      keyId: "b1",
      tables: expect.arrayContaining([expect.objectContaining({table: "consent_records", rows: 2})])
    });
    const report = await restoreBackup({sql: target.sql, storage, keys, clock}, "latest");
    expect(report).toMatchObject({backup: manifest.id, chain: {ok: true, checked: 3}});
    const [before, after] = [await dumpTables(source.sql), await dumpTables(target.sql)];
    expect({...after, audit_log: after.audit_log.slice(0, -1)}).toEqual(before);
  });

  it("keeps the newest N complete backups and removes interrupted ones older than those", async () => {
    const deps = {sql: source.sql, storage, keys, clock};
    await expect(runBackup(deps, {afterObject: () => Promise.reject(new Error("killed"))})).rejects.toThrow();
    for (let i = 0; i < 3; i++) await runBackup(deps);
    await expect(runBackup(deps, {afterObject: () => Promise.reject(new Error("killed"))})).rejects.toThrow();
    const before = await listBackups(storage);
    expect(before.map((b) => b.complete)).toEqual([false, true, true, true, false, true]);
    const removed = await applyRetention(storage, 2);
    expect(removed).toEqual([before[3].id, before[5].id, before[4].id]);
    expect((await listBackups(storage)).map((b) => [b.id, b.complete])).toEqual([
      [before[0].id, false],
      [before[1].id, true],
      [before[2].id, true]
    ]);
  });

  it("journals erasures idempotently, encrypted, and reads back those since a time (with a margin)", async () => {
    const a = await writeErasure(storage, keys, {userId: "u9", at: "2025-06-10T10:00:00.000Z"});
    expect(await writeErasure(storage, keys, {userId: "u9", at: "2025-06-10T10:00:00.000Z"})).toBe(a);
    await writeErasure(storage, keys, {userId: "u8", at: "2025-06-01T10:00:00.000Z"});
    expect((await readFile(join(dir, ...a.split("/")))).includes("u9")).toBe(false);
    const since = await readErasures(storage, keys, new Date("2025-06-10T20:00:00.000Z"));
    expect(since.map((r) => [r.userId, r.at])).toEqual([["u9", "2025-06-10T10:00:00.000Z"]]);
    expect((await readErasures(storage, keys, new Date("2025-05-01T00:00:00Z"))).map((r) => r.userId)).toEqual([
      "u8",
      "u9"
    ]);
  });
});

describe("scripts/backup.ts and scripts/restore.ts", () => {
  it("back up one embedded database and restore it into another, refusing a second restore", async () => {
    const root = await mkdtemp(join(tmpdir(), "backup-cli-"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BACKUP_DIR: join(root, "backups"),
      BACKUP_KEY: `cli:${randomBytes(32).toString("base64")}`,
      LOG_LEVEL: "warn"
    };
    delete env.DATABASE_URL;
    const run = (script: string, dataDir: string, args: string[] = []) =>
      promisify(execFile)("npx", ["tsx", script, ...args], {env: {...env, GRAFENO_DATA_DIR: dataDir}});
    try {
      const db = await openDatabase({dataDir: join(root, "a", "pglite")});
      await migrate(db.sql);
      await insertUser(db.sql, "cli-user");
      await audit(db.sql, {action: "test.cli", subjectId: "cli-user"});
      await db.close();

      const backup = await run("scripts/backup.ts", join(root, "a"));
      expect(backup.stderr).toMatch(/backup \d{8}T\d{6}\.\d{3}Z complete: 10 tables, 2 rows, key cli/);
      const restore = await run("scripts/restore.ts", join(root, "b"), ["--backup", "latest"]);
      expect(restore.stderr).toMatch(/user: 1 rows[\s\S]*audit log intact: 2 entries/);
      const again = run("scripts/restore.ts", join(root, "b"), ["--backup", "latest"]);
      await expect(again).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/REFUSED, nothing written: .*not empty/)
      });

      const restored = await openDatabase({dataDir: join(root, "b", "pglite")});
      try {
        expect(await restored.sql`SELECT id FROM "user"`).toEqual([{id: "cli-user"}]);
      } finally {
        await restored.close();
      }
    } finally {
      await rm(root, {recursive: true, force: true});
    }
  }, 180_000);
});
