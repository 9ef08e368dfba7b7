// Riskiest open bills at the observation date: mean and maximum predicted late-payment risk of their open
// installments, open value and expected late value; payer names with masked documents only.
import {tableFromArrays} from "apache-arrow";
import {emitArrow, progress} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import {registryContext} from "../../loaders/registry-context.js";
import {riskTables} from "../../loaders/risk-tables.js";
import {RISK_MODEL_NAME, type RiskModelArtifact} from "../../loaders/risk-training.js";

const model = await loadModel<RiskModelArtifact>(RISK_MODEL_NAME);
const ctx = await registryContext();
const tables = await riskTables(ctx, model);
const b = tables.bills;
progress("risk-bills", `${tables.scored} open installments scored with ${model.modelVersion}`);
await emitArrow(
  tableFromArrays({
    bill_id: b.map((x) => x.bill_id),
    participant: b.map((x) => x.participant),
    payer_id: b.map((x) => x.payer_id),
    payer_name: b.map((x) => x.payer_name),
    payer_document: b.map((x) => x.payer_document),
    registered_at: b.map((x) => x.registered_at),
    open_installments: Int32Array.from(b, (x) => x.open_installments),
    open_value: Float64Array.from(b, (x) => x.open_value),
    mean_risk: Float64Array.from(b, (x) => x.mean_risk),
    max_risk: Float64Array.from(b, (x) => x.max_risk),
    expected_late_value: Float64Array.from(b, (x) => x.expected_late_value),
    next_due: b.map((x) => x.next_due)
  })
);
