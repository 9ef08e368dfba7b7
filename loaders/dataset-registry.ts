// The datasets that exist, for the dataset explorer: name, where the data came from, rows per table, schema, time
// range, a checksum over the files, when it was imported. Kept in data/datasets.json, written atomically (temporary
// file + rename) under a lock file, so two imports finishing together both get recorded.
import {createHash} from "node:crypto";
import {createReadStream} from "node:fs";
import {mkdir, open, readFile, rm, stat} from "node:fs/promises";
import {dirname, join, resolve} from "node:path";
import {RecordBatchReader} from "apache-arrow";
import {openAtomicFile} from "./arrow-io.js";
import {TABLE_NAMES, isoDate, isoTimestamp} from "./registry-schema.js";

export const DATASETS_FILE = "data/datasets.json";
export type DatasetKind = "registry" | "transactions";

export interface DatasetTable {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  columns: {name: string; type: string; nullable: boolean}[];
}

export interface Dataset {
  name: string;
  kind: DatasetKind;
  /** Where the rows came from (a folder, a file and its mapping, a database). */
  source: string;
  /** The canonical folder holding the dataset's Arrow files. */
  folder: string;
  tables: Record<string, DatasetTable>;
  /** Earliest and latest registration (registry) or purchase date (transactions); null when empty. */
  time_range: {column: string; from: string; to: string} | null;
  /** sha256 over "<table> <file sha256>" lines in table order: equal checksums, equal data. */
  checksum: string;
  imported_at: string;
  rejected_rows: number;
}

const TIME_COLUMNS: Record<DatasetKind, [string, string]> = {
  registry: ["trade_bills", "registered_at"],
  transactions: ["transactions", "date"]
};

export function datasetsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GRAFENO_DATA_DIR ? join(env.GRAFENO_DATA_DIR, "datasets.json") : DATASETS_FILE;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Rows, schema and (for one column) the smallest and largest value of an Arrow file, in one pass. */
async function scanArrow(path: string, column: string | null) {
  const handle = await open(path, "r");
  try {
    const reader = await (await RecordBatchReader.from(handle)).open();
    const columns = reader.schema.fields.map((f) => ({name: f.name, type: String(f.type), nullable: f.nullable}));
    let rows = 0;
    let [min, max] = [Infinity, -Infinity];
    for await (const batch of reader) {
      rows += batch.numRows;
      const vector = column ? batch.getChild(column) : null;
      if (vector) {
        for (const value of vector) {
          if (value === null) continue;
          const n = Number(value instanceof Date ? value.getTime() : value);
          if (n < min) min = n;
          if (n > max) max = n;
        }
      }
    }
    return {rows, columns, min, max};
  } finally {
    await handle.close();
  }
}

export interface DescribeOptions {
  name: string;
  kind: DatasetKind;
  folder: string;
  source: string;
  /** When the data was imported (ISO instant); given, so the description is reproducible. */
  importedAt: string;
  rejectedRows?: number;
}

/** Describes a canonical folder from its files: rows, schema, time range, checksums. */
export async function describeDataset(options: DescribeOptions): Promise<Dataset> {
  if (!/^[\w.-]{1,100}$/.test(options.name)) {
    throw new RangeError(`dataset name "${options.name}": letters, digits, ".", "_" and "-" only`);
  }
  const folder = resolve(options.folder);
  const names = options.kind === "registry" ? [...TABLE_NAMES] : ["transactions"];
  const [timeTable, timeColumn] = TIME_COLUMNS[options.kind];
  const tables: Record<string, DatasetTable> = {};
  let range: Dataset["time_range"] = null;
  for (const table of names) {
    const file = join(folder, `${table}.arrow`);
    const [scan, sha256, info] = await Promise.all([
      scanArrow(file, table === timeTable ? timeColumn : null),
      sha256File(file),
      stat(file)
    ]);
    tables[table] = {file, rows: scan.rows, bytes: info.size, sha256, columns: scan.columns};
    if (table === timeTable && scan.rows > 0 && Number.isFinite(scan.min)) {
      const format = timeColumn === "date" ? (ms: number) => isoDate(Math.floor(ms / 86_400_000)) : isoTimestamp;
      range = {column: `${timeTable}.${timeColumn}`, from: format(scan.min), to: format(scan.max)};
    }
  }
  const checksum = createHash("sha256")
    .update(names.map((t) => `${t} ${tables[t].sha256}\n`).join(""))
    .digest("hex");
  return {
    name: options.name,
    kind: options.kind,
    source: options.source,
    folder,
    tables,
    time_range: range,
    checksum,
    imported_at: options.importedAt,
    rejected_rows: options.rejectedRows ?? 0
  };
}

export async function readDatasets(path = datasetsPath()): Promise<Dataset[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const parsed = JSON.parse(text) as {version: number; datasets: Dataset[]};
  if (parsed.version !== 1 || !Array.isArray(parsed.datasets)) throw new Error(`${path}: not a dataset registry`);
  return parsed.datasets;
}

/** Holds `<path>.lock` while `work` runs; a lock older than `staleMs` is taken over (its holder died). */
async function withLock<T>(path: string, work: () => Promise<T>, staleMs = 60_000): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(path), {recursive: true});
  for (let attempt = 0; ; attempt++) {
    try {
      await (await open(lock, "wx")).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now()
        ));
      if (age > staleMs) await rm(lock, {force: true});
      else if (attempt > 200)
        throw new Error(`${lock}: held for too long; remove it if no import is running`, {cause: error});
      else await new Promise((done) => setTimeout(done, 25));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, {force: true});
  }
}

/** Adds a dataset, or replaces the one with the same name; returns the registry as written (sorted by name). */
export async function registerDataset(dataset: Dataset, path = datasetsPath()): Promise<Dataset[]> {
  return withLock(path, async () => {
    const datasets = (await readDatasets(path)).filter((d) => d.name !== dataset.name);
    datasets.push(dataset);
    datasets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const file = await openAtomicFile(path);
    try {
      await file.write(Buffer.from(JSON.stringify({version: 1, datasets}, null, 2) + "\n", "utf8"));
      await file.commit();
    } catch (error) {
      await file.abort();
      throw error;
    }
    return datasets;
  });
}

/** Removes a dataset from the registry (its files stay); false when there was none of that name. */
export async function forgetDataset(name: string, path = datasetsPath()): Promise<boolean> {
  return withLock(path, async () => {
    const datasets = await readDatasets(path);
    const kept = datasets.filter((d) => d.name !== name);
    if (kept.length === datasets.length) return false;
    const file = await openAtomicFile(path);
    await file.write(Buffer.from(JSON.stringify({version: 1, datasets: kept}, null, 2) + "\n", "utf8"));
    await file.commit();
    return true;
  });
}
