// The registry frame on disk, so the loaders of one build read the registry once: the typed arrays in one binary
// file, the id lists as Arrow. Keyed by the source and its fingerprint (file sizes and times, or the build id for
// databases); written to a temporary folder and renamed, so a concurrent loader never reads half a cache.
import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
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

export function readFrame(folder: string): RegistryFrame {
  const layout = JSON.parse(readFileSync(join(folder, "layout.json"), "utf8")) as Layout;
  if (layout.version !== FRAME_VERSION) throw new Error(`${folder}: frame version ${layout.version}`);
  const file = readFileSync(join(folder, "arrays.bin"));
  // Typed-array views need aligned offsets; a Buffer from the pool may not start on one.
  const buffer = file.byteOffset % 8 === 0 ? file : Uint8Array.prototype.slice.call(file);
  const arrays = new Map<string, TypedArray>();
  for (const a of layout.arrays) {
    const at = buffer.byteOffset + a.offset;
    arrays.set(
      a.name,
      a.type === "int32" ? new Int32Array(buffer.buffer, at, a.length) : new Float64Array(buffer.buffer, at, a.length)
    );
  }
  const get = <T extends TypedArray>(name: string) => arrays.get(name) as T;
  const billIds = tableFromIPC(readFileSync(join(folder, "bill-ids.arrow"))).getChild("id")!;
  const partyIds = tableFromIPC(readFileSync(join(folder, "party-ids.arrow"))).getChild("id")!;
  return {
    participants: layout.participants,
    parties: partyIds.toArray() as string[],
    segments: layout.segments,
    bills: {
      length: layout.counts.bills,
      id: billIds as LazyStrings,
      participant: get("bills.participant"),
      assignor: get("bills.assignor"),
      payer: get("bills.payer"),
      kind: get("bills.kind"),
      ballast: get("bills.ballast"),
      state: get("bills.state"),
      registeredAt: get("bills.registeredAt"),
      value: get("bills.value")
    },
    installments: {
      length: layout.counts.installments,
      bill: get("installments.bill"),
      number: get("installments.number"),
      dueDay: get("installments.dueDay"),
      originalDueDay: get("installments.originalDueDay"),
      value: get("installments.value"),
      paidDay: get("installments.paidDay")
    },
    partyInfo: {uf: get("parties.uf"), segment: get("parties.segment"), personType: get("parties.personType")}
  };
}

function prune(dir: string, keep: string): void {
  const entries = readdirSync(dir)
    .filter((name) => name !== keep && /^[0-9a-f]{24}$/.test(name))
    .map((name) => ({name, at: statSync(join(dir, name)).mtimeMs}))
    .sort((a, b) => b.at - a.at);
  for (const {name} of entries.slice(KEEP - 1)) rmSync(join(dir, name), {recursive: true, force: true});
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
    prune(dir, key);
    onProgress(`registry frame cached at ${folder}`);
  }
  return frame;
}
