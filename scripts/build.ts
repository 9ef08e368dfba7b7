// Builds the site offline: fills Framework's npm cache from node_modules, runs `observable build` (which runs
// the data loaders) with telemetry off, then precompresses the output. The output folder is GRAFENO_DIST (default
// dist/), the folder the server serves.
import {spawn} from "node:child_process";
import {randomUUID} from "node:crypto";
import {mkdir, readFile, rm, stat, writeFile} from "node:fs/promises";
import {delimiter, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {fillNpmCache} from "./npm-cache.js";
import {precompress} from "./precompress.js";
import {ensureRiskModel} from "./train-risk.js";
import {ensureModels} from "./train.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const lockPath = join(root, "src", ".observablehq", "build.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Every build runs its loaders through the same cache (src/.observablehq/cache/data), whatever its source and
 * output: two at once would hand each other their data (and two into one output would remove each other's files).
 * One at a time, from emptying that cache to the last compressed file (training, before, needs no lock); a lock left
 * by a dead process is taken over.
 */
export async function withBuildLock<T>(work: () => Promise<T>, log: (line: string) => void): Promise<T> {
  await mkdir(join(root, "src", ".observablehq"), {recursive: true});
  let waiting = false;
  for (;;) {
    try {
      await writeFile(lockPath, String(process.pid), {flag: "wx"});
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(await readFile(lockPath, "utf8").catch(() => ""));
    const age = Date.now() - ((await stat(lockPath).catch(() => null))?.mtimeMs ?? Date.now());
    // An empty lock is one being written, unless it is old (its writer died between creating and writing it).
    if (holder ? !alive(holder) : age > 10_000) {
      await rm(lockPath, {force: true});
      continue;
    }
    if (!waiting) log(`waiting for another build (pid ${holder || "unknown"}) to finish`);
    waiting = true;
    await new Promise((done) => setTimeout(done, 1000));
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, {force: true});
  }
}

export async function buildSite(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = (line: string) => console.error(`[build] ${line}`);
  // Loaders read the saved models; train them first when missing or older than the data.
  await ensureModels(env);
  await ensureRiskModel(env);
  await withBuildLock(async () => {
    const report = await fillNpmCache(join(root, "src"), log);
    if (report.bundled.length) log(`npm cache: ${report.bundled.length} libraries bundled`);
    // Framework re-runs a loader only when the loader file changes, not when the data it reads does: drop its
    // output cache so every build reflects the current source and models.
    await rm(join(root, "src", ".observablehq", "cache", "data"), {recursive: true, force: true});
    const bin = join(root, "node_modules", ".bin");
    await new Promise<void>((done, fail) => {
      const child = spawn(join(bin, "observable"), ["build"], {
        cwd: root,
        stdio: "inherit",
        // tsx must be on PATH for the TypeScript loaders.
        // GRAFENO_BUILD_ID lets the loaders of this build share one registry frame of a database source.
        env: {
          ...env,
          GRAFENO_BUILD_ID: env.GRAFENO_BUILD_ID ?? randomUUID(),
          OBSERVABLE_TELEMETRY_DISABLE: "1",
          PATH: `${bin}${delimiter}${env.PATH ?? ""}`
        }
      });
      child.on("error", fail);
      child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`observable build exited with code ${code}`))));
    });
    const compressed = await precompress(resolve(root, env.GRAFENO_DIST || "dist"));
    log(`precompressed ${compressed} files`);
  }, log);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildSite();
}
