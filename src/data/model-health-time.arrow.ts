// Cluster sizes and silhouette of the saved segmentation model, month by month since training.
import {tableFromArrays} from "apache-arrow";
import {analysisContext} from "../../loaders/analysis-context.js";
import {emitArrow, progress} from "../../loaders/emit.js";
import {healthOverTime} from "../../loaders/model-health.js";
import {loadModel} from "../../loaders/model-store.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const ctx = await analysisContext();
const model = await loadModel<SegmentationModel>(`segmentation-${ctx.entity}`);
const points = healthOverTime(model, ctx.columns, ctx.observationDate);
progress("model-health-time", `${points.length} points`);
await emitArrow(
  tableFromArrays({
    date: Float64Array.from(points, (p) => p.date),
    cluster: Int32Array.from(points, (p) => p.cluster),
    customers: Int32Array.from(points, (p) => p.customers),
    silhouette: Float64Array.from(points, (p) => p.silhouette)
  })
);
