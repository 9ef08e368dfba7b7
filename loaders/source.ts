// Where loaders read the registry from. GRAFENO_SOURCE selects it: `dir:<folder>` of canonical Arrow files
// (default `dir:data/sample`), `mongodb://…` for the registrar's nested trade-bill documents, or `postgres://…` for
// the registry tables in Postgres.
import {createReadStream, existsSync, readFileSync, statSync} from "node:fs";
import {join, resolve} from "node:path";
import {RecordBatchReader, tableFromIPC} from "apache-arrow";
import type {ColumnLike} from "./column-read.js";
import {mongoSource} from "./mongo-source.js";
import {postgresSource} from "./postgres-registry.js";

export interface RegistrySource {
  describe: string;
  /** Rows of a canonical table as plain objects, streamed batch by batch. */
  rows<T = Record<string, unknown>>(table: string): AsyncIterable<T>;
  /** Named columns of a table without a JS object per row, where the source stores columns (Arrow files). */
  columns?(table: string, names: readonly string[]): Promise<Record<string, ColumnLike>>;
  /** Changes whenever the data changes, where that is cheap to know (file sizes and times); else undefined. */
  fingerprint?(tables: readonly string[]): string;
}

export function directorySource(folder: string): RegistrySource {
  const dir = resolve(folder);
  const file = (table: string) => {
    const path = join(dir, `${table}.arrow`);
    if (!existsSync(path)) throw new Error(`${path}: missing table ${table} (run npm run data:generate)`);
    return path;
  };
  return {
    describe: `dir:${dir}`,
    async columns(table, names) {
      const path = file(table);
      const arrow = tableFromIPC(readFileSync(path));
      const out: Record<string, ColumnLike> = {};
      for (const name of names) {
        const column = arrow.getChild(name);
        if (!column) throw new Error(`${path}: no column ${name}`);
        out[name] = column;
      }
      return out;
    },
    fingerprint(tables) {
      return tables
        .map((table) => {
          const s = statSync(file(table));
          return `${table}:${s.size}:${s.mtimeMs}`;
        })
        .join(",");
    },
    async *rows<T>(table: string): AsyncIterable<T> {
      const path = file(table);
      const reader = await RecordBatchReader.from(createReadStream(path));
      for await (const batch of reader) {
        for (let i = 0; i < batch.numRows; i++) yield batch.get(i)!.toJSON() as T;
      }
    }
  };
}

export function sourceFromEnv(env: NodeJS.ProcessEnv = process.env): RegistrySource {
  const spec = env.GRAFENO_SOURCE ?? "dir:data/sample";
  const [kind, ...rest] = spec.split(":");
  const target = rest.join(":");
  if (kind === "dir") return directorySource(target || "data/sample");
  if (kind === "mongodb") return mongoSource(spec, {collection: env.GRAFENO_MONGODB_COLLECTION});
  if (kind === "postgres" || kind === "postgresql") return postgresSource(spec);
  throw new Error(
    `GRAFENO_SOURCE=${spec}: unknown source kind "${kind}" (expected dir:<folder>, mongodb://… or postgres://…)`
  );
}

export async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** Named columns of a table: the source's own columns when it stores them, else gathered from its rows. */
export async function readColumns(
  source: RegistrySource,
  table: string,
  names: readonly string[]
): Promise<Record<string, ColumnLike>> {
  if (source.columns) return source.columns(table, names);
  const out: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  for await (const row of source.rows<Record<string, unknown>>(table)) {
    for (const name of names) out[name].push(row[name] ?? null);
  }
  return out;
}
