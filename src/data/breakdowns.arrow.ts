// Bills, value and late-payment rate by participant, kind, state, UF and segment (the payer's), in long form.
import {tableFromArrays} from "apache-arrow";
import {emitArrow, progress} from "../../loaders/emit.js";
import {registryContext} from "../../loaders/registry-context.js";
import {billGroups, frameBreakdown} from "../../loaders/registry-frame-stats.js";
import type {BreakdownKey} from "../../loaders/statistics.js";
const ctx = await registryContext();
const keys: BreakdownKey[] = ["participant", "kind", "state", "uf", "segment"];
const rows = keys.flatMap((by) =>
  frameBreakdown(ctx.frame, ctx.outcomes, billGroups(ctx.frame, by)).map((r) => ({
    by,
    ...r,
    label: by === "participant" ? (ctx.participantNames.get(r.group) ?? r.group) : r.group
  }))
);
progress("breakdowns", `${rows.length} groups`);
await emitArrow(
  tableFromArrays({
    by: rows.map((r) => r.by),
    group: rows.map((r) => r.group),
    label: rows.map((r) => r.label),
    bills: Int32Array.from(rows, (r) => r.bills),
    value: Float64Array.from(rows, (r) => r.value),
    value_share: Float64Array.from(rows, (r) => r.value_share),
    late_rate: Float64Array.from(rows, (r) => r.late_rate ?? NaN),
    settlement_rate: Float64Array.from(rows, (r) => r.settlement_rate ?? NaN)
  })
);
