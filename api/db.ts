// One Postgres driver (postgres.js) for both modes: a real server from DATABASE_URL, or the embedded PGlite
// behind pglite-socket, which speaks the same wire protocol but takes one connection at a time.
import {mkdir} from "node:fs/promises";
import postgres from "postgres";
import type {Logger} from "./logger.js";

export type Sql = postgres.Sql;

export interface Database {
  sql: Sql;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url?: string;
  /** Folder for the embedded database; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  /** Postgres schema to use (tests isolate themselves in a random one). */
  schema?: string;
  logger?: Logger;
}

function connect(url: string, max: number, schema?: string): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connection: schema ? {search_path: schema} : {},
    // Numeric columns come back as numbers; bigint counts fit.
    types: {bigint: postgres.BigInt}
  });
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) {
    const sql = connect(options.url, 10, options.schema);
    if (options.schema) await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    return {sql, url: options.url, embedded: false, close: () => sql.end({timeout: 5})};
  }
  const {PGlite} = await import("@electric-sql/pglite");
  const {PGLiteSocketServer} = await import("@electric-sql/pglite-socket");
  const dataDir = options.dataDir ?? "data/pglite";
  if (!dataDir.startsWith("memory://")) await mkdir(dataDir, {recursive: true});
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({db, port: 0, host: "127.0.0.1"});
  const port = await new Promise<number>((resolve, reject) => {
    server.addEventListener("listening", (event) => resolve((event as CustomEvent).detail.port), {once: true});
    server.start().catch(reject);
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const sql = connect(url, 1, options.schema);
  if (options.schema) await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  options.logger?.info({dataDir}, "embedded Postgres (PGlite) ready");
  return {
    sql,
    url,
    embedded: true,
    async close() {
      await sql.end({timeout: 5});
      await server.stop();
      await db.close();
    }
  };
}
