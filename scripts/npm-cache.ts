// Fills Observable Framework's npm cache from node_modules so that the build never reaches a CDN.
// Framework looks for src/.observablehq/cache/_npm/<name>@<version>/_esm.js, skips the download when the file
// exists, and takes versions from the folder names (see ../shared/DESIGN.md, "Offline build").
import {readFileSync} from "node:fs";
import {copyFile, mkdir, rename, stat, writeFile} from "node:fs/promises";
import {dirname, join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {build, type Plugin} from "esbuild";

const nodeModules = fileURLToPath(new URL("../node_modules/", import.meta.url));

/** A browser library bundled into the cache; `shared` packages stay external and point at their cache file. */
interface BundledLibrary {
  name: string;
  /** Path inside the package; the package's own browser entry when absent. */
  entry?: string;
  copy?: string[];
}

const bundled: BundledLibrary[] = [
  {name: "apache-arrow", entry: "Arrow.dom.mjs"},
  {name: "d3"},
  {name: "htl"},
  {name: "isoformat"},
  {name: "d3-dsv"},
  {name: "@observablehq/inputs"},
  {name: "@observablehq/plot"},
  {
    name: "@duckdb/duckdb-wasm",
    entry: "dist/duckdb-browser.mjs",
    copy: ["duckdb-mvp.wasm", "duckdb-eh.wasm", "duckdb-browser-mvp.worker.js", "duckdb-browser-eh.worker.js"]
  }
];

/** Packages other bundles import; kept as one shared copy so the page loads each once. */
const shared = ["apache-arrow", "d3", "htl", "isoformat"];

/**
 * Libraries Framework's client names (recommendedLibraries) but the product never loads. An empty
 * folder per library answers Framework's version look-up, which would otherwise ask the npm registry.
 */
const placeholders: Record<string, string> = {
  lodash: "4.17.21",
  arquero: "8.0.3",
  echarts: "5.6.0",
  leaflet: "1.9.4",
  "mapbox-gl": "3.12.0",
  react: "19.1.0",
  "react-dom": "19.1.0",
  "topojson-client": "3.1.0",
  "parquet-wasm": "0.6.1",
  "@observablehq/sample-datasets": "1.0.1",
  "sql.js": "1.13.0",
  katex: "0.16.22",
  "vega-lite": "5.23.0",
  "vega-lite-api": "5.6.0",
  vega: "5.33.0",
  "@uwdata/vgplot": "0.16.2",
  mermaid: "11.6.0",
  "@viz-js/viz": "3.13.0"
};

export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(nodeModules, name, "package.json"), "utf8")) as {version: string}).version;
}

function cacheDir(root: string, name: string): string {
  return join(root, ".observablehq", "cache", "_npm", `${name}@${packageVersion(name)}`);
}

function externalShared(self: string, root: string): Plugin {
  return {
    name: "shared-npm",
    setup(b) {
      b.onResolve({filter: /^[^./]/}, (args) => {
        const name = shared.find((s) => args.path === s);
        if (!name || name === self) return undefined;
        const from = cacheDir(root, self);
        const to = join(cacheDir(root, name), "_esm.js");
        return {path: relative(from, to), external: true};
      });
    }
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  );
}

async function writeAtomic(path: string, contents: string | Buffer): Promise<void> {
  await mkdir(dirname(path), {recursive: true});
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, contents);
  await rename(temp, path);
}

export interface CacheReport {
  bundled: string[];
  skipped: string[];
}

/** Bundles each library as browser ESM into Framework's cache under `root` (the Framework source root). */
export async function fillNpmCache(root: string, log: (line: string) => void = () => {}): Promise<CacheReport> {
  const report: CacheReport = {bundled: [], skipped: []};
  for (const lib of bundled) {
    const dir = cacheDir(root, lib.name);
    const target = join(dir, "_esm.js");
    const pkgJson = join(dir, "package.json");
    if (await exists(target)) {
      report.skipped.push(lib.name);
      continue;
    }
    log(`bundling ${lib.name}@${packageVersion(lib.name)}`);
    const result = await build({
      // A bare name lets esbuild pick the browser ESM entry from the package's own fields.
      entryPoints: [lib.entry ? join(nodeModules, lib.name, lib.entry) : lib.name],
      absWorkingDir: dirname(nodeModules),
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      write: false,
      legalComments: "none",
      plugins: [externalShared(lib.name, root)],
      logLevel: "silent"
    });
    for (const file of lib.copy ?? []) {
      const source = join(nodeModules, lib.name, "dist", file);
      await mkdir(join(dir, "dist"), {recursive: true});
      await copyFile(source, join(dir, "dist", file));
    }
    await writeAtomic(pkgJson, JSON.stringify({name: lib.name, version: packageVersion(lib.name)}));
    await writeAtomic(target, Buffer.from(result.outputFiles[0].contents));
    report.bundled.push(lib.name);
  }
  for (const [name, version] of Object.entries(placeholders)) {
    await mkdir(join(root, ".observablehq", "cache", "_npm", `${name}@${version}`), {recursive: true});
  }
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? "src");
  const report = await fillNpmCache(root, (line) => console.error(`[npm-cache] ${line}`));
  console.error(`[npm-cache] ${report.bundled.length} bundled, ${report.skipped.length} already cached`);
}
