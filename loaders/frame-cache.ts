// The registry frame on disk, so the loaders of one build read the registry once: the typed arrays in one binary
// file, the id lists as Arrow. Keyed by the source and its fingerprint (file sizes and times, or the build id for
// databases); written to a temporary folder and renamed, so a concurrent loader never reads half a cache.
import {createHash} from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs";
import {join} from "node:path";
import {Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray, type Vector} from "apache-arrow";
import {
  buildRegistryFrame,
  FRAME_TABLES,
  type FrameProgress,
  type LazyStrings,
  type RegistryFrame
} from "./registry-frame.js";
import type {RegistrySource} from "./source.js";

/** Bumped whenever the frame's layout or meaning changes, so older caches are never read. */
export const FRAME_VERSION = 1;
/** Caches kept per folder; older ones are removed when a new one is written. */
const KEEP = 3;

type TypedArray = Int32Array | Float64Array;

interface Layout {
  version: number;
  source: string;
  participants: string[];
  segments: string[];
  counts: {bills: number; installments: number; parties: number};
  arrays: {name: string; type: "int32" | "float64"; offset: number; length: number}[];
}

function arraysOf(frame: RegistryFrame): [string, TypedArray][] {
  const {bills: b, installments: i, partyInfo: p} = frame;
  return [
    ["bills.participant", b.participant],
    ["bills.assignor", b.assignor],
    ["bills.payer", b.payer],
    ["bills.kind", b.kind],
    ["bills.ballast", b.ballast],
    ["bills.state", b.state],
    ["bills.registeredAt", b.registeredAt],
    ["bills.value", b.value],
    ["installments.bill", i.bill],
    ["installments.number", i.number],
    ["installments.dueDay", i.dueDay],
    ["installments.originalDueDay", i.originalDueDay],
    ["installments.value", i.value],
    ["installments.paidDay", i.paidDay],
    ["parties.uf", p.uf],
    ["parties.segment", p.segment],
    ["parties.personType", p.personType]
  ];
}

/** The cache key of a source, or null when its data cannot be fingerprinted (then nothing is cached). */
export function frameKey(source: RegistrySource, env: NodeJS.ProcessEnv = process.env): string | null {
  const fingerprint = source.fingerprint?.(FRAME_TABLES) ?? env.GRAFENO_BUILD_ID;
  if (!fingerprint) return null;
  return createHash("sha256")
    .update(JSON.stringify([FRAME_VERSION, source.describe, fingerprint]))
    .digest("hex")
    .slice(0, 24);
}

function idVector(ids: LazyStrings): Vector {
  if ((ids as Vector).type instanceof Utf8) return ids as Vector;
  return vectorFromArray(
    Array.from({length: ids.length}, (_, i) => ids.get(i)),
    new Utf8()
  );
}

export function writeFrame(folder: string, frame: RegistryFrame, source: string): void {
  const tmp = `${folder}.${process.pid}.tmp`;
  rmSync(tmp, {recursive: true, force: true});
  mkdirSync(tmp, {recursive: true});
  const arrays = arraysOf(frame);
  const layout: Layout = {
    version: FRAME_VERSION,
    source,
    participants: frame.participants,
    segments: frame.segments,
    counts: {bills: frame.bills.length, installments: frame.installments.length, parties: frame.parties.length},
    arrays: []
  };
  let offset = 0;
  for (const [name, array] of arrays) {
    layout.arrays.push({name, type: array instanceof Int32Array ? "int32" : "float64", offset, length: array.length});
    offset += Math.ceil(array.byteLength / 8) * 8;
  }
  const bytes = new Uint8Array(offset);
  for (const [k, [, array]] of arrays.entries()) {
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), layout.arrays[k].offset);
  }
  writeFileSync(join(tmp, "arrays.bin"), bytes);
  writeFileSync(join(tmp, "bill-ids.arrow"), tableToIPC(new Table({id: idVector(frame.bills.id)}), "file"));
  writeFileSync(
    join(tmp, "party-ids.arrow"),
    tableToIPC(new Table({id: vectorFromArray(frame.parties, new Utf8())}), "file")
  );
  writeFileSync(join(tmp, "layout.json"), JSON.stringify(layout));
  rmSync(folder, {recursive: true, force: true});
  renameSync(tmp, folder);
}

/**
 * The frame from its cache folder. Arrays are read from disk on first use, so a loader that needs only the bills
 * never reads the installments.
 */
