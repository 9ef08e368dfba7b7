// The RFM step against a hand-written DuckDB query computing the same aggregates over the same events.
import {DuckDBInstance} from "@duckdb/node-api";
import {createRandom} from "../loaders/random.js";
import {encodeEvents, segmentationRfmColumns} from "../loaders/rfm-columns.js";
import {DAY_MS, segmentationRfm, type PurchaseEvent} from "../loaders/rfm.js";
import {measure, type BenchResult} from "./harness.js";

export async function rfmBench(events = 2_000_000, customers = 200_000): Promise<BenchResult[]> {
  const random = createRandom(2026);
  const start = Date.UTC(2022, 0, 1);
  const list: PurchaseEvent[] = Array.from({length: events}, () => ({
    customer: `C${String(random.integer(0, customers - 1)).padStart(7, "0")}`,
    date: start + Math.floor(random.next() * 1000 * DAY_MS),
    amount: Math.round(random.lognormal(7, 1.3) * 100) / 100
  }));
  const observationDate = start + 990 * DAY_MS;
  const columns = encodeEvents(list);

  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("CREATE TABLE events (customer VARCHAR, time DOUBLE, amount DOUBLE)");
  const appender = await connection.createAppender("events");
  for (const e of list) {
    appender.appendVarchar(e.customer);
    appender.appendDouble(+e.date);
    appender.appendDouble(e.amount);
    appender.endRow();
  }
  appender.closeSync();
  const limit = (Math.floor(observationDate / DAY_MS) + 1) * DAY_MS;
  const sql = `SELECT customer, ${Math.floor(observationDate / DAY_MS)} - CAST(floor(max(time) / ${DAY_MS}) AS INTEGER) AS recency,
                      count(*) AS frequency, sum(round(amount * 100)) / 100 AS monetary, min(time) AS first, max(time) AS last
                 FROM events WHERE time < ${limit} GROUP BY customer ORDER BY customer`;
  const duck = await measure(async () => (await connection.runAndReadAll(sql)).getColumns());
  const ours = await measure(() => segmentationRfmColumns(columns, {observationDate}));
  const objects = await measure(() => segmentationRfm(list, {observationDate}), {runs: 3, warmup: 1});
  connection.closeSync();
  const what = `${events.toLocaleString("en-US")} events, ${customers.toLocaleString("en-US")} customers`;
  return [
    {
      name: "RFM aggregates (columnar, the loaders' path)",
      what,
      ours,
      reference: {name: "DuckDB SQL (node-api, in-memory table)", time: duck},
      items: events,
      itemName: "events",
      goal: "≤ 1.5×"
    },
    {
      name: "RFM aggregates (row objects, segmentationRfm)",
      what,
      ours: objects,
      reference: {name: "DuckDB SQL", time: duck},
      items: events,
      itemName: "events"
    }
  ];
}
