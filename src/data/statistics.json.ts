// Descriptive statistics, correlations and the hypothesis tests with their plain-language readings.
import {progress} from "../../loaders/emit.js";
import {registryContext} from "../../loaders/registry-context.js";
import {CLOSED, frameBillFeatures, frameLateRateTest, frameValueByKindTest} from "../../loaders/registry-frame-stats.js";
import {correlationMatrix, describe} from "../../loaders/statistics.js";

const ctx = await registryContext();
const features = frameBillFeatures(ctx.frame);
let closed = 0;
for (const flag of ctx.outcomes.flags) if (flag & CLOSED) closed++;
const delays = new Float64Array(closed);
for (let i = 0, k = 0; i < ctx.outcomes.flags.length; i++) if (ctx.outcomes.flags[i] & CLOSED) delays[k++] = ctx.outcomes.delay[i];
// Correlations on complete cases only (a bill with no installments has no tenor).
const complete: number[] = [];
for (let b = 0; b < ctx.frame.bills.length; b++) if (Number.isFinite(features.tenorDays[b]) && Number.isFinite(features.daysToFirstDue[b])) complete.push(b);
const pick = (column: ArrayLike<number>) => {
  const out = new Float64Array(complete.length);
  for (let k = 0; k < complete.length; k++) out[k] = column[complete[k]];
  return out;
};
const columns = {
  value: pick(features.value),
  log_value: pick(features.value).map((v) => Math.log(Math.max(v, 0.01))),
  installments: pick(features.installments),
  tenor_days: pick(features.tenorDays),
  days_to_first_due: pick(features.daysToFirstDue)
};
const late = frameLateRateTest(ctx.frame, ctx.outcomes, "segment");
const kind = frameValueByKindTest(ctx.frame);
progress("statistics", `${ctx.frame.bills.length} bills; ${late.reading}`);
process.stdout.write(
  JSON.stringify({
    observationDate: new Date(ctx.observationDate).toISOString().slice(0, 10),
    describe: Object.fromEntries([
      ["value", describe(features.value)],
      ["installments", describe(features.installments)],
      ["tenor_days", describe(features.tenorDays)],
      ["days_to_first_due", describe(features.daysToFirstDue)],
      ["delay_days", describe(delays)]
    ]),
    correlations: correlationMatrix(columns, "spearman"),
    tests: [
      {question: "Do late-payment rates differ by the payer's business segment?", reading: late.reading, result: late.result},
      {question: "Are goods bills worth more than services bills?", reading: kind.reading, result: kind.result}
    ]
  })
);
