// The events behind the RFM explorer, so the browser can recompute RFM for any period with DuckDB.
import {tableFromArrays} from "apache-arrow";
import {analysisContext} from "../../loaders/analysis-context.js";
import {emitArrow, progress} from "../../loaders/emit.js";

const ctx = await analysisContext();
const {customer, customers, time, amount} = ctx.columns;
progress("rfm-events", `${customer.length} events of ${ctx.entity}s`);
await emitArrow(
  tableFromArrays({
    customer: Array.from(customer, (c) => customers[c]),
    date: time,
    amount
  })
);
