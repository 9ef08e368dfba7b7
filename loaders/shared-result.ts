// A result two loaders of one build both need (the riskiest bills and payers come from one scoring pass), computed
// by the first and read by the second. Keyed like the registry frame; without a key it is simply computed.
import {createHash} from "node:crypto";
import {mkdirSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {defaultFrameCache, pruneCache} from "./frame-cache.js";

const KEEP = 20;

export async function sharedResult<T>(
  name: string,
  key: readonly unknown[] | null,
  compute: () => T | Promise<T>,
  env: NodeJS.ProcessEnv = process.env
): Promise<T> {
  const base = defaultFrameCache(env);
  if (!base || key === null) return compute();
  const dir = join(base, "results");
  const hash = createHash("sha256")
    .update(JSON.stringify([name, ...key]))
    .digest("hex")
    .slice(0, 24);
  const path = join(dir, `${name}-${hash}.json`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    // Not computed yet in this build.
  }
  const value = await compute();
  mkdirSync(dir, {recursive: true});
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
  pruneCache(dir, (name) => name.endsWith(".json"), KEEP);
  return value;
}
