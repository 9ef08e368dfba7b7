// The registry in Postgres (tables from api/migrations/0100_registry.sql): loading a canonical Arrow folder into
// them in one transaction, and reading them back as a RegistrySource with a cursor, so a table of millions of rows
// streams in batches. Loading uses COPY on a PostgreSQL server, and multi-row INSERTs on the embedded PGlite (whose
// socket does not carry COPY).
import {existsSync} from "node:fs";
import {join} from "node:path";
import {Readable} from "node:stream";
import {pipeline} from "node:stream/promises";
import postgres from "postgres";
import {readArrowRows} from "./arrow-io.js";
import {csvField} from "./csv-write.js";
import type {FieldSpec, TableName} from "./registry-schema.js";
import {TABLE_NAMES, tableSpec} from "./registry-schema.js";
import type {RegistrySource} from "./source.js";

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;
type Cell = string | number | null;

export interface PostgresLoadOptions {
  /** "copy" (COPY FROM STDIN, PostgreSQL servers) or "insert" (multi-row INSERT, works on PGlite too). */
  method: "copy" | "insert";
  /** Empty the tables first (default true): the folder replaces what was there, in the same transaction. */
  replace?: boolean;
  /**
   * Keep the first of rows repeating a trade bill's key instead of failing (a registry's tables cannot hold two rows
   * with one key; generated dirty data has such duplicates). Skipped rows are counted in the result.
   */
  skipDuplicateBills?: boolean;
  onProgress?: (progress: {table: TableName; rows: number}) => void;
}

export interface PostgresLoadResult {
  rows: Record<TableName, number>;
  skippedDuplicates: number;
  seconds: number;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

// COPY's CSV format reads an empty unquoted field as NULL, so an empty string must be written as "".
function copyField(value: unknown, field: FieldSpec): string {
  return value === "" ? '""' : csvField(value, field);
}

/** Loads `<folder>/<table>.arrow` for every canonical table, all in one transaction (all or nothing). */
export async function loadRegistryIntoPostgres(
  sql: Sql,
  folder: string,
  options: PostgresLoadOptions
): Promise<PostgresLoadResult> {
  const started = performance.now();
  for (const table of TABLE_NAMES) {
    const path = join(folder, `${table}.arrow`);
    if (!existsSync(path))
      throw new Error(`${path}: missing (a canonical folder has all of ${TABLE_NAMES.join(", ")})`);
  }
  const rows = {} as Record<TableName, number>;
  let skippedDuplicates = 0;
  const seenBills = new Set<string>();
  const progress = options.onProgress ?? (() => undefined);
  await sql.begin(async (tx) => {
    if (options.replace ?? true) await tx.unsafe(`TRUNCATE ${[...TABLE_NAMES].reverse().join(", ")}`);
    for (const table of TABLE_NAMES) {
      let count = 0;
      async function* source(): AsyncGenerator<Record<string, unknown>> {
        for await (const row of readArrowRows(table, join(folder, `${table}.arrow`))) {
          if (table === "trade_bills" && options.skipDuplicateBills) {
            const id = (row as {bill_id: string}).bill_id;
            if (seenBills.has(id)) {
              skippedDuplicates++;
              continue;
            }
            seenBills.add(id);
          }
          if (++count % 100_000 === 0) progress({table, rows: count});
          yield row as Record<string, unknown>;
        }
      }
      if (options.method === "copy") await copyRows(tx, table, source());
      else await insertRows(tx, table, source());
      rows[table] = count;
      progress({table, rows: count});
    }
  });
  return {rows, skippedDuplicates, seconds: (performance.now() - started) / 1000};
}

// COPY goes into an unconstrained temporary table first, then INSERT … SELECT moves the rows: postgres.js never
// settles a COPY that the server ends with an error (a foreign key, a duplicate key), while INSERT reports it.
// The canonical Arrow rows cannot fail the COPY itself (types and nullability are the table's).
async function copyRows(tx: Tx, table: TableName, rows: AsyncIterable<Record<string, unknown>>): Promise<void> {
  const fields = tableSpec(table).fields;
  const columns = fields.map((f) => quoteIdent(f.name)).join(", ");
  const stage = quoteIdent(`load_${table}`);
  await tx.unsafe(`CREATE TEMP TABLE ${stage} (LIKE ${quoteIdent(table)}) ON COMMIT DROP`);
  const target = await tx.unsafe(`COPY ${stage} (${columns}) FROM STDIN WITH (FORMAT csv)`).writable();
  async function* chunks(): AsyncGenerator<string> {
    let lines: string[] = [];
    for await (const row of rows) {
      let line = "";
      for (let i = 0; i < fields.length; i++) line += (i ? "," : "") + copyField(row[fields[i].name], fields[i]);
      lines.push(line + "\n");
      if (lines.length === 8192) {
        yield lines.join("");
        lines = [];
      }
    }
    if (lines.length) yield lines.join("");
  }
  await pipeline(Readable.from(chunks()), target);
  await tx.unsafe(`INSERT INTO ${quoteIdent(table)} (${columns}) SELECT ${columns} FROM ${stage}`);
  await tx.unsafe(`DROP TABLE ${stage}`);
}

async function insertRows(tx: Tx, table: TableName, rows: AsyncIterable<Record<string, unknown>>): Promise<void> {
  const fields = tableSpec(table).fields;
  const columns = fields.map((f) => f.name);
  // Postgres takes at most 65,535 parameters per statement.
  const batchRows = Math.floor(60_000 / columns.length);
  let batch: Record<string, Cell>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await tx`INSERT INTO ${tx(table)} ${tx(batch, columns)}`;
    batch = [];
  };
  for await (const row of rows) {
    const record: Record<string, Cell> = {};
    // Money goes as text with its two decimals: numeric(16,2) stores it exactly.
    for (const f of fields) {
      const value = row[f.name] as Cell;
      record[f.name] = f.decimals !== undefined && value !== null ? csvField(value, f) : value;
    }
    batch.push(record);
    if (batch.length === batchRows) await flush();
  }
  await flush();
}

