// npm run bench:loaders — every data loader of the site, one after the other as `observable build` runs them, over
// a generated registry of more than ten million installments, from a cold frame cache. Reports each loader's time
// and peak memory, the total against the 60 s budget, and DuckDB computing one loader's aggregates (the monthly
// series by participant and kind) over the same registry's CSV files in the same run, as the reference.
import {spawn} from "node:child_process";
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {cpus, loadavg, tmpdir, totalmem} from "node:os";
import {join, resolve} from "node:path";
import {parseArgs} from "node:util";
import {DuckDBInstance} from "@duckdb/node-api";
import {generateRegistry} from "../loaders/generate.js";
import config from "../observablehq.config.js";

const {values} = parseArgs({
  options: {
    bills: {type: "string", default: "2245000"},
    data: {type: "string"},
    write: {type: "boolean", default: false}
  }
});
const bills = Number(values.bills);
if (!Number.isSafeInteger(bills) || bills <= 0)
  throw new Error(`--bills: expected a positive integer, got ${values.bills}`);
const data = resolve(values.data ?? join("data", "bench", `registry-${bills}`));
const log = (line: string) => process.stderr.write(`[bench:loaders] ${line}\n`);

if (!existsSync(join(data, "manifest.json"))) {
  log(`generating ${bills.toLocaleString("en-US")} bills into ${data}`);
  let last = 0;
  await generateRegistry({
    seed: 42,
    bills,
    out: data,
    formats: ["arrow", "csv"],
    onProgress: ({table, rows}) => {
      if (Date.now() - last > 5000) {
        last = Date.now();
        log(`  ${table} ${rows.toLocaleString("en-US")} rows`);
      }
    }
  });
}

const hasTime = existsSync("/usr/bin/time");
// Other work on the machine slows every loader: the report states the load the run started under.
const loadAtStart = loadavg()[0];
// The interpreter `observable build` uses for TypeScript loaders (observablehq.config.ts).
const [interpreter, ...interpreterArgs] = (config.interpreters as Record<string, string[]>)[".ts"];
const cache = mkdtempSync(join(tmpdir(), "frames-"));
const env = {...process.env, GRAFENO_SOURCE: `dir:${data}`, GRAFENO_FRAME_CACHE: cache};

interface Run {
  loader: string;
  seconds: number;
  peakMb: number | null;
  bytes: number;
}

function runLoader(file: string): Promise<Run> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const run = [interpreter, ...interpreterArgs, file];
    const [command, args] = hasTime ? ["/usr/bin/time", ["-f", "peak-kb %M", ...run]] : [run[0], run.slice(1)];
    const child = spawn(command, args, {env, stdio: ["ignore", "pipe", "pipe"]});
    let bytes = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("exit", (code) => {
      if (code !== 0) return fail(new Error(`${file} exited with ${code}:\n${stderr}`));
      const peak = /peak-kb (\d+)/.exec(stderr);
      done({
        loader: file.replace(/^src\/data\//, ""),
        seconds: (performance.now() - started) / 1000,
        peakMb: peak ? Number(peak[1]) / 1024 : null,
        bytes
      });
    });
  });
}

const loaders = readdirSync(join("src", "data"))
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) => join("src", "data", f));
const runs: Run[] = [];
try {
  for (const file of loaders) {
    const run = await runLoader(file);
    runs.push(run);
    log(`${run.loader.padEnd(28)} ${run.seconds.toFixed(2).padStart(6)} s  ${run.peakMb?.toFixed(0) ?? "?"} MB`);
  }
} finally {
  rmSync(cache, {recursive: true, force: true});
}
const total = runs.reduce((s, r) => s + r.seconds, 0);
const peak = Math.max(...runs.map((r) => r.peakMb ?? 0));

// The reference: DuckDB reads the same bills and installments from CSV and computes the dashboard's monthly
// aggregates by participant and kind.
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
const csv = (table: string) => `'${join(data, `${table}.csv`).replace(/'/g, "''")}'`;
const duckStart = performance.now();
const reference = await connection.runAndReadAll(`
  WITH b AS (SELECT bill_id, participant_id, kind, state FROM read_csv(${csv("trade_bills")}, header = true)),
       i AS (SELECT bill_id, due_date, paid_at FROM read_csv(${csv("installments")}, header = true))
  SELECT date_trunc('month', i.due_date) AS month, b.participant_id, b.kind, count(*) AS due,
         count(i.paid_at) AS settled, count(*) FILTER (WHERE i.paid_at IS NULL OR i.paid_at > i.due_date + 30) AS late
    FROM i JOIN b USING (bill_id) WHERE b.state <> 'canceled' GROUP BY ALL`);
const duckSeconds = (performance.now() - duckStart) / 1000;
connection.closeSync();
const manifest = JSON.parse(readFileSync(join(data, "manifest.json"), "utf8")) as {
  tables: Record<string, {rows: number}>;
};
const installments = manifest.tables.installments.rows;

const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const lines = [
  "# Loader benchmark: every loader over ten million installments",
  "",
  "<!-- Written by `npm run bench:loaders -- --write`; do not edit by hand. -->",
  "",
  `Run on ${new Date().toISOString().slice(0, 10)}, ${machine}; load average ${loadAtStart.toFixed(2)} when it started.`,
  "",
  `Registry: ${bills.toLocaleString("en-US")} trade bills, ${installments.toLocaleString("en-US")} installments (generator seed 42).`,
  `Every loader in \`src/data/\` ran once, one after the other, as \`observable build\` runs them, each its own process (\`${[interpreter, ...interpreterArgs].join(" ")}\`).`,
  "The frame cache was empty, so the first loader paid for reading the registry.",
  "",
  "| Loader | Time (s) | Peak memory (MB) |",
  "| --- | ---: | ---: |",
  ...runs.map((r) => `| ${r.loader} | ${r.seconds.toFixed(2)} | ${r.peakMb?.toFixed(0) ?? "n/a"} |`),
  `| **All ${runs.length} loaders** | **${total.toFixed(1)}** | **${peak.toFixed(0)}** (largest single loader) |`,
  "",
  `Goal: at most 60 s in total. ${total <= 60 ? "Met" : "Not met"}: ${total.toFixed(1)} s.`,
  "",
  `Reference in the same run: DuckDB (node-api) reading the bills and installments CSV files and computing one loader's aggregates (monthly due, settled and late counts by participant and kind, ${reference.currentRowCount.toLocaleString("en-US")} groups) took ${duckSeconds.toFixed(1)} s. All loaders together took ${(total / duckSeconds).toFixed(1)}× that.`,
  ""
];
const report = lines.join("\n");
process.stdout.write(report);
if (values.write) {
  writeFileSync(join("docs", "loader-benchmarks.md"), report);
  log("written to docs/loader-benchmarks.md");
}
