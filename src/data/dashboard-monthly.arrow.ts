// Month × participant × kind: bills, value, installments due, settled and late. Small enough for the browser at
// any registry size, and DuckDB sums it for whatever period and participant the dashboard filters on.
import {tableFromArrays} from "apache-arrow";
import {emitArrow, progress} from "../../loaders/emit.js";
import {registryContext} from "../../loaders/registry-context.js";
import {billGroups, crossGroups, frameMonthly} from "../../loaders/registry-frame-stats.js";
const ctx = await registryContext();
const groups = crossGroups(billGroups(ctx.frame, "participant"), billGroups(ctx.frame, "kind"));
const rows = frameMonthly(ctx.frame, ctx.outcomes, groups).flatMap((series, g) => {
  const [participant, kind] = groups.names[g].split("\t");
  return series.map((m) => ({participant, kind, ...m}));
});
rows.sort((a, b) => a.month.localeCompare(b.month) || a.participant.localeCompare(b.participant) || a.kind.localeCompare(b.kind));
progress("dashboard-monthly", `${ctx.frame.bills.length} bills, ${ctx.frame.installments.length} installments → ${rows.length} rows`);
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
