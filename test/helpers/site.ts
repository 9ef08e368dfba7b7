// The built site the browser tests open: the sample data and `npm run build` output, rebuilt only when a page,
// loader or build script is newer than the last build.
import {readdirSync, statSync} from "node:fs";
import {join} from "node:path";
import {buildSite} from "../../scripts/build.js";
import {ensureSample} from "../../scripts/sample.js";

function newest(path: string): number {
  const s = statSync(path, {throwIfNoEntry: false});
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(path)) if (entry !== ".observablehq") max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Whether the site built into `dist` from the registry in `data` is missing or older than its sources. */
export function siteIsStale(dist = "dist", data = join("data", "sample")): boolean {
  const built = newest(join(dist, "index.html"));
  const sources = Math.max(
    ...["src", "loaders", "scripts", "observablehq.config.ts", join(data, "manifest.json")].map(newest)
  );
  return built === 0 || sources > built;
}

export async function ensureBuiltSite(): Promise<void> {
  await ensureSample(join("data", "sample"));
  // dist/ whatever GRAFENO_DIST the shell exports: the suites read the sample's loader outputs from there.
  if (siteIsStale()) await buildSite({...process.env, GRAFENO_DIST: "dist"});
}
