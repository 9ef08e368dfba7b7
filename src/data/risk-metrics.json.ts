// The late-payment risk model's report: test metrics of every algorithm compared, the chosen one and why, and the
// oracle ceiling from the generator's truth when the data is generated (from the saved artifact).
import {loadModel} from "../../loaders/model-store.js";
import {RISK_MODEL_NAME, type RiskModelArtifact} from "../../loaders/risk-training.js";

const model = await loadModel<RiskModelArtifact>(RISK_MODEL_NAME);
process.stdout.write(
  JSON.stringify({
    modelVersion: model.modelVersion,
    codeVersion: model.codeVersion,
    dataChecksum: model.dataChecksum,
    observationDate: model.observationDate,
    target: model.target,
    trainingWindow: model.trainingWindow,
    split: model.split,
    chosen: {algorithm: model.algorithm, params: model.params, ...model.metrics.chosen},
    selection: model.selection,
    algorithms: model.metrics.algorithms,
    oracle: model.metrics.oracle,
    features: model.features.columns
  })
);
