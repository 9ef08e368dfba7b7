// Quality of the segmentation for every k tried, and which k the model uses.
import {tableFromArrays} from "apache-arrow";
import {parseEntity} from "../../loaders/customer-events.js";
import {emitArrow} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const model = await loadModel<SegmentationModel>(`segmentation-${parseEntity(process.env.GRAFENO_RFM_ENTITY)}`);
const s = model.metrics.scores;
await emitArrow(
  tableFromArrays({
    k: Int32Array.from(s, (x) => x.k),
    chosen: s.map((x) => x.k === model.metrics.k),
    silhouette: Float64Array.from(s, (x) => x.silhouette),
    silhouette_error: Float64Array.from(s, (x) => x.silhouetteError),
    calinski_harabasz: Float64Array.from(s, (x) => x.calinskiHarabasz),
    davies_bouldin: Float64Array.from(s, (x) => x.daviesBouldin),
    sse: Float64Array.from(s, (x) => x.sse)
  })
);
