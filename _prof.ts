import {csvInput} from "./loaders/import-inputs.js";
import {importRegistry} from "./loaders/import.js";
const t = performance.now();
const r = await importRegistry({input: csvInput("/tmp/prof/gen"), to: "/tmp/prof/out", onError: "reject"});
console.log(r.status, (performance.now() - t).toFixed(0), "ms");
