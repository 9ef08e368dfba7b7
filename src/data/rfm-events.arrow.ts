// The events behind the RFM explorer, so the browser can recompute RFM for any period with DuckDB.
import {tableFromArrays} from "apache-arrow";
import {analysisContext} from "../../loaders/analysis-context.js";
import {emitArrow, progress} from "../../loaders/emit.js";

const ctx = await analysisContext();
progress("rfm-events", `${ctx.events.length} events of ${ctx.entity}s`);
await emitArrow(
  tableFromArrays({
    customer: ctx.events.map((e) => e.customer),
    date: Float64Array.from(ctx.events, (e) => +e.date),
    amount: Float64Array.from(ctx.events, (e) => e.amount)
  })
);
