// Registry throughput, in one run on one machine: the generator (rows/s written as Arrow + CSV), our CSV reader
// alone, our full CSV import (parse, validate, write Arrow), and DuckDB's own CSV reader on the very same files
// (with the column types from the schema: left to guess, DuckDB reads the 44-digit nfe_key as DOUBLE), at DuckDB's
// default threads and at one thread. Prints a table and the ratios; `--markdown <file>` writes them for docs/.
//
//   tsx bench/registry.bench.ts [--bills 200000] [--seed 1] [--markdown docs/benchmarks.md]
import {mkdtemp, rm, writeFile} from "node:fs/promises";
import {cpus, tmpdir} from "node:os";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {DuckDBInstance} from "@duckdb/node-api";
import {openCsv} from "../loaders/csv-read.js";
import {generateRegistry} from "../loaders/generate.js";
import {csvInput} from "../loaders/import-inputs.js";
import {importRegistry} from "../loaders/import.js";
import type {FieldSpec} from "../loaders/registry-schema.js";
import {TABLE_NAMES, tableSpec} from "../loaders/registry-schema.js";

const {values: flags} = parseArgs({
  options: {
    bills: {type: "string", default: "200000"},
    seed: {type: "string", default: "1"},
    markdown: {type: "string"}
  }
});
const bills = Number(flags.bills);
const seed = Number(flags.seed);

interface Measure {
  name: string;
  rows: number;
  seconds: number;
  note: string;
}

const rate = (m: Measure) => m.rows / m.seconds;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const peakRss = {mb: 0};
const sampleRss = setInterval(() => (peakRss.mb = Math.max(peakRss.mb, process.memoryUsage().rss / 2 ** 20)), 200);

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

function duckType(field: FieldSpec): string {
  const types = {string: "VARCHAR", enum: "VARCHAR", int: "INTEGER", float: "DOUBLE", date: "DATE"} as const;
  return field.type === "timestamp" ? "TIMESTAMPTZ" : types[field.type];
}

/** DuckDB reads every table's CSV into a table; returns rows read and the checksum of the money columns. */
async function duckdbRead(dir: string, threads?: number): Promise<{rows: number; money: number}> {
  const instance = await DuckDBInstance.create(":memory:", threads ? {threads: String(threads)} : {});
  const connection = await instance.connect();
  try {
    let rows = 0;
    let money = 0;
    for (const table of TABLE_NAMES) {
      const fields = tableSpec(table).fields;
      const columns = fields.map((f) => `'${f.name}': '${duckType(f)}'`).join(", ");
      const path = join(dir, `${table}.csv`).replace(/'/g, "''");
      await connection.run(
        `CREATE TABLE ${table} AS SELECT * FROM read_csv('${path}', header = true, delim = ',', quote = '"', ` +
          `columns = {${columns}})`
      );
      const value = fields.some((f) => f.name === "value") ? "sum(value)" : "0";
      const reader = await connection.runAndReadAll(`SELECT count(*)::DOUBLE, (${value})::DOUBLE FROM ${table}`);
      const [count, sum] = reader.getRows()[0] as [number, number];
      rows += count;
      money += sum;
    }
    return {rows, money};
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function parseOnly(dir: string): Promise<number> {
  let rows = 0;
  for (const table of TABLE_NAMES) {
    const file = await openCsv(join(dir, `${table}.csv`));
    for await (const batch of file.batches()) rows += batch.records.length;
  }
  return rows;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "registry-bench-"));
  const dir = join(root, "generated");
  const measures: Measure[] = [];
  try {
    process.stderr.write(`bench: generating ${fmt(bills)} bills (seed ${seed}) in ${dir}\n`);
    const [manifest, genSeconds] = await timed(() => generateRegistry({seed, bills, out: dir}));
    const rows = TABLE_NAMES.reduce((sum, t) => sum + manifest.tables[t].rows, 0);
    const csvBytes = TABLE_NAMES.reduce((sum, t) => sum + (manifest.tables[t].files.csv?.bytes ?? 0), 0);
    const note = `all five tables, Arrow + ${fmt(csvBytes / 2 ** 20)} MiB of CSV`;
    measures.push({name: "generator", rows, seconds: genSeconds, note});

    const [parsed, parseSeconds] = await timed(() => parseOnly(dir));
    measures.push({name: "our CSV reader (records only)", rows: parsed, seconds: parseSeconds, note: "1 thread"});

    const [report, importSeconds] = await timed(() =>
      importRegistry({input: csvInput(dir), to: join(root, "imported"), onError: "reject"})
    );
    if (report.status !== "imported") throw new Error(`import refused: ${report.problemCount} problems`);
    measures.push({name: "our CSV import (parse+validate+Arrow)", rows, seconds: importSeconds, note: "1 thread"});

    const threads = cpus().length;
    for (const t of [undefined, 1]) {
      const [duck, duckSeconds] = await timed(() => duckdbRead(dir, t));
      if (duck.rows !== rows) throw new Error(`DuckDB read ${duck.rows} rows, expected ${rows}`);
      const note = `${t ?? threads} thread${(t ?? threads) > 1 ? "s" : ""}, typed columns, into a table`;
      measures.push({name: `DuckDB read_csv`, rows: duck.rows, seconds: duckSeconds, note});
    }
  } finally {
    clearInterval(sampleRss);
    await rm(root, {recursive: true, force: true});
  }

  const lines = [
    `Registry benchmark: ${fmt(bills)} bills, ${fmt(measures[0].rows)} rows in 5 tables, ` +
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, peak RSS ${fmt(peakRss.mb)} MiB`,
    "",
    "| step | rows | seconds | rows/s | notes |",
    "| --- | ---: | ---: | ---: | --- |",
    ...measures.map((m) => `| ${m.name} | ${fmt(m.rows)} | ${m.seconds.toFixed(2)} | ${fmt(rate(m))} | ${m.note} |`)
  ];
  const [ours, reader, duckAll, duckOne] = [measures[2], measures[1], measures[3], measures[4]];
  const ratio = (a: Measure, b: Measure) => (rate(a) / rate(b)).toFixed(2);
  lines.push(
    "",
    `Ratios (rows/s): our import / DuckDB = ${ratio(ours, duckAll)} (${ratio(ours, duckOne)} against DuckDB on one ` +
      `thread); our reader alone / DuckDB = ${ratio(reader, duckAll)} (${ratio(reader, duckOne)} on one thread).`
  );
  const text = lines.join("\n") + "\n";
  process.stdout.write(text);
  if (flags.markdown) await writeFile(flags.markdown, text);
}

await main();
