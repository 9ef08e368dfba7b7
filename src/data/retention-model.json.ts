// The retention model's parameters and its calibration / holdout check, for the retention page.
import {parseEntity} from "../../loaders/customer-events.js";
import {loadModel} from "../../loaders/model-store.js";

const model = await loadModel(`retention-${parseEntity(process.env.GRAFENO_RFM_ENTITY)}`);
process.stdout.write(JSON.stringify(model));
