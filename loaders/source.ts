// Where loaders read the registry from. GRAFENO_SOURCE selects it: `dir:<folder>` of canonical Arrow files
// (default `dir:data/sample`), `mongodb://…` for the registrar's nested trade-bill documents, or `postgres://…` for
// the registry tables in Postgres.
import {createReadStream, existsSync} from "node:fs";
import {join, resolve} from "node:path";
import {RecordBatchReader} from "apache-arrow";
import {mongoSource} from "./mongo-source.js";
import {postgresSource} from "./postgres-registry.js";

export interface RegistrySource {
  describe: string;
  /** Rows of a canonical table as plain objects, streamed batch by batch. */
  rows<T = Record<string, unknown>>(table: string): AsyncIterable<T>;
}

export function directorySource(folder: string): RegistrySource {
  const dir = resolve(folder);
  return {
    describe: `dir:${dir}`,
    async *rows<T>(table: string): AsyncIterable<T> {
      const path = join(dir, `${table}.arrow`);
      if (!existsSync(path)) throw new Error(`${path}: missing table ${table} (run npm run data:generate)`);
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
