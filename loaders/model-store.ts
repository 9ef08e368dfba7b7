// Model artifacts under data/models/: the current model per name, every version kept in archive/, and an
// append-only experiment log (one JSON line per run). Writes go to a temporary name and are renamed into place.
import {appendFile, mkdir, readFile, rename, writeFile} from "node:fs/promises";
import {join} from "node:path";

export const defaultModelDir = process.env.GRAFENO_MODEL_DIR ?? join("data", "models");

async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

export async function saveModel(
  name: string,
  model: {modelVersion: string} & object,
  dir = defaultModelDir
): Promise<string> {
  await mkdir(join(dir, "archive"), {recursive: true});
  const text = `${JSON.stringify(model, null, 2)}\n`;
  await writeAtomic(join(dir, "archive", `${model.modelVersion}.json`), text);
  const path = join(dir, `${name}.json`);
  await writeAtomic(path, text);
  return path;
}

/** Results that vary run to run (timings) live beside the model, not inside its versioned artifact. */
export async function saveComparison(name: string, comparison: unknown, dir = defaultModelDir): Promise<void> {
  await mkdir(dir, {recursive: true});
  await writeAtomic(join(dir, `${name}.comparison.json`), `${JSON.stringify(comparison, null, 2)}\n`);
}

export async function loadModel<T>(name: string, dir = defaultModelDir): Promise<T> {
  const path = join(dir, `${name}.json`);
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${path}: no trained model "${name}" (run npm run models:train)`, {cause: error});
    }
    throw new Error(`${path}: unreadable model artifact: ${(error as Error).message}`, {cause: error});
  }
}

export interface ExperimentRecord {
  model: string;
  method: string;
  params: Record<string, unknown>;
  dataChecksum: string;
  metrics: Record<string, number | string | null>;
  ms: number;
  at: string;
}

export async function logExperiment(record: ExperimentRecord, dir = defaultModelDir): Promise<void> {
  await mkdir(dir, {recursive: true});
  await appendFile(join(dir, "experiments.jsonl"), `${JSON.stringify(record)}\n`);
}

export async function readExperiments(dir = defaultModelDir): Promise<ExperimentRecord[]> {
  try {
    const text = await readFile(join(dir, "experiments.jsonl"), "utf8");
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ExperimentRecord);
  } catch {
    return [];
  }
}
