// k-means against Ward and a Gaussian mixture on the same features, and the experiment log of every run.
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {parseEntity} from "../../loaders/customer-events.js";
import {defaultModelDir, readExperiments} from "../../loaders/model-store.js";

const name = `segmentation-${parseEntity(process.env.GRAFENO_RFM_ENTITY)}`;
const comparison = JSON.parse(await readFile(join(defaultModelDir, `${name}.comparison.json`), "utf8"));
const experiments = (await readExperiments()).slice(-50);
process.stdout.write(JSON.stringify({...comparison, experiments}));
