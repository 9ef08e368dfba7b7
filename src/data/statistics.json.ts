// Descriptive statistics, correlations and the hypothesis tests with their plain-language readings.
import {progress} from "../../loaders/emit.js";
import {registryContext} from "../../loaders/registry-context.js";
import {billFeatures, correlationMatrix, describe, lateRateBySegmentTest, valueByKindTest} from "../../loaders/statistics.js";

const ctx = await registryContext();
const features = billFeatures(ctx.bills, ctx.installments);
const delays = ctx.outcomes.filter((o) => o.closed).map((o) => o.delay_days);
// Correlations on complete cases only (a bill with no installments has no tenor).
const complete = features.filter((f) => f.tenor_days !== null && f.days_to_first_due !== null);
const columns = {
  value: complete.map((f) => f.value),
  log_value: complete.map((f) => Math.log(Math.max(f.value, 0.01))),
  installments: complete.map((f) => f.installments),
  tenor_days: complete.map((f) => f.tenor_days!),
  days_to_first_due: complete.map((f) => f.days_to_first_due!)
};
const late = lateRateBySegmentTest(ctx.bills, ctx.outcomes, ctx.parties);
const kind = valueByKindTest(ctx.bills);
progress("statistics", `${features.length} bills; ${late.reading}`);
process.stdout.write(
  JSON.stringify({
    observationDate: new Date(ctx.observationDate).toISOString().slice(0, 10),
    describe: Object.fromEntries([
      ["value", describe(features.map((f) => f.value))],
      ["installments", describe(features.map((f) => f.installments))],
      ["tenor_days", describe(features.map((f) => f.tenor_days))],
      ["days_to_first_due", describe(features.map((f) => f.days_to_first_due))],
      ["delay_days", describe(delays)]
    ]),
    correlations: correlationMatrix(columns, "spearman"),
    tests: [
      {question: "Do late-payment rates differ by the payer's business segment?", reading: late.reading, result: late.result},
      {question: "Are goods bills worth more than services bills?", reading: kind.reading, result: kind.result}
    ]
  })
);
