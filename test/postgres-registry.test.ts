// Runs on the embedded PGlite by default and on the real PostgreSQL when DATABASE_URL is set (testDatabase()).
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Database} from "../api/db.js";
import {migrate} from "../api/migrate.js";
import {readArrowRows, writeArrowTable} from "../loaders/arrow-io.js";
import {generateRegistry} from "../loaders/generate.js";
import {sourceInput} from "../loaders/import-inputs.js";
import {importRegistry} from "../loaders/import.js";
import {billsOf, billsQuery, loadRegistryIntoPostgres, postgresSource} from "../loaders/postgres-registry.js";
import {monthlyRegistrations} from "../loaders/registrations.js";
import {buildRegistryFrame} from "../loaders/registry-frame.js";
import {frameRiskRows} from "../loaders/risk-frame.js";
import type {TableName} from "../loaders/registry-schema.js";
import {REGISTRY_TABLES, TABLE_NAMES} from "../loaders/registry-schema.js";
import {collect, directorySource, sourceFromEnv} from "../loaders/source.js";
import {testDatabase} from "./helpers/database.js";
import {fixture, writeArrowFolder} from "./helpers/registry-fixture.js";

let db: Database & {schema?: string};
let root: string;
let generated: string;

/** Rows of a canonical folder, sorted by primary key, for comparing tables row for row. */
async function sortedTable(dir: string, table: TableName): Promise<Record<string, unknown>[]> {
  const rows = (await collect(readArrowRows(table, join(dir, `${table}.arrow`)))) as Record<string, unknown>[];
  const key = (row: Record<string, unknown>) =>
    REGISTRY_TABLES[table].primaryKey.map((k) => String(row[k]).padStart(12, "0")).join("|");
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const method = () => (db.embedded ? "insert" : "copy");

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "pg-registry-"));
  generated = join(root, "generated");
  [db] = await Promise.all([
    testDatabase(),
    generateRegistry({seed: 3, bills: 2000, out: generated, formats: ["arrow"]})
  ]);
  await migrate(db.sql);
});
afterAll(async () => {
  await db?.close();
  await rm(root, {recursive: true, force: true});
});

describe(`the registry in Postgres (${process.env.DATABASE_URL ? "PostgreSQL server" : "embedded PGlite"})`, () => {
  it("has tables whose columns are the canonical schema's, in order, with matching types and nullability", async () => {
    const sqlType = {string: "text", enum: "text", int: "integer", float: "numeric", date: "date"} as const;
    for (const table of TABLE_NAMES) {
      const columns = await db.sql<{column_name: string; data_type: string; is_nullable: string}[]>`
        SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = ${table} AND table_schema = current_schema() ORDER BY ordinal_position`;
      expect(
        columns.map((c) => [c.column_name, c.data_type, c.is_nullable === "YES"]),
        table
      ).toEqual(
        REGISTRY_TABLES[table].fields.map((f) => [
          f.name,
          f.type === "timestamp" ? "timestamp with time zone" : sqlType[f.type],
          f.nullable
        ])
      );
    }
  });

  it("round trip: generate → Postgres → import gives identical tables, row for row", async () => {
    const load = await loadRegistryIntoPostgres(db.sql, generated, {method: method()});
    const manifest = (await import(join(generated, "manifest.json"), {with: {type: "json"}})).default;
    for (const table of TABLE_NAMES) expect(load.rows[table], table).toBe(manifest.tables[table].rows);
    const out = join(root, "from-postgres");
    const report = await importRegistry({input: sourceInput(postgresSource(db.sql)), to: out, onError: "reject"});
    expect(report.problems).toEqual([]);
    for (const table of TABLE_NAMES) {
      expect(await sortedTable(out, table), table).toEqual(await sortedTable(generated, table));
    }
  });

  it("serves rows shaped like the folder source's, so loaders give the same answers from either", async () => {
    const bills = await collect(postgresSource(db.sql, {batchRows: 333}).rows<never>("trade_bills"));
    const fromFolder = await collect(directorySource(generated).rows<never>("trade_bills"));
    expect(monthlyRegistrations(bills)).toEqual(monthlyRegistrations(fromFolder));
  });

  it("feeds the registry frame the loaders read: every installment's risk features are the folder's", async () => {
    const fromPostgres = await buildRegistryFrame(postgresSource(db.sql, {batchRows: 500}));
    const fromFolder = await buildRegistryFrame(directorySource(generated));
    expect(fromPostgres.installments.length).toBe(fromFolder.installments.length);
    // riskRows order depends on registration time and bill id only, not on the order the source returns rows in.
    expect(frameRiskRows(fromPostgres)).toEqual(frameRiskRows(fromFolder));
  });

  it("gives one payer's bills newest first through the payer index", async () => {
    const [{payer_id}] = await db.sql<{payer_id: string}[]>`
      SELECT payer_id FROM trade_bills GROUP BY payer_id ORDER BY count(*) DESC, payer_id LIMIT 1`;
    const rows = await billsOf(db.sql, "payer", payer_id);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((r) => r.payer_id === payer_id)).toBe(true);
    const times = rows.map((r) => r.registered_at as number);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Tiny tables are scanned whole; with scans and sorts priced out, the plan must walk the index backwards.
    const plan = await db.sql.begin(async (tx) => {
      await tx.unsafe("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off");
      return tx.unsafe(`EXPLAIN ${billsQuery("payer")}`, [payer_id, 1000]);
    });
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toMatch(/Index Scan Backward using trade_bills_payer_idx/);
    expect(text).not.toMatch(/Sort/);
  });

  it("loads all or nothing: a folder that breaks a foreign key leaves the tables as they were", async () => {
    const broken = join(root, "broken");
    const registry = fixture();
    await writeArrowFolder(broken, registry);
    await writeArrowTable("payments", join(broken, "payments.arrow"), [
      ...registry.payments,
      {...registry.payments[0], payment_id: "PAY-X", installment_number: 7}
    ]);
    const before = await db.sql`SELECT count(*)::int AS n FROM installments`;
    await expect(loadRegistryIntoPostgres(db.sql, broken, {method: method()})).rejects.toThrow(/foreign key/);
    expect(await db.sql`SELECT count(*)::int AS n FROM installments`).toEqual(before);
  });

  it("is chosen by GRAFENO_SOURCE=postgres://… with the password kept out of its description", () => {
    const source = sourceFromEnv({GRAFENO_SOURCE: "postgres://user:secret@db.example:5432/registry"});
    expect(source.describe).toBe("postgres://***@db.example:5432/registry");
    expect(sourceFromEnv({GRAFENO_SOURCE: "postgresql://h/db"}).describe).toBe("postgresql://h/db");
  });

  it.runIf(process.env.DATABASE_URL)("streams from its own connection when given a URL", async () => {
    const source = postgresSource(process.env.DATABASE_URL!, {schema: db.schema, batchRows: 100});
    const rows = await collect(source.rows<{bill_id: string; number: number}>("installments"));
    expect(rows.length).toBe((await sortedTable(generated, "installments")).length);
  });
});
