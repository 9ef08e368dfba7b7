// How long one payer's (or participant's, or assignor's) bills take to come back from Postgres on a large registry:
// loads a canonical folder into a scratch schema (COPY), analyzes, then times billsOf() for the busiest owners and
// a random sample, and prints EXPLAIN ANALYZE for the busiest payer. Not a test: it needs a PostgreSQL server.
//
//   DATABASE_URL=postgres://… tsx bench/payer-query.ts --folder /tmp/big [--schema bench_registry] [--keep]
import {parseArgs} from "node:util";
import {openDatabase} from "../api/db.js";
import {migrate} from "../api/migrate.js";
import type {BillOwner} from "../loaders/postgres-registry.js";
import {billsOf, billsQuery, loadRegistryIntoPostgres} from "../loaders/postgres-registry.js";

const {values: flags} = parseArgs({
  options: {
    folder: {type: "string"},
    schema: {type: "string", default: "bench_registry"},
    "skip-load": {type: "boolean", default: false},
    keep: {type: "boolean", default: false},
    sample: {type: "string", default: "200"}
  }
});
const url = process.env.DATABASE_URL;
if (!url || (!flags.folder && !flags["skip-load"])) {
  process.stderr.write("usage: DATABASE_URL=postgres://… tsx bench/payer-query.ts --folder <canonical folder>\n");
  process.exit(2);
}
const schema = flags.schema;
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`--schema ${schema}: lower-case letters, digits, _ only`);

const db = await openDatabase({url, schema});
const sql = db.sql;
const log = (line: string) => process.stdout.write(line + "\n");
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
try {
  if (!flags["skip-load"]) {
    await migrate(sql);
    const load = await loadRegistryIntoPostgres(sql, flags.folder!, {
      method: "copy",
      onProgress: ({table, rows}) => process.stderr.write(`\rload ${table} ${fmt(rows)}\x1b[K`)
    });
    process.stderr.write("\n");
    const total = Object.values(load.rows).reduce((a, b) => a + b, 0);
    log(`loaded ${fmt(total)} rows in ${load.seconds.toFixed(0)} s (${fmt(total / load.seconds)} rows/s, COPY)`);
    for (const [table, rows] of Object.entries(load.rows)) log(`  ${table.padEnd(13)} ${fmt(rows).padStart(11)}`);
    await sql.unsafe("ANALYZE");
  }
  const [{size}] = await sql<{size: string}[]>`SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${schema} AND c.relkind = 'r'`;
  log(`schema ${schema}: ${size} with indexes`);

  const time = async (owner: BillOwner, id: string) => {
    const started = performance.now();
    const rows = await billsOf(sql, owner, id);
    return {ms: performance.now() - started, rows: rows.length};
  };
  const percentile = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];
  for (const owner of ["payer", "assignor", "participant"] as const) {
    const column = `${owner}_id`;
    const busiest = await sql.unsafe<{id: string; n: number}[]>(
      `SELECT ${column} AS id, count(*)::int AS n FROM trade_bills GROUP BY 1 ORDER BY 2 DESC LIMIT 1`
    );
    const sample = await sql.unsafe<{id: string}[]>(
      `SELECT DISTINCT ${column} AS id FROM trade_bills TABLESAMPLE SYSTEM (1) LIMIT ${Number(flags.sample)}`
    );
    await time(owner, busiest[0].id); // warm the connection and the plan cache
    const top = await time(owner, busiest[0].id);
    const runs = [];
    for (const {id} of sample) runs.push(await time(owner, id));
    const ms = runs.map((r) => r.ms);
    log(
      `${owner}: busiest ${busiest[0].id} (${fmt(busiest[0].n)} bills, newest 1,000 returned) ${top.ms.toFixed(1)} ms; ` +
        `${runs.length} random ${owner}s: median ${percentile(ms, 0.5).toFixed(2)} ms, p95 ${percentile(ms, 0.95).toFixed(2)} ms, ` +
        `max ${Math.max(...ms).toFixed(2)} ms (median ${percentile(
          runs.map((r) => r.rows),
          0.5
        )} bills each)`
    );
    if (owner === "payer") {
      for (const id of [busiest[0].id, sample[0].id]) {
        const plan = await sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${billsQuery("payer")}`, [id, 1000]);
        log(`EXPLAIN ANALYZE of billsOf("payer", ${id}):`);
        for (const row of plan) log(`  ${row["QUERY PLAN"]}`);
      }
    }
  }
} finally {
  if (!flags.keep) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.close();
}
