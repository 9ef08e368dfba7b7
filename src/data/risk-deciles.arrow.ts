// Decile lift table of the chosen risk model on the test period (from the saved artifact): decile 1 holds the
// tenth of installments with the highest predicted risk.
import {tableFromArrays} from "apache-arrow";
import {emitArrow} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import {RISK_MODEL_NAME, type RiskModelArtifact} from "../../loaders/risk-training.js";

const {deciles: d} = await loadModel<RiskModelArtifact>(RISK_MODEL_NAME);
await emitArrow(
  tableFromArrays({
    decile: Int32Array.from(d, (x) => x.decile),
    count: Int32Array.from(d, (x) => x.count),
    min_predicted: Float64Array.from(d, (x) => x.minPredicted),
    mean_predicted: Float64Array.from(d, (x) => x.meanPredicted),
    late: Int32Array.from(d, (x) => x.late),
    observed_rate: Float64Array.from(d, (x) => x.observedRate),
    lift: Float64Array.from(d, (x) => x.lift),
    cumulative_capture: Float64Array.from(d, (x) => x.cumulativeCapture),
    cumulative_lift: Float64Array.from(d, (x) => x.cumulativeLift)
  })
);