export function readFrame(folder: string): RegistryFrame {
  const layout = JSON.parse(readFileSync(join(folder, "layout.json"), "utf8")) as Layout;
  if (layout.version !== FRAME_VERSION) throw new Error(`${folder}: frame version ${layout.version}`);
  const file = join(folder, "arrays.bin");
  const spans = new Map(layout.arrays.map((a) => [a.name, a]));
  const load = (name: string): TypedArray => {
    const span = spans.get(name);
    if (!span) throw new Error(`${folder}: no array ${name}`);
    const bytes = span.length * (span.type === "int32" ? 4 : 8);
    const buffer = new ArrayBuffer(bytes);
    const fd = openSync(file, "r");
    try {
      for (let done = 0; done < bytes;) {
        const read = readSync(fd, new Uint8Array(buffer, done), 0, bytes - done, span.offset + done);
        if (read === 0) throw new Error(`${file}: truncated at ${name}`);
        done += read;
      }
    } finally {
      closeSync(fd);
    }
    return span.type === "int32" ? new Int32Array(buffer) : new Float64Array(buffer);
  };
  const lazy = <T extends object>(prefix: string, names: string[], fixed: object): T => {
    const target = {...fixed} as Record<string, unknown>;
    for (const name of names) {
      Object.defineProperty(target, name, {
        enumerable: true,
        configurable: true,
        get() {
          const value = load(`${prefix}.${name}`);
          Object.defineProperty(target, name, {value, enumerable: true, writable: false});
          return value;
        }
      });
    }
    return target as T;
  };
  let billIds: Vector | undefined;
  const ids: LazyStrings = {
    length: layout.counts.bills,
    get: (i) => {
      billIds ??= tableFromIPC(readFileSync(join(folder, "bill-ids.arrow"))).getChild("id")!;
      return billIds.get(i) as string | null;
    }
  };
  const partyIds = tableFromIPC(readFileSync(join(folder, "party-ids.arrow"))).getChild("id")!;
  return {
    participants: layout.participants,
    parties: partyIds.toArray() as string[],
    segments: layout.segments,
    bills: lazy("bills", ["participant", "assignor", "payer", "kind", "ballast", "state", "registeredAt", "value"], {
      length: layout.counts.bills,
      id: ids
    }),
    installments: lazy("installments", ["bill", "number", "dueDay", "originalDueDay", "value", "paidDay"], {
      length: layout.counts.installments
    }),
    partyInfo: lazy("parties", ["uf", "segment", "personType"], {})
  };
}

/** Removes all but the `keep` newest entries of `dir` that `cached` recognizes (cache folders or files). */
export function pruneCache(dir: string, cached: (name: string) => boolean, keep: number): void {
  const entries = readdirSync(dir)
    .filter(cached)
    .map((name) => ({name, at: statSync(join(dir, name)).mtimeMs}))
    .sort((a, b) => b.at - a.at);
  for (const {name} of entries.slice(keep)) rmSync(join(dir, name), {recursive: true, force: true});
}

export interface FrameOptions {
  /** Where frames are cached (default data/cache/frames; GRAFENO_FRAME_CACHE overrides it, "off" disables it). */
  cacheDir?: string | null;
  onProgress?: FrameProgress;
  env?: NodeJS.ProcessEnv;
}

export function defaultFrameCache(env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env.GRAFENO_FRAME_CACHE;
  if (setting === "off") return null;
  return setting || join(env.GRAFENO_DATA_DIR ?? "data", "cache", "frames");
}

/** The registry frame of a source: from the cache when its key matches, else built (and cached when it can be). */
export async function registryFrame(source: RegistrySource, options: FrameOptions = {}): Promise<RegistryFrame> {
  const env = options.env ?? process.env;
  const onProgress = options.onProgress ?? (() => {});
  const dir = options.cacheDir === undefined ? defaultFrameCache(env) : options.cacheDir;
  const key = dir ? frameKey(source, env) : null;
  const folder = dir && key ? join(dir, key) : null;
  if (folder && existsSync(join(folder, "layout.json"))) {
    onProgress(`registry frame from cache ${folder}`);
    return readFrame(folder);
  }
  const frame = await buildRegistryFrame(source, onProgress);
  if (dir && folder && key) {
    mkdirSync(dir, {recursive: true});
    writeFrame(folder, frame, source.describe);
    // The frame just written is the newest entry, so it is always kept.
    pruneCache(dir, (name) => /^[0-9a-f]{24}$/.test(name), KEEP);
    onProgress(`registry frame cached at ${folder}`);
  }
  return frame;
}