/**
 * The SELECT list that gives rows the shape the other sources give (directorySource, mongoSource): dates and
 * instants as epoch milliseconds, money as numbers.
 */
export function selectList(table: TableName): string {
  return tableSpec(table)
    .fields.map((f) => {
      const c = quoteIdent(f.name);
      if (f.type === "date") return `((${c} - date '1970-01-01')::float8 * 86400000) AS ${c}`;
      if (f.type === "timestamp") return `(extract(epoch FROM ${c}) * 1000)::float8 AS ${c}`;
      if (f.type === "float") return `${c}::float8 AS ${c}`;
      return c;
    })
    .join(", ");
}

export interface PostgresSourceOptions {
  /** Rows fetched per round trip. */
  batchRows?: number;
  /** Schema holding the tables (search_path), when not the default. */
  schema?: string;
}

/**
 * The registry's Postgres tables as a RegistrySource. Given a URL it opens (and closes) its own connection per
 * table read; given a postgres.js instance it uses that one (the embedded PGlite takes a single connection).
 */
export function postgresSource(target: string | Sql, options: PostgresSourceOptions = {}): RegistrySource {
  const batchRows = options.batchRows ?? 5000;
  const describe =
    typeof target === "string" ? target.replace(/\/\/[^@/]*@/, "//***@") : `postgres:${options.schema ?? "connection"}`;
  return {
    describe,
    async *rows<T>(table: string): AsyncIterable<T> {
      if (!(TABLE_NAMES as readonly string[]).includes(table)) throw new Error(`Postgres source: no table ${table}`);
      const name = table as TableName;
      const sql =
        typeof target === "string"
          ? postgres(target, {
              max: 1,
              onnotice: () => {},
              connection: options.schema ? {search_path: options.schema} : {}
            })
          : target;
      try {
        // Qualified: a bare name would mean the output column, which may be the converted value.
        const order = tableSpec(name)
          .primaryKey.map((k) => `${quoteIdent(name)}.${quoteIdent(k)}`)
          .join(", ");
        const query = sql.unsafe(`SELECT ${selectList(name)} FROM ${quoteIdent(name)} ORDER BY ${order}`);
        for await (const batch of query.cursor(batchRows)) for (const row of batch) yield row as T;
      } finally {
        if (typeof target === "string") await sql.end({timeout: 5});
      }
    }
  };
}

export type BillOwner = "participant" | "assignor" | "payer";

/** The SQL of billsOf ($1 = the owner's id, $2 = how many): an index scan on (owner, registered_at), backwards. */
export function billsQuery(owner: BillOwner): string {
  return (
    `SELECT ${selectList("trade_bills")} FROM trade_bills WHERE trade_bills.${owner}_id = $1 ` +
    // Ordered like the (owner, registered_at) index, so the planner cannot prefer walking the registered_at index
    // and filtering (slow for an owner who stopped registering long ago). trade_bills.registered_at: the column,
    // not the converted output column of the same name.
    `ORDER BY trade_bills.${owner}_id DESC, trade_bills.registered_at DESC LIMIT $2`
  );
}

/** One participant's, assignor's or payer's bills, newest first: the query the registry indexes are made for. */
export async function billsOf(sql: Sql, owner: BillOwner, id: string, limit = 1000) {
  return sql.unsafe(billsQuery(owner), [id, limit]);
}
