// Where the generator's rows go: one sink per table and format, JSON-lines files for the hidden truth, and the
// manifest, written last, that records sizes and checksums. Every file is written under a temporary name and renamed
// into place on close; on failure all of them are removed again.
import {join, relative, sep} from "node:path";
import type {RowSink, WrittenFile} from "./arrow-io.js";
import {createArrowWriter, openAtomicFile} from "./arrow-io.js";
import {createCsvWriter} from "./csv-write.js";
import type {RowOf, TableName} from "./registry-schema.js";
import {TABLE_NAMES} from "./registry-schema.js";

export const OUTPUT_FORMATS = ["arrow", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const TRUTH_FILES = ["participants", "parties", "macro", "dirty"] as const;
export type TruthFile = (typeof TRUTH_FILES)[number];

export interface ManifestFile {
  /** Path relative to the output folder, with forward slashes. */
  file: string;
  bytes: number;
  sha256: string;
}

export interface RegistryManifest {
  generator: string;
  generator_version: string;
  seed: number;
  bills: number;
  dirty: number;
  start: string;
  end: string;
  as_of: string;
  formats: OutputFormat[];
  sizes: {participants: number; assignors: number; payers: number};
  tables: Record<TableName, {rows: number; files: Partial<Record<OutputFormat, ManifestFile>>}>;
  /** Hidden truth for evaluating models and cleaning; feature code must never read it. */
  truth: Record<TruthFile, ManifestFile & {rows: number}>;
}

export interface RegistryOutputs {
  write<T extends TableName>(table: T, row: RowOf<T>): void;
  /** Rows written so far to a table. */
  rows(table: TableName): number;
  truth: Record<TruthFile, RowSink<object>>;
  /** Writes buffered bytes to disk once they pass a threshold; call it often. */
  drain(): Promise<void>;
  /** Closes every file and writes manifest.json (built from the files' checksums) last. */
  close(
    manifest: (tables: RegistryManifest["tables"], truth: RegistryManifest["truth"]) => RegistryManifest
  ): Promise<RegistryManifest>;
  abort(): Promise<void>;
}

export async function openRegistryOutputs(out: string, formats: OutputFormat[]): Promise<RegistryOutputs> {
  const tables = {} as Record<TableName, RowSink<never>[]>;
  const truth = {} as Record<TruthFile, RowSink<object>>;
  const sinks: RowSink<never>[] = [];
  try {
    for (const table of TABLE_NAMES) {
      tables[table] = [];
      for (const format of formats) {
        const path = join(out, `${table}.${format}`);
        const sink = format === "arrow" ? await createArrowWriter(table, path) : await createCsvWriter(table, path);
        tables[table].push(sink as RowSink<never>);
        sinks.push(sink as RowSink<never>);
      }
    }
    for (const name of TRUTH_FILES) {
      sinks.push((truth[name] = await createJsonlWriter(join(out, "truth", `${name}.jsonl`))));
    }
  } catch (error) {
    await Promise.all(sinks.map((s) => s.abort().catch(() => undefined)));
    throw error;
  }
  const entry = (w: WrittenFile): ManifestFile => ({
    file: relative(out, w.path).split(sep).join("/"),
    bytes: w.bytes,
    sha256: w.sha256
  });
  return {
    write(table, row) {
      for (const sink of tables[table]) (sink as RowSink<typeof row>).append(row);
    },
    rows: (table) => tables[table][0].rows,
    truth,
    async drain() {
      let pending = 0;
      for (const sink of sinks) pending += sink.pendingBytes;
      if (pending > 16 << 20) await Promise.all(sinks.map((s) => s.drain()));
    },
    async close(build) {
      const written = new Map<RowSink<never>, WrittenFile>();
      for (const sink of sinks) written.set(sink, await sink.close());
      const tableEntries = {} as RegistryManifest["tables"];
      for (const table of TABLE_NAMES) {
        const files: Partial<Record<OutputFormat, ManifestFile>> = {};
        formats.forEach((format, i) => (files[format] = entry(written.get(tables[table][i])!)));
        tableEntries[table] = {rows: written.get(tables[table][0])!.rows, files};
      }
      const truthEntries = {} as RegistryManifest["truth"];
      for (const name of TRUTH_FILES) {
        const w = written.get(truth[name] as RowSink<never>)!;
        truthEntries[name] = {...entry(w), rows: w.rows};
      }
      const manifest = build(tableEntries, truthEntries);
      const file = await openAtomicFile(join(out, "manifest.json"));
      await file.write(Buffer.from(JSON.stringify(manifest, null, 2) + "\n", "utf8"));
      await file.commit();
      return manifest;
    },
    abort: async () => void (await Promise.all(sinks.map((s) => s.abort().catch(() => undefined))))
  };
}

/** JSON lines, written atomically like the tables. */
export async function createJsonlWriter(path: string): Promise<RowSink<object>> {
  const file = await openAtomicFile(path);
  let lines: string[] = [];
  let chars = 0;
  let rows = 0;
  const drain = async () => {
    if (lines.length === 0) return;
    const chunk = Buffer.from(lines.join(""), "utf8");
    lines = [];
    chars = 0;
    await file.write(chunk);
  };
  return {
    path,
    get rows() {
      return rows;
    },
    get pendingBytes() {
      return chars;
    },
    append(row) {
      const line = JSON.stringify(row) + "\n";
      lines.push(line);
      chars += line.length;
      rows++;
    },
    drain,
    async close() {
      await drain();
      return {path, rows, ...(await file.commit())};
    },
    abort: () => file.abort()
  };
}
