// Backups of the LGPD tables: each table, read in one consistent snapshot, is streamed as JSON lines → gzip →
// AES-256-GCM (api/backup-crypto.ts) to a local temporary file, then stored as backups/<id>/<table>.jsonl.gz.enc.
// The manifest (SHA-256 of each stored object, row counts, columns, key id, times, app version; authenticated under
// the backup key) is written LAST: a backup without one is incomplete and is never listed or restored as complete.
import {createHash} from "node:crypto";
import {createWriteStream, readFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {Readable, Transform} from "node:stream";
import {pipeline} from "node:stream/promises";
import {createGzip} from "node:zlib";
import {canonicalJson} from "./audit.js";
import {BackupIntegrityError, encryptStream, keyCheck, manifestMac, type BackupKeys} from "./backup-crypto.js";
import {getBytes, ObjectMissing, type BackupStorage} from "./backup-storage.js";
import type {Sql} from "./db.js";
import type {Logger} from "./logger.js";
import type {Clock} from "./services.js";

/** The tables restored, in an order that satisfies their foreign keys; each with a total order for its rows. */
export const backupTables = [
  {name: "user", orderBy: "id"},
  {name: "user_profile", orderBy: "user_id"},
  {name: "account", orderBy: "id"},
  {name: "profile_changes", orderBy: "id"},
  {name: "notifications", orderBy: "id"},
  {name: "term_versions", orderBy: "version"},
  {name: "term_items", orderBy: "version, code"},
  {name: "consent_records", orderBy: "id"},
  {name: "data_exports", orderBy: "id"},
  {name: "audit_log", orderBy: "id"}
] as const;

export const MANIFEST_FORMAT = "grafeno-backup/1";

export interface ManifestTable {
  table: string;
  object: string;
  rows: number;
  bytes: number;
  sha256: string;
  columns: string[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  id: string;
  startedAt: string;
  finishedAt: string;
  appVersion: string;
  keyId: string;
  keyCheck: string;
  migrations: string[];
  tables: ManifestTable[];
  /** HMAC of the rest (canonical JSON) under the backup key. */
  mac: string;
}

export interface BackupDeps {
  sql: Sql;
  storage: BackupStorage;
  keys: BackupKeys;
  clock: Clock;
  logger?: Logger;
  /** Complete backups kept after this one succeeds (older ones are deleted); none deleted when unset. */
  retain?: number;
}

export interface BackupOptions {
  signal?: AbortSignal;
  /** Called after each table's object is stored (progress; tests interrupt a backup here). */
  afterObject?: (table: string) => Promise<void> | void;
}

export const appVersion: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

/** ISO 8601 basic format (sorts by time, no colons): 20240501T030000.123Z. */
export function backupId(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "");
}

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

function manifestText(manifest: Omit<Manifest, "mac">): string {
  return canonicalJson(manifest);
}

async function dumpTables(deps: BackupDeps, prefix: string, dir: string) {
  const {sql, keys, logger} = deps;
  return sql.begin("isolation level repeatable read read only", async (tx) => {
    const migrations = (await tx<{name: string}[]>`SELECT name FROM schema_migrations ORDER BY name`).map(
      (r) => r.name
    );
    const tables: ManifestTable[] = [];
    for (const {name, orderBy} of backupTables) {
      const columns = (
        await tx<{column_name: string}[]>`SELECT column_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${name} ORDER BY ordinal_position`
      ).map((r) => r.column_name);
      const object = `${prefix}${name}.jsonl.gz.enc`;
      const hash = createHash("sha256");
      let rows = 0;
      let bytes = 0;
      const query = `SELECT row_to_json(t)::text AS line FROM ${ident(name)} t ORDER BY ${orderBy}`;
      const lines = async function* () {
        for await (const batch of tx.unsafe(query).cursor(500)) {
          rows += batch.length;
          yield Buffer.from(batch.map((r) => `${r.line}\n`).join(""), "utf8");
        }
      };
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        }
      });
      const file = join(dir, `${name}.enc`);
      await pipeline(
        Readable.from(lines()),
        createGzip(),
        encryptStream(keys, object),
        measure,
        createWriteStream(file, {mode: 0o600})
      );
      tables.push({table: name, object, rows, bytes, sha256: hash.digest("hex"), columns});
      logger?.info({table: name, rows, bytes}, "backup: table read and encrypted");
    }
    return {migrations, tables};
  });
}

