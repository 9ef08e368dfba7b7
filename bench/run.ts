// npm run bench [-- <suite>…] [-- --write]: runs every benchmark (or the suites named, e.g. `-- rfm-scale`), prints
// a Markdown table and, with --write, records it in docs/benchmarks.md with the machine and the date.
import {readFile, writeFile} from "node:fs/promises";
import {cpus, totalmem} from "node:os";
import {markdownRow, tableHeader, type BenchResult} from "./harness.js";
import {registryBench} from "./registry.bench.js";
import {pagesBench} from "./pages.bench.js";
import {rfmBench} from "./rfm.bench.js";
import {rfmScaleBench} from "./rfm-scale.bench.js";
import {scoringBench} from "./scoring.bench.js";

const suites: [string, () => Promise<BenchResult[]>][] = [
  ["rfm", () => rfmBench()],
  ["registry", () => registryBench()],
  ["scoring", () => scoringBench()],
  ["pages", () => pagesBench()],
  // Generates 660,000 bills and builds a site on them the first time (minutes); reused while current.
  ["rfm-scale", () => rfmScaleBench()]
];

const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const results: BenchResult[] = [];
for (const [name, run] of suites) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`[bench] ${name}…\n`);
  results.push(...(await run()));
}
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const section = [`## ${date} · ${machine}`, "", ...tableHeader, ...results.map(markdownRow), ""].join("\n");
console.log(section);
if (process.argv.includes("--write")) {
  const path = "docs/benchmarks.md";
  const previous = await readFile(path, "utf8").catch(
    () => "# Benchmarks\n\nRecorded by `npm run bench -- --write`. Newest first.\n\n"
  );
  const [head, ...rest] = previous.split(/\n(?=## )/);
  await writeFile(path, [head.trimEnd(), "", section, ...rest].join("\n"));
  process.stderr.write(`[bench] recorded in ${path}\n`);
}
