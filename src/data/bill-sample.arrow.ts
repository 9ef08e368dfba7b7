// A seeded sample of at most 20,000 bills (value, installments, tenor, kind) for the distribution charts: the
// browser never needs the registry's full volume to draw a histogram.
import {tableFromArrays} from "apache-arrow";
import {emitArrow, progress} from "../../loaders/emit.js";
import {createRandom} from "../../loaders/random.js";
import {registryContext} from "../../loaders/registry-context.js";
import {frameBillFeatures} from "../../loaders/registry-frame-stats.js";
import {BILL_KINDS} from "../../loaders/registry-schema.js";
const limit = 20_000;
const ctx = await registryContext();
const features = frameBillFeatures(ctx.frame);
const n = ctx.frame.bills.length;
const all = Array.from({length: n}, (_, b) => b);
const sample = n <= limit ? all : createRandom(42).shuffle(all).slice(0, limit);
progress("bill-sample", `${sample.length} of ${n} bills`);
await emitArrow(
  tableFromArrays({
    value: Float64Array.from(sample, (b) => features.value[b]),
    installments: Int32Array.from(sample, (b) => features.installments[b]),
    tenor_days: Float64Array.from(sample, (b) => features.tenorDays[b]),
    kind: sample.map((b) => BILL_KINDS[ctx.frame.bills.kind[b]] ?? "unknown")
  })
);
