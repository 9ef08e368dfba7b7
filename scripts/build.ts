// Builds the site offline: fills Framework's npm cache from node_modules, runs `observable build` (which runs
// the data loaders) with telemetry off, then precompresses the output.
import {spawn} from "node:child_process";
import {rm} from "node:fs/promises";
import {delimiter, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {fillNpmCache} from "./npm-cache.js";
import {precompress} from "./precompress.js";
import {ensureRiskModel} from "./train-risk.js";
import {ensureModels} from "./train.js";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildSite(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Loaders read the saved models; train them first when missing or older than the data.
  await ensureModels(env);
  await ensureRiskModel(env);
  const report = await fillNpmCache(join(root, "src"), (line) => console.error(`[build] ${line}`));
  if (report.bundled.length) console.error(`[build] npm cache: ${report.bundled.length} libraries bundled`);
  // Framework re-runs a loader only when the loader file changes, not when the data it reads does: drop its
  // output cache so every build reflects the current source and models.
  await rm(join(root, "src", ".observablehq", "cache", "data"), {recursive: true, force: true});
  const bin = join(root, "node_modules", ".bin");
  await new Promise<void>((done, fail) => {
    const child = spawn(join(bin, "observable"), ["build"], {
      cwd: root,
      stdio: "inherit",
      // tsx must be on PATH for the TypeScript loaders.
      env: {...env, OBSERVABLE_TELEMETRY_DISABLE: "1", PATH: `${bin}${delimiter}${env.PATH ?? ""}`}
    });
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`observable build exited with code ${code}`))));
  });
  const compressed = await precompress(resolve(root, "dist"));
  console.error(`[build] precompressed ${compressed} files`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildSite();
}
