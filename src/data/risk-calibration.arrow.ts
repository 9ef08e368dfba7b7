// Calibration of the chosen risk model on the test period: ten equal-width bins of predicted probability with the
// mean prediction, the observed late rate and the number of installments (from the saved artifact).
import {tableFromArrays} from "apache-arrow";
import {emitArrow} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import {RISK_MODEL_NAME, type RiskModelArtifact} from "../../loaders/risk-training.js";

const {calibration: c} = await loadModel<RiskModelArtifact>(RISK_MODEL_NAME);
await emitArrow(
  tableFromArrays({
    bin: Int32Array.from(c, (x) => x.bin),
    lower: Float64Array.from(c, (x) => x.lower),
    upper: Float64Array.from(c, (x) => x.upper),
    count: Int32Array.from(c, (x) => x.count),
    // Empty bins have no rate: null, not 0.
    mean_predicted: c.map((x) => x.meanPredicted),
    observed_rate: c.map((x) => x.observedRate)
  })
);
