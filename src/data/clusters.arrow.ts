// The saved segmentation model's clusters: priority, action, size, value share and medians.
import {tableFromArrays} from "apache-arrow";
import {actionAdvice} from "../../loaders/cluster-priorities.js";
import {parseEntity} from "../../loaders/customer-events.js";
import {emitArrow} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const model = await loadModel<SegmentationModel>(`segmentation-${parseEntity(process.env.GRAFENO_RFM_ENTITY)}`);
const c = model.clusters;
await emitArrow(
  tableFromArrays({
    cluster: Int32Array.from(c, (x) => x.cluster),
    priority: Int32Array.from(c, (x) => x.priority),
    action: c.map((x) => x.action),
    advice: c.map((x) => actionAdvice[x.action]),
    customers: Int32Array.from(c, (x) => x.size),
    share: Float64Array.from(c, (x) => x.share),
    value_share: Float64Array.from(c, (x) => x.valueShare),
    median_recency: Float64Array.from(c, (x) => x.medians.recency),
    median_frequency: Float64Array.from(c, (x) => x.medians.frequency),
    median_monetary: Float64Array.from(c, (x) => x.medians.monetary)
  })
);
