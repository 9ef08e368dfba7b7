// Restore: verify everything first (the manifest's MAC, each object's size and SHA-256, every GCM tag and the
// final chunk, row counts, the erasure journal), then load every table into an EMPTY database in one transaction,
// then re-apply the erasures recorded since the backup, then verify the audit chain. A bad byte anywhere stops it
// before anything is written.
import {createHash} from "node:crypto";
import {createReadStream, createWriteStream} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {Transform} from "node:stream";
import {pipeline} from "node:stream/promises";
import {createGunzip} from "node:zlib";
import type postgres from "postgres";
import {record, verifyChain, type ChainReport} from "./audit.js";
import {backupTables, ident, listBackups, readManifest, type Manifest, type ManifestTable} from "./backup.js";
import {BackupIntegrityError, decryptStream, type BackupKeys} from "./backup-crypto.js";
import {ObjectMissing, type BackupStorage} from "./backup-storage.js";
import type {Sql} from "./db.js";
import {readErasures, reapplyErasures, type ErasureReport} from "./erasure-journal.js";
import type {Logger} from "./logger.js";
import {forgetHashKey} from "./rehash.js";
import type {Clock} from "./services.js";

/** The target database is not one a backup may be restored into. */
export class RestoreRefused extends Error {
  override name = "RestoreRefused";
}

export interface RestoreDeps {
  /** The target database, with migrations applied. */
  sql: Sql;
  storage: BackupStorage;
  keys: BackupKeys;
  clock: Clock;
  logger?: Logger;
}

export interface RestoreReport {
  backup: string;
  tables: {table: string; rows: number}[];
  erasures: ErasureReport;
  chain: ChainReport;
}

/** "latest" → the newest complete backup; any other value is taken as a backup id. */
export async function resolveBackup(storage: BackupStorage, which: string): Promise<string> {
  if (which !== "latest") return which;
  const latest = (await listBackups(storage)).find((b) => b.complete);
  if (!latest) throw new BackupIntegrityError(`there is no complete backup in ${storage.description}`);
  return latest.id;
}

async function checkTarget(sql: Sql, manifest: Manifest): Promise<void> {
  const known = new Map<string, string>(backupTables.map((t) => [t.name, t.name]));
  const applied = new Set((await sql<{name: string}[]>`SELECT name FROM schema_migrations`).map((r) => r.name));
  const missing = manifest.migrations.filter((m) => !applied.has(m));
  if (missing.length) {
    throw new RestoreRefused(`the target database lacks migrations ${missing.join(", ")} (backup of a newer version)`);
  }
  for (const t of manifest.tables) {
    if (!known.has(t.table)) throw new RestoreRefused(`the backup holds an unknown table "${t.table}"`);
    const columns = new Set(
      (
        await sql<{column_name: string}[]>`SELECT column_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${t.table}`
      ).map((r) => r.column_name)
    );
    const absent = t.columns.filter((c) => !columns.has(c));
    if (absent.length) throw new RestoreRefused(`table ${t.table} lacks columns ${absent.join(", ")} of the backup`);
    const [row] = await sql.unsafe(`SELECT 1 FROM ${ident(t.table)} LIMIT 1`);
    if (row) {
      throw new RestoreRefused(
        `the target database is not empty (table ${t.table} has rows): restore only into an empty database`
      );
    }
  }
}

/** Downloads one object, checks size and SHA-256, then decrypts it all (every tag) and counts its rows. */
async function fetchAndVerify(storage: BackupStorage, keys: BackupKeys, t: ManifestTable, dir: string) {
  const file = join(dir, `${t.table}.enc`);
  const hash = createHash("sha256");
  let bytes = 0;
  const source = await storage.get(t.object).catch((error: unknown) => {
    throw error instanceof ObjectMissing ? new BackupIntegrityError(`${t.object} is missing`) : error;
  });
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    }
  });
  await pipeline(source, measure, createWriteStream(file, {mode: 0o600}));
  const sha256 = hash.digest("hex");
  if (bytes !== t.bytes || sha256 !== t.sha256) {
    throw new BackupIntegrityError(
      `${t.object}: checksum mismatch (the manifest says ${t.bytes} bytes, SHA-256 ${t.sha256.slice(0, 16)}…; ` +
        `the storage holds ${bytes} bytes, SHA-256 ${sha256.slice(0, 16)}…): altered or truncated`
    );
  }
  let rows = 0;
  await pipeline(createReadStream(file), decryptStream(keys, t.object), createGunzip(), async (chunks) => {
    for await (const chunk of chunks as AsyncIterable<Buffer>) {
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) rows++;
    }
  });
  if (rows !== t.rows) throw new BackupIntegrityError(`${t.object}: ${rows} rows, the manifest says ${t.rows}`);
  return file;
}

