// What the RFM files describe: the customer entity, the observation date and the window.
import {analysisContext} from "../../loaders/analysis-context.js";
import {loadModel} from "../../loaders/model-store.js";
import {DAY_MS} from "../../loaders/rfm.js";
import {windowDaysOf} from "../../loaders/rfm-table.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const ctx = await analysisContext();
const model = await loadModel<SegmentationModel>(`segmentation-${ctx.entity}`);
const windowDays = windowDaysOf(model);
process.stdout.write(
  JSON.stringify({
    entity: ctx.entity,
    observationDate: new Date(ctx.observationDate).toISOString().slice(0, 10),
    windowStart: new Date(ctx.observationDate - (windowDays - 1) * DAY_MS).toISOString().slice(0, 10),
    windowDays,
    events: ctx.columns.customer.length,
    modelVersion: model.modelVersion
  })
);
