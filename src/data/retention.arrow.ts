// Per customer: probability of still being active, expected registrations and lifetime value over the horizon.
import {tableFromArrays} from "apache-arrow";
import {analysisContext} from "../../loaders/analysis-context.js";
import {emitArrow, progress} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import {retentionScores, type RetentionModel} from "../../loaders/retention.js";

const ctx = await analysisContext();
const model = await loadModel<RetentionModel>(`retention-${ctx.entity}`);
const directory = await ctx.directory();
const scores = retentionScores(model, ctx.events, ctx.observationDate);
progress("retention", `${scores.length} customers scored with ${model.modelVersion}`);
await emitArrow(
  tableFromArrays({
    customer: scores.map((s) => s.customer),
    name: scores.map((s) => directory.get(s.customer)?.name ?? s.customer),
    p_alive: Float64Array.from(scores, (s) => s.pAlive),
    expected_events: Float64Array.from(scores, (s) => s.expectedEvents),
    value_per_event: Float64Array.from(scores, (s) => s.expectedValuePerEvent),
    clv: Float64Array.from(scores, (s) => s.clv)
  })
);