const BATCH_ROWS = 500;

async function load(tx: postgres.TransactionSql, t: ManifestTable, file: string, keys: BackupKeys): Promise<void> {
  const columns = t.columns.map(ident).join(", ");
  const insert = (lines: string[]) =>
    tx.unsafe(
      `INSERT INTO ${ident(t.table)} (${columns}) OVERRIDING SYSTEM VALUE
       SELECT ${columns} FROM json_populate_recordset(null::${ident(t.table)}, $1::text::json)`,
      [`[${lines.join(",")}]`]
    );
  await pipeline(createReadStream(file), decryptStream(keys, t.object), createGunzip(), async (chunks) => {
    let rest = "";
    let batch: string[] = [];
    for await (const chunk of chunks as AsyncIterable<Buffer>) {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        batch.push(line);
        if (batch.length >= BATCH_ROWS) {
          await insert(batch);
          batch = [];
        }
      }
    }
    if (rest) batch.push(rest);
    if (batch.length) await insert(batch);
  });
  // Identity columns continue after the restored ids.
  for (const column of t.columns) {
    const [{seq}] = await tx<
      {seq: string | null}[]
    >`SELECT pg_get_serial_sequence(${ident(t.table)}, ${column}) AS seq`;
    if (seq) {
      await tx.unsafe(
        `SELECT setval($1, coalesce((SELECT max(${ident(column)}) FROM ${ident(t.table)}), 0) + 1, false)`,
        [seq]
      );
    }
  }
}

/** Restores a backup ("latest" or an id) into the empty target database; see the top of this file. */
export async function restoreBackup(deps: RestoreDeps, which: string): Promise<RestoreReport> {
  const {sql, storage, keys, clock, logger} = deps;
  const id = await resolveBackup(storage, which);
  const log = logger?.child({backup: id});
  const manifest = await readManifest(storage, keys, id);
  await checkTarget(sql, manifest);
  const dir = await mkdtemp(join(tmpdir(), "grafeno-restore-"));
  try {
    const files = new Map<string, string>();
    for (const t of manifest.tables) {
      files.set(t.table, await fetchAndVerify(storage, keys, t, dir));
      log?.info({table: t.table, rows: t.rows}, "restore: object verified");
    }
    const erasures = await readErasures(storage, keys, new Date(manifest.startedAt));
    log?.info({erasures: erasures.length}, "restore: erasure journal read; writing");
    const ordered = backupTables.flatMap(({name}) => manifest.tables.filter((t) => t.table === name));
    await sql.begin(async (tx) => {
      for (const t of ordered) {
        await load(tx, t, files.get(t.table)!, keys);
        log?.info({table: t.table, rows: t.rows}, "restore: table loaded");
      }
      // The backup's email and CPF hashes may be under another PII_HASH_KEY: the next start re-hashes them.
      await forgetHashKey(tx);
      await record(tx, {
        action: "backup.restored",
        detail: {backup: id, startedAt: manifest.startedAt, rows: manifest.tables.reduce((n, t) => n + t.rows, 0)},
        at: clock.now()
      });
    });
    const erasureReport = await reapplyErasures({sql, clock, logger: log}, erasures);
    log?.info({applied: erasureReport.applied.length}, "restore: erasures re-applied");
    const chain = await verifyChain(sql);
    return {
      backup: id,
      tables: manifest.tables.map((t) => ({table: t.table, rows: t.rows})),
      erasures: erasureReport,
      chain
    };
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

/** Re-applies the journal's erasures since a backup's time to an already restored database (after an interruption). */
export async function reapplyErasuresSince(deps: RestoreDeps, which: string): Promise<ErasureReport> {
  const manifest = await readManifest(deps.storage, deps.keys, await resolveBackup(deps.storage, which));
  const records = await readErasures(deps.storage, deps.keys, new Date(manifest.startedAt));
  return reapplyErasures(deps, records);
}
