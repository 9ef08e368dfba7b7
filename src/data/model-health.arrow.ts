// Feature drift (PSI) of the segmentation model since training, with traffic-light status.
import {tableFromArrays} from "apache-arrow";
import {analysisContext} from "../../loaders/analysis-context.js";
import {emitArrow, progress} from "../../loaders/emit.js";
import {featureDrift} from "../../loaders/model-health.js";
import {loadModel} from "../../loaders/model-store.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const ctx = await analysisContext();
const model = await loadModel<SegmentationModel>(`segmentation-${ctx.entity}`);
const drift = featureDrift(model, ctx.columns, ctx.observationDate);
progress("model-health", drift.map((d) => `${d.feature} PSI ${d.psi.toFixed(3)} ${d.status}`).join(", "));
await emitArrow(
  tableFromArrays({
    feature: drift.map((d) => d.feature),
    psi: Float64Array.from(drift, (d) => d.psi),
    status: drift.map((d) => d.status)
  })
);
