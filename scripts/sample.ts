// The sample data `npm start` and the tests run on: generated once, deterministically, when missing.
import {existsSync} from "node:fs";
import {join} from "node:path";
import {progressBar} from "./progress.js";

export const sampleSettings = {seed: 42, bills: 20_000};

export async function ensureSample(out: string): Promise<void> {
  if (existsSync(join(out, "manifest.json"))) return;
  console.error(`[sample] generating ${sampleSettings.bills} trade bills (seed ${sampleSettings.seed}) into ${out}`);
  // Loaded on demand: a started product with its sample in place never pays for the generator.
  const {generateRegistry} = await import("../loaders/generate.js");
  const bar = progressBar("sample");
  await generateRegistry({...sampleSettings, out, onProgress: bar.update});
  bar.done();
}