/** Takes a backup now; the manifest when it is complete. Throws (leaving an incomplete backup) on any failure. */
export async function runBackup(deps: BackupDeps, {signal, afterObject}: BackupOptions = {}): Promise<Manifest> {
  const {storage, keys, clock, logger} = deps;
  const startedAt = clock.now();
  const id = backupId(startedAt);
  const prefix = `backups/${id}/`;
  const log = logger?.child({backup: id});
  log?.info({storage: storage.description}, "backup started");
  if ((await storage.list(prefix)).length) throw new Error(`a backup named ${id} already exists`);
  const dir = await mkdtemp(join(tmpdir(), "grafeno-backup-"));
  try {
    const {migrations, tables} = await dumpTables({...deps, logger: log}, prefix, dir);
    for (const t of tables) {
      signal?.throwIfAborted();
      await storage.putFile(t.object, join(dir, `${t.table}.enc`));
      log?.info({table: t.table, object: t.object, bytes: t.bytes}, "backup: object stored");
      await afterObject?.(t.table);
    }
    signal?.throwIfAborted();
    const body: Omit<Manifest, "mac"> = {
      format: MANIFEST_FORMAT,
      id,
      startedAt: startedAt.toISOString(),
      finishedAt: clock.now().toISOString(),
      appVersion,
      keyId: keys.activeId,
      keyCheck: keyCheck(keys.key(keys.activeId)),
      migrations,
      tables
    };
    const manifest: Manifest = {...body, mac: manifestMac(keys.key(keys.activeId), manifestText(body))};
    await storage.putBytes(`${prefix}manifest.json`, Buffer.from(JSON.stringify(manifest, null, 2)));
    const rows = tables.reduce((n, t) => n + t.rows, 0);
    log?.info({tables: tables.length, rows}, "backup complete");
    if (deps.retain) await applyRetention(storage, deps.retain, log);
    return manifest;
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

/** The manifest of a complete backup, checked: format, name, and its MAC under the key it names. */
export async function readManifest(storage: BackupStorage, keys: BackupKeys, id: string): Promise<Manifest> {
  let text: string;
  try {
    text = (await getBytes(storage, `backups/${id}/manifest.json`)).toString("utf8");
  } catch (error) {
    if (!(error instanceof ObjectMissing)) throw error;
    const any = (await storage.list(`backups/${id}/`)).length > 0;
    throw new BackupIntegrityError(
      any
        ? `backup ${id} is incomplete: it has no manifest (it was interrupted before it finished)`
        : `there is no backup ${id}`
    );
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    throw new BackupIntegrityError(`backup ${id}: the manifest is not valid JSON`);
  }
  if (manifest.format !== MANIFEST_FORMAT || manifest.id !== id) {
    throw new BackupIntegrityError(`backup ${id}: not a ${MANIFEST_FORMAT} manifest for this backup`);
  }
  const key = keys.key(manifest.keyId);
  if (keyCheck(key) !== manifest.keyCheck) {
    throw new BackupIntegrityError(
      `backup ${id} was made with another key named "${manifest.keyId}": the configured one does not match`
    );
  }
  const {mac, ...body} = manifest;
  if (manifestMac(key, manifestText(body)) !== mac) {
    throw new BackupIntegrityError(`backup ${id}: the manifest was altered (its MAC does not match)`);
  }
  return manifest;
}

export interface BackupSummary {
  id: string;
  /** True only when the manifest exists (written last); an interrupted backup is never complete. */
  complete: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  objects: number;
  bytes: number;
  rows: number | null;
  keyId: string | null;
}

/** Every backup in the storage, newest first, complete or not (the manifest's content is not verified here). */
export async function listBackups(storage: BackupStorage): Promise<BackupSummary[]> {
  const groups = new Map<string, {key: string; size: number}[]>();
  for (const o of await storage.list("backups/")) {
    const id = o.key.split("/")[1];
    if (id) groups.set(id, [...(groups.get(id) ?? []), o]);
  }
  const summaries = await Promise.all(
    [...groups].map(async ([id, objects]): Promise<BackupSummary> => {
      const summary: BackupSummary = {
        id,
        complete: false,
        startedAt: null,
        finishedAt: null,
        objects: objects.length,
        bytes: objects.reduce((n, o) => n + o.size, 0),
        rows: null,
        keyId: null
      };
      if (!objects.some((o) => o.key === `backups/${id}/manifest.json`)) return summary;
      try {
        const m = JSON.parse((await getBytes(storage, `backups/${id}/manifest.json`)).toString("utf8")) as Manifest;
        const rows = m.tables.reduce((n, t) => n + t.rows, 0);
        return {...summary, complete: true, startedAt: m.startedAt, finishedAt: m.finishedAt, rows, keyId: m.keyId};
      } catch {
        return summary;
      }
    })
  );
  return summaries.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** Keeps the newest `keep` complete backups; deletes older ones and interrupted ones older than those kept. */
export async function applyRetention(storage: BackupStorage, keep: number, logger?: Logger): Promise<string[]> {
  const all = await listBackups(storage);
  const complete = all.filter((b) => b.complete);
  const oldestKept = complete.slice(0, keep).at(-1)?.id;
  if (!oldestKept) return [];
  const doomed = [...complete.slice(keep), ...all.filter((b) => !b.complete && b.id < oldestKept)];
  for (const {id} of doomed) {
    // The manifest first: a half-deleted backup must look incomplete, never complete with objects missing.
    await storage.remove(`backups/${id}/manifest.json`);
    for (const o of await storage.list(`backups/${id}/`)) await storage.remove(o.key);
    logger?.info({backup: id}, "backup deleted (retention)");
  }
  return doomed.map((b) => b.id);
}
