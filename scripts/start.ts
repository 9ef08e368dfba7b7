// npm start: prepare the sample data if missing, build the site (running the loaders), serve site and API.
import {existsSync} from "node:fs";
import {join} from "node:path";
import {loadConfig} from "../api/config.js";
import {main} from "../api/server.js";
import {buildSite} from "./build.js";
import {ensureSample} from "./sample.js";

const config = loadConfig();
if (!process.env.GRAFENO_SOURCE) await ensureSample(join(config.GRAFENO_DATA_DIR, "sample"));
if (process.env.GRAFENO_SKIP_BUILD !== "1" || !existsSync(join(config.GRAFENO_DIST, "index.html"))) {
  await buildSite();
}
await main();
