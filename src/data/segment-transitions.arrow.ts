// How customers moved between RFM segments over the last quarter.
import {tableFromArrays} from "apache-arrow";
import {analysisContext} from "../../loaders/analysis-context.js";
import {emitArrow, progress} from "../../loaders/emit.js";
import {segmentTransitions} from "../../loaders/model-health.js";
import {loadModel} from "../../loaders/model-store.js";
import {DAY_MS} from "../../loaders/rfm.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const ctx = await analysisContext();
const model = await loadModel<SegmentationModel>(`segmentation-${ctx.entity}`);
const transitions = segmentTransitions(model, ctx.columns, ctx.observationDate - 91 * DAY_MS, ctx.observationDate);
progress("segment-transitions", `${transitions.length} from→to pairs`);
await emitArrow(
  tableFromArrays({
    from: transitions.map((t) => t.from),
    to: transitions.map((t) => t.to),
    customers: Int32Array.from(transitions, (t) => t.customers)
  })
);
