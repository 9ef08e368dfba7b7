// Scoring: throughput of the scoring function on uploaded transactions (next to the same aggregation in DuckDB),
// and the API's p99 latency at a fixed request rate on loopback (next to /api/health at the same rate).
import {DuckDBInstance} from "@duckdb/node-api";
import {ModelRegistry} from "../api/model-registry.js";
import {scoreCustomers} from "../api/scoring.js";
import {createAdministrator} from "../api/users.js";
import {createRandom} from "../loaders/random.js";
import {startTestServer} from "../test/helpers/server.js";
import {measure, type BenchResult, type Measurement} from "./harness.js";

const DAY = 86_400_000;

function transactions(n: number, customers: number) {
  const random = createRandom(7);
  const start = Date.UTC(2023, 0, 1);
  return Array.from({length: n}, () => ({
    customer: `C${random.integer(0, customers - 1)}`,
    date: start + random.integer(0, 700) * DAY,
    amount: Math.round(random.lognormal(8, 1) * 100) / 100
  }));
}

/** Latencies of `count` requests sent at a fixed rate (open loop: a slow answer does not delay the next send). */
async function atFixedRate(send: () => Promise<Response>, perSecond: number, count: number): Promise<Measurement> {
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inFlight.push(
      send().then(async (r) => {
        await r.arrayBuffer();
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        latencies.push(performance.now() - t0);
      })
    );
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))];
  return {median: p99, min: latencies[0], max: latencies.at(-1)!, runs: latencies.length};
}

export async function scoringBench(): Promise<BenchResult[]> {
  const models = new ModelRegistry();
  const rows = transactions(200_000, 20_000);
  const observationDate = Date.UTC(2024, 11, 31);
  const ours = await measure(() => scoreCustomers(models, rows, {observationDate, entity: "assignor"}), {
    runs: 3,
    warmup: 1
  });

  const duck = await DuckDBInstance.create(":memory:");
  const connection = await duck.connect();
  await connection.run("CREATE TABLE t (customer VARCHAR, date DOUBLE, amount DOUBLE)");
  const appender = await connection.createAppender("t");
  for (const r of rows) {
    appender.appendVarchar(r.customer);
    appender.appendDouble(r.date);
    appender.appendDouble(r.amount);
    appender.endRow();
  }
  appender.closeSync();
  const reference = await measure(
    async () =>
      (
        await connection.runAndReadAll(
          `SELECT customer, max(date), count(*), sum(amount), count(DISTINCT floor(date / ${DAY})) FROM t GROUP BY customer ORDER BY customer`
        )
      ).getColumns(),
    {runs: 3, warmup: 1}
  );
  connection.closeSync();

  // The API on loopback: an analyst's session, 500 transactions per request, 20 requests a second.
  // The product exactly as the browser tests start it: a free port, a fresh embedded database.
  const server = await startTestServer({GRAFENO_DIST: "dist", SIGN_IN_RATE_LIMIT: "1000/60"});
  await createAdministrator(server.runtime, {email: "bench@example.com", name: "Bench", password: "bench password 1"});
  const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: {"content-type": "application/json", origin: server.url},
    body: JSON.stringify({email: "bench@example.com", password: "bench password 1"})
  });
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const body = JSON.stringify({
    transactions: rows.slice(0, 500).map((r) => ({...r, date: new Date(r.date).toISOString().slice(0, 10)}))
  });
  const score = () =>
    fetch(`${server.url}/api/score/customers?entity=assignor`, {
      method: "POST",
      headers: {"content-type": "application/json", cookie},
      body
    });
  const health = () => fetch(`${server.url}/api/health`);
  await atFixedRate(score, 20, 20);
  const apiP99 = await atFixedRate(score, 20, 200);
  const healthP99 = await atFixedRate(health, 20, 200);
  await server.close();
  return [
    {
      name: "Scoring function (RFM, scores, cluster, P(alive), CLV)",
      what: "200,000 transactions, 20,000 customers",
      ours,
      reference: {name: "DuckDB aggregation only", time: reference},
      items: rows.length,
      itemName: "rows"
    },
    {
      name: "Scoring API p99 latency at 20 requests/s (loopback)",
      what: "200 requests of 500 transactions (reported: p99, min–max)",
      ours: apiP99,
      reference: {name: "/api/health p99 at the same rate", time: healthP99}
    }
  ];
}
