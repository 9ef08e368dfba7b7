// Riskiest payers at the observation date: mean predicted late-payment risk of their open installments, exposure,
// expected late value; names with masked documents only. Scored with the saved model on the configured source.
import {tableFromArrays} from "apache-arrow";
import {emitArrow, progress} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import {registryContext} from "../../loaders/registry-context.js";
import {riskTables} from "../../loaders/risk-tables.js";
import {RISK_MODEL_NAME, type RiskModelArtifact} from "../../loaders/risk-training.js";

const model = await loadModel<RiskModelArtifact>(RISK_MODEL_NAME);
const ctx = await registryContext();
const tables = await riskTables(ctx, model);
const p = tables.payers;
progress("risk-payers", `${tables.scored} open installments scored with ${model.modelVersion}`);
await emitArrow(
  tableFromArrays({
    payer_id: p.map((x) => x.payer_id),
    name: p.map((x) => x.name),
    document: p.map((x) => x.document),
    uf: p.map((x) => x.uf),
    segment: p.map((x) => x.segment),
    person_type: p.map((x) => x.person_type),
    bills: Int32Array.from(p, (x) => x.bills),
    open_installments: Int32Array.from(p, (x) => x.open_installments),
    exposure: Float64Array.from(p, (x) => x.exposure),
    mean_risk: Float64Array.from(p, (x) => x.mean_risk),
    max_risk: Float64Array.from(p, (x) => x.max_risk),
    expected_late_value: Float64Array.from(p, (x) => x.expected_late_value),
    next_due: p.map((x) => x.next_due)
  })
);
