// Every dataset the workbench knows: the registry of imports (data/datasets.json) plus the sample the product
// runs on, each with its schema, counts, time range, checksum and data-quality report.
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {qualityReport, type QualityReport} from "../../loaders/data-quality.js";
import {describeDataset, readDatasets, type Dataset} from "../../loaders/dataset-registry.js";
import {progress} from "../../loaders/emit.js";

const datasets: Dataset[] = await readDatasets().catch(() => []);
const sampleDir = join(process.env.GRAFENO_DATA_DIR ?? "data", "sample");
const manifest = await readFile(join(sampleDir, "manifest.json"), "utf8").then(JSON.parse, () => null);
if (manifest && !datasets.some((d) => d.name === "sample")) {
  // The sample's "import" is its generation; the manifest's settings make the description reproducible.
  const importedAt = `${manifest.end ?? manifest.options?.end ?? "2024-12-31"}T00:00:00.000Z`;
  datasets.unshift(await describeDataset({name: "sample", kind: "registry", folder: sampleDir, source: `generator seed ${manifest.seed}`, importedAt}));
}
const reports: QualityReport[] = [];
for (const d of datasets) {
  reports.push(await qualityReport({name: d.name, kind: d.kind, folder: d.folder, generatedAt: d.imported_at, examples: 10}));
}
progress("datasets", `${datasets.length} datasets`);
process.stdout.write(
  JSON.stringify(datasets.map((d, i) => ({...d, folder: undefined, tables: Object.fromEntries(Object.entries(d.tables).map(([t, v]) => [t, {...v, file: undefined}])), quality: reports[i]})))
);
