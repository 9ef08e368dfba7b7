// A seeded sample of at most 20,000 bills (value, installments, tenor, kind) for the distribution charts: the
// browser never needs the registry's full volume to draw a histogram.
import {tableFromArrays} from "apache-arrow";
import {emitArrow, progress} from "../../loaders/emit.js";
import {createRandom} from "../../loaders/random.js";
import {registryContext} from "../../loaders/registry-context.js";
import {billFeatures} from "../../loaders/statistics.js";

const limit = 20_000;
const ctx = await registryContext();
const features = billFeatures(ctx.bills, ctx.installments);
const kindOf = new Map(ctx.bills.map((b) => [b.bill_id, b.kind]));
const sample = features.length <= limit ? features : createRandom(42).shuffle([...features]).slice(0, limit);
progress("bill-sample", `${sample.length} of ${features.length} bills`);
await emitArrow(
  tableFromArrays({
    value: Float64Array.from(sample, (f) => f.value),
    installments: Int32Array.from(sample, (f) => f.installments),
    tenor_days: Float64Array.from(sample, (f) => f.tenor_days ?? NaN),
    kind: sample.map((f) => kindOf.get(f.bill_id) ?? "unknown")
  })
);
