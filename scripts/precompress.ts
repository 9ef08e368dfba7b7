// Writes a .gz next to each compressible file of the built site, so the server sends DuckDB's 35 MB wasm as
// 7 MB without compressing on every request. Atomic: a .gz appears only when complete.
import {createReadStream, createWriteStream} from "node:fs";
import {readdir, rename, stat} from "node:fs/promises";
import {extname, join} from "node:path";
import {pipeline} from "node:stream/promises";
import {createGzip} from "node:zlib";

const compressible = new Set([".html", ".js", ".css", ".json", ".wasm", ".arrow", ".csv", ".svg", ".txt"]);

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (compressible.has(extname(entry.name))) yield path;
  }
}

async function fresh(source: string, target: string): Promise<boolean> {
  try {
    return (await stat(target)).mtimeMs >= (await stat(source)).mtimeMs;
  } catch {
    return false;
  }
}

export async function precompress(dir: string, minBytes = 1024): Promise<number> {
  let count = 0;
  for await (const path of files(dir)) {
    if ((await stat(path)).size < minBytes || (await fresh(path, `${path}.gz`))) continue;
    const temp = `${path}.gz.${process.pid}.tmp`;
    await pipeline(createReadStream(path), createGzip({level: 9}), createWriteStream(temp));
    await rename(temp, `${path}.gz`);
    count++;
  }
  return count;
}
