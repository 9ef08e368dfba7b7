// The saved segmentation model artifact as the model pages read it (version, window, k and why, stability).
import {parseEntity} from "../../loaders/customer-events.js";
import {loadModel} from "../../loaders/model-store.js";
import type {SegmentationModel} from "../../loaders/segmentation-model.js";

const model = await loadModel<SegmentationModel>(`segmentation-${parseEntity(process.env.GRAFENO_RFM_ENTITY)}`);
process.stdout.write(JSON.stringify(model));
