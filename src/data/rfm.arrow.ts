// One row per customer: R, F, M, quintile scores, segment, and the saved model's cluster and priority.
import {analysisContext} from "../../loaders/analysis-context.js";
import {emitArrow, progress} from "../../loaders/emit.js";
import {loadModel} from "../../loaders/model-store.js";
import {rfmCustomers, rfmTable} from "../../loaders/rfm-table.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const ctx = await analysisContext();
const model = await loadModel<SegmentationModel>(`segmentation-${ctx.entity}`);
progress("rfm", `${ctx.columns.customer.length} events of ${ctx.entity}s from ${ctx.source.describe}, model ${model.modelVersion}`);
const rows = rfmCustomers(ctx.columns, ctx.observationDate, model, await ctx.directory());
progress("rfm", `${rows.length} customers`);
await emitArrow(rfmTable(rows));
