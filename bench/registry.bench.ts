// Registry throughput in one run on one machine: the generator (rows/s, Arrow + CSV written), our CSV reader alone,
// our full CSV import (parse, validate, write Arrow), each next to DuckDB's own CSV reader on the very same files,
// with the column types from the schema (left to guess, DuckDB reads the 44-digit nfe_key as DOUBLE).
// `registryBench()` plugs into bench/run.ts; run alone: tsx bench/registry.bench.ts [--bills 100000].
import {mkdtemp, rm} from "node:fs/promises";
import {cpus, tmpdir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {parseArgs} from "node:util";
import {DuckDBInstance} from "@duckdb/node-api";
import {openCsv} from "../loaders/csv-read.js";
import {generateRegistry} from "../loaders/generate.js";
import {csvInput} from "../loaders/import-inputs.js";
import {importRegistry} from "../loaders/import.js";
import type {FieldSpec} from "../loaders/registry-schema.js";
import {TABLE_NAMES, tableSpec} from "../loaders/registry-schema.js";
import type {BenchResult, Measurement} from "./harness.js";
import {markdownRow, measure, tableHeader} from "./harness.js";

function duckType(field: FieldSpec): string {
  const types = {string: "VARCHAR", enum: "VARCHAR", int: "INTEGER", float: "DOUBLE", date: "DATE"} as const;
  return field.type === "timestamp" ? "TIMESTAMPTZ" : types[field.type];
}

/** DuckDB reads every table's CSV into a fresh in-memory table; returns the rows read. */
async function duckdbRead(dir: string, threads?: number): Promise<number> {
  const instance = await DuckDBInstance.create(":memory:", threads ? {threads: String(threads)} : {});
  const connection = await instance.connect();
  try {
    let rows = 0;
    for (const table of TABLE_NAMES) {
      const columns = tableSpec(table)
        .fields.map((f) => `'${f.name}': '${duckType(f)}'`)
        .join(", ");
      const path = join(dir, `${table}.csv`).replace(/'/g, "''");
      await connection.run(
        `CREATE TABLE ${table} AS SELECT * FROM read_csv('${path}', header = true, delim = ',', quote = '"', ` +
          `columns = {${columns}})`
      );
      const reader = await connection.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${table}`);
      rows += reader.getRows()[0][0] as number;
    }
    return rows;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function readAll(dir: string): Promise<number> {
  let rows = 0;
  for (const table of TABLE_NAMES) {
    const file = await openCsv(join(dir, `${table}.csv`));
    for await (const batch of file.batches()) rows += batch.records.length;
  }
  return rows;
}

async function once(fn: () => Promise<unknown>): Promise<Measurement> {
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  return {median: ms, min: ms, max: ms, runs: 1};
}

export async function registryBench({bills = 100_000, runs = 3} = {}): Promise<BenchResult[]> {
  const root = await mkdtemp(join(tmpdir(), "registry-bench-"));
  const dir = join(root, "generated");
  try {
    let rows = 0;
    const generator = await once(async () => {
      const manifest = await generateRegistry({seed: 1, bills, out: dir});
      rows = TABLE_NAMES.reduce((sum, t) => sum + manifest.tables[t].rows, 0);
    });
    const check = (n: number, who: string) => {
      if (n !== rows) throw new Error(`${who} read ${n} rows, expected ${rows}`);
    };
    const options = {runs, warmup: 1};
    const duck = await measure(async () => check(await duckdbRead(dir), "DuckDB"), options);
    const duckOne = await measure(async () => check(await duckdbRead(dir, 1), "DuckDB (1 thread)"), options);
    const reader = await measure(async () => check(await readAll(dir), "our CSV reader"), options);
    let out = 0;
    const imported = await measure(async () => {
      const report = await importRegistry({
        input: csvInput(dir),
        to: join(root, `imported-${out++}`),
        onError: "reject"
      });
      if (report.status !== "imported") throw new Error(`import refused: ${report.problemCount} problems`);
    }, options);
    const what = `${bills.toLocaleString("en-US")} bills, ${rows.toLocaleString("en-US")} rows in 5 CSV tables`;
    const threads = cpus().length;
    const duckRef = {name: `DuckDB read_csv, typed, ${threads} threads`, time: duck};
    return [
      {name: "registry generator (Arrow + CSV)", what, ours: generator, items: rows, itemName: "rows"},
      {
        name: "CSV import: parse, validate, write Arrow",
        what,
        ours: imported,
        items: rows,
        itemName: "rows",
        reference: duckRef
      },
      {
        name: "CSV import, against DuckDB on 1 thread",
        what,
        ours: imported,
        items: rows,
        itemName: "rows",
        reference: {name: "DuckDB read_csv, typed, 1 thread", time: duckOne}
      },
      {
        name: "CSV reader alone (records, no types)",
        what,
        ours: reader,
        items: rows,
        itemName: "rows",
        reference: duckRef
      }
    ];
  } finally {
    await rm(root, {recursive: true, force: true});
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const {values} = parseArgs({
    options: {bills: {type: "string", default: "100000"}, runs: {type: "string", default: "3"}}
  });
  const results = await registryBench({bills: Number(values.bills), runs: Number(values.runs)});
  console.log([...tableHeader, ...results.map(markdownRow)].join("\n"));
}
