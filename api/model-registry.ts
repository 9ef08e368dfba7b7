// The saved model artifacts the API scores with, loaded once and reloaded when a retrain replaces the file.
import {stat} from "node:fs/promises";
import {join} from "node:path";
import {defaultModelDir, loadModel} from "../loaders/model-store.js";
import {ModelUnavailable} from "./scoring.js";

export class ModelRegistry {
  private cache = new Map<string, {mtimeMs: number; model: unknown}>();
  constructor(readonly dir = process.env.GRAFENO_MODEL_DIR ?? defaultModelDir) {}

  async get<T>(name: string): Promise<T> {
    const file = join(this.dir, `${name}.json`);
    const mtimeMs = (await stat(file).catch(() => null))?.mtimeMs ?? -1;
    const cached = this.cache.get(name);
    if (cached && cached.mtimeMs === mtimeMs) return cached.model as T;
    const model = await loadModel<T>(name, this.dir).catch((error: Error) => {
      throw new ModelUnavailable(error.message, {cause: error});
    });
    this.cache.set(name, {mtimeMs, model});
    return model;
  }
}
