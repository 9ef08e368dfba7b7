// Month × participant × kind: bills, value, installments due, settled and late. Small enough for the browser at
// any registry size, and DuckDB sums it for whatever period and participant the dashboard filters on.
import {tableFromArrays} from "apache-arrow";
import {emitArrow, progress} from "../../loaders/emit.js";
import {registryContext} from "../../loaders/registry-context.js";
import {monthlySeries, type InstallmentOutcome} from "../../loaders/statistics.js";

const ctx = await registryContext();
const billOf = new Map(ctx.bills.map((b) => [b.bill_id, b]));
const groups = new Map<string, {bills: typeof ctx.bills; outcomes: InstallmentOutcome[]}>();
const group = (participant: string, kind: string) => {
  const key = `${participant}\t${kind}`;
  let g = groups.get(key);
  if (!g) groups.set(key, (g = {bills: [], outcomes: []}));
  return g;
};
for (const b of ctx.bills) group(b.participant_id, b.kind).bills.push(b);
for (const o of ctx.outcomes) {
  const b = billOf.get(o.bill_id);
  if (b) group(b.participant_id, b.kind).outcomes.push(o);
}
const rows = [...groups].flatMap(([key, g]) => {
  const [participant, kind] = key.split("\t");
  return monthlySeries(g.bills, g.outcomes).map((m) => ({participant, kind, ...m}));
});
rows.sort((a, b) => a.month.localeCompare(b.month) || a.participant.localeCompare(b.participant) || a.kind.localeCompare(b.kind));
progress("dashboard-monthly", `${ctx.bills.length} bills, ${ctx.outcomes.length} installments → ${rows.length} rows`);
await emitArrow(
  tableFromArrays({
    month: Float64Array.from(rows, (r) => Date.parse(`${r.month}-01T00:00:00Z`)),
    participant: rows.map((r) => r.participant),
    participant_name: rows.map((r) => ctx.participantNames.get(r.participant) ?? r.participant),
    kind: rows.map((r) => r.kind),
    bills: Int32Array.from(rows, (r) => r.bills),
    value: Float64Array.from(rows, (r) => r.value),
    due: Int32Array.from(rows, (r) => r.due),
    settled: Int32Array.from(rows, (r) => r.settled),
    closed: Int32Array.from(rows, (r) => r.closed),
    late: Int32Array.from(rows, (r) => r.late)
  })
);
