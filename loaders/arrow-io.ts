// Arrow IPC for canonical tables: rows go into typed column buffers, every `batchRows` rows become one record batch
// of an IPC *stream* (what DuckDB-WASM reads offline), and the bytes go to disk before the next batch is built, so
// ten million rows never exist as JS objects. Files are written under a temporary name and renamed into place.
import {createHash} from "node:crypto";
import {mkdir, open, readFile, rename, rm} from "node:fs/promises";
import {basename, dirname, join} from "node:path";
import {
  AsyncByteQueue,
  RecordBatch,
  RecordBatchReader,
  RecordBatchStreamWriter,
  Struct,
  Utf8,
  makeData,
  tableFromIPC,
  vectorFromArray
} from "apache-arrow";
import type {Data, DataType, Schema, Table, Vector} from "apache-arrow";
import type {FieldSpec, RowOf, TableName, TableSpec} from "./registry-schema.js";
import {arrowSchema, epochDay, epochMs, isoDate, isoTimestamp, tableSpec} from "./registry-schema.js";

export interface WrittenFile {
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** A file being written: invisible at `path` until commit renames it into place. */
export interface AtomicFile {
  readonly path: string;
  write(chunk: Uint8Array): Promise<void>;
  commit(): Promise<{bytes: number; sha256: string}>;
  abort(): Promise<void>;
}

let tempCounter = 0;

export async function openAtomicFile(path: string): Promise<AtomicFile> {
  await mkdir(dirname(path), {recursive: true});
  // Same folder as the target, so the rename never crosses file systems; dot-prefixed so listings skip it.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  const handle = await open(temp, "w");
  const hash = createHash("sha256");
  let bytes = 0;
  let closed = false;
  return {
    path,
    async write(chunk) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      for (let offset = 0; offset < chunk.byteLength;) {
        offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
      }
    },
    async commit() {
      closed = true;
      await handle.datasync();
      await handle.close();
      await rename(temp, path);
      return {bytes, sha256: hash.digest("hex")};
    },
    async abort() {
      if (!closed) await handle.close().catch(() => undefined);
      closed = true;
      await rm(temp, {force: true});
    }
  };
}

/** Row type of a table: the canonical row type, or plain records for other table specs. */
export type SinkRow<T extends TableName | TableSpec> = T extends TableName ? RowOf<T> : Record<string, unknown>;

/** Rows in, a file out. `append` is synchronous; call `drain` now and then to bound what waits in memory. */
export interface RowSink<R> {
  readonly path: string;
  readonly rows: number;
  /** Encoded bytes not yet on disk. */
  readonly pendingBytes: number;
  append(row: R): void;
  drain(): Promise<void>;
  close(): Promise<WrittenFile>;
  abort(): Promise<void>;
}

export interface ArrowWriterOptions {
  /** Rows per record batch (64k keeps a batch a few MB and DuckDB's vectors full). */
  batchRows?: number;
}

interface ColumnBuffer {
  set(index: number, value: unknown): void;
  finish(length: number): Data;
}

function columnBuffer(spec: FieldSpec, type: DataType, capacity: number): ColumnBuffer {
  const validity = spec.nullable ? new Uint8Array((capacity + 7) >> 3) : null;
  let nulls = 0;
  const bad = (value: unknown): never => {
    throw new TypeError(`${spec.name}: cannot store ${JSON.stringify(value)} as ${spec.type}`);
  };
  const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  // Typed storage and the conversion from the canonical value (ISO text for dates, names for enums).
  let values: Int32Array | Float64Array | BigInt64Array | string[];
  let convert: (v: unknown) => number | bigint | string;
  let dictionary: Vector<Utf8> | undefined;
  if (spec.type === "string") {
    values = new Array<string>(capacity).fill("");
    convert = (v) => (typeof v === "string" ? v : bad(v));
  } else if (spec.type === "float") {
    values = new Float64Array(capacity);
    convert = (v) => (isNumber(v) ? v : bad(v));
  } else if (spec.type === "int") {
    values = new Int32Array(capacity);
    convert = (v) => (isNumber(v) && Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v : bad(v));
  } else if (spec.type === "date") {
    values = new Int32Array(capacity);
    convert = (v) => (typeof v === "string" && !Number.isNaN(epochDay(v)) ? epochDay(v) : bad(v));
  } else if (spec.type === "timestamp") {
    values = new BigInt64Array(capacity);
    convert = (v) => (typeof v === "string" && !Number.isNaN(epochMs(v)) ? BigInt(epochMs(v)) : bad(v));
  } else {
    const codes = new Map((spec.values ?? []).map((value, code) => [value, code]));
    values = new Int32Array(capacity);
    convert = (v) => codes.get(v as string) ?? bad(v);
    dictionary = dictionaryVector(spec);
  }
  const store = values as unknown[];
  return {
    set(i, v) {
      if (v === null || v === undefined) {
        if (!validity) throw new TypeError(`${spec.name}: null in a non-nullable column`);
        nulls++;
        return;
      }
      store[i] = convert(v);
      if (validity) validity[i >> 3] |= 1 << (i & 7);
    },
    finish(length) {
      const props = {
        type,
        length,
        nullCount: nulls,
        nullBitmap: nulls > 0 ? validity!.subarray(0, (length + 7) >> 3) : undefined
      };
      if (!Array.isArray(values)) return makeData({...props, data: values.subarray(0, length), dictionary} as never);
      const offsets = new Int32Array(length + 1);
      for (let i = 0, total = 0; i < length; i++) offsets[i + 1] = total += Buffer.byteLength(values[i], "utf8");
      const data = Buffer.from(values.slice(0, length).join(""), "utf8");
      return makeData({...props, type: type as Utf8, valueOffsets: offsets, data});
    }
  };
}

// One dictionary vector per enum field for the whole process: the stream writer writes a dictionary batch only when
// a batch's dictionary differs (by identity) from the one it wrote before.
const dictionaries = new WeakMap<FieldSpec, Vector<Utf8>>();

function dictionaryVector(spec: FieldSpec): Vector<Utf8> {
  let vector = dictionaries.get(spec);
  if (!vector) dictionaries.set(spec, (vector = vectorFromArray([...(spec.values ?? [])], new Utf8())));
  return vector;
}

/** Collects the writer's output chunks instead of queueing them for an async reader. */
class ChunkCollector extends AsyncByteQueue {
  chunks: Uint8Array[] = [];
  bytes = 0;
  override write(value: Uint8Array): void {
    this.chunks.push(value);
    this.bytes += value.byteLength;
  }
  take(): Uint8Array[] {
    const out = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}

/** Builds record batches of one table from rows, `batchRows` at a time. */
export class BatchBuilder<R = Record<string, unknown>> {
  readonly spec: TableSpec;
  readonly schema: Schema;
  private columns: ColumnBuffer[] = [];
  private length = 0;

  constructor(
    table: TableName | TableSpec,
    readonly batchRows = 65_536
  ) {
    this.spec = typeof table === "string" ? tableSpec(table) : table;
    this.schema = arrowSchema(table);
    this.reset();
  }

  get rows(): number {
    return this.length;
  }

  /** Adds a row; returns true when the batch is full and should be taken. */
  append(row: R): boolean {
    const record = row as Record<string, unknown>;
    const fields = this.spec.fields;
    for (let c = 0; c < fields.length; c++) this.columns[c].set(this.length, record[fields[c].name]);
    return ++this.length >= this.batchRows;
  }

  /** The rows appended so far as one record batch; the builder starts over with fresh buffers. */
  take(): RecordBatch {
    const length = this.length;
    const children = this.columns.map((column) => column.finish(length));
    this.reset();
    return new RecordBatch(this.schema, makeData({type: new Struct(this.schema.fields), length, children}));
  }

  private reset(): void {
    this.columns = this.spec.fields.map((f, i) => columnBuffer(f, this.schema.fields[i].type, this.batchRows));
    this.length = 0;
  }
}

/** Streams rows of a table (canonical, or any described by a TableSpec) into an Arrow IPC stream file. */
export async function createArrowWriter<T extends TableName | TableSpec>(
  table: T,
  path: string,
  options: ArrowWriterOptions = {}
): Promise<RowSink<SinkRow<T>>> {
  const builder = new BatchBuilder<SinkRow<T>>(table, options.batchRows);
  const file = await openAtomicFile(path);
  const collector = new ChunkCollector();
  const writer = new RecordBatchStreamWriter();
  writer.reset(collector, builder.schema);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let rows = 0;
  const flush = () => {
    if (builder.rows > 0) writer.write(builder.take());
    pendingBytes += collector.bytes;
    pending.push(...collector.take());
  };
  const drain = async () => {
    if (pending.length === 0) return;
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await file.write(chunk);
  };
  return {
    path,
    get rows() {
      return rows;
    },
    get pendingBytes() {
      return pendingBytes + collector.bytes;
    },
    append(row) {
      rows++;
      if (builder.append(row)) flush();
    },
    drain,
    async close() {
      flush();
      writer.close(); // writes the end-of-stream marker into the collector
      flush();
      await drain();
      return {path, rows, ...(await file.commit())};
    },
    abort: () => file.abort()
  };
}

/** Writes all rows of a table (any iterable, sync or async) to an Arrow stream file, atomically. */
export async function writeArrowTable<T extends TableName | TableSpec>(
  table: T,
  path: string,
  rows: Iterable<SinkRow<T>> | AsyncIterable<SinkRow<T>>,
  options?: ArrowWriterOptions
): Promise<WrittenFile> {
  return writeAll(await createArrowWriter(table, path, options), rows);
}

/** Feeds rows into a sink, draining as it goes; the file is removed again if anything fails. */
export async function writeAll<R>(sink: RowSink<R>, rows: Iterable<R> | AsyncIterable<R>): Promise<WrittenFile> {
  try {
    for await (const row of rows) {
      sink.append(row);
      if (sink.pendingBytes > 8 << 20) await sink.drain();
    }
    return await sink.close();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/** Reads an Arrow file (IPC stream or file format) whole. For large files prefer readArrowRows. */
export async function readArrowTable(path: string): Promise<Table> {
  return tableFromIPC(await readFile(path));
}

/**
 * Streams the rows of a canonical table from an Arrow file (stream or file format), batch by batch, with values in
 * the canonical form (ISO dates and timestamps, enum strings, null for missing values).
 */
export async function* readArrowRows<T extends TableName>(table: T, path: string): AsyncGenerator<RowOf<T>> {
  const spec = tableSpec(table);
  const handle = await open(path, "r");
  try {
    const reader = await RecordBatchReader.from(handle);
    for await (const batch of reader) {
      const columns = spec.fields.map((field) => {
        const vector = batch.getChild(field.name);
        if (!vector) throw new Error(`${path}: column ${field.name} missing from ${table}`);
        return {name: field.name, vector, convert: fromArrow(field)};
      });
      for (let i = 0; i < batch.numRows; i++) {
        const row: Record<string, unknown> = {};
        for (const {name, vector, convert} of columns) {
          const value: unknown = vector.get(i);
          row[name] = value === null || value === undefined ? null : convert(value);
        }
        yield row as RowOf<T>;
      }
    }
  } finally {
    await handle.close();
  }
}

const MS_PER_DAY = 86_400_000;

function fromArrow(field: FieldSpec): (value: unknown) => unknown {
  switch (field.type) {
    case "date": // DateDay and DateMillisecond both read as epoch milliseconds
      return (v) => isoDate(Math.floor(Number(v instanceof Date ? v.getTime() : v) / MS_PER_DAY));
    case "timestamp":
      return (v) => isoTimestamp(Number(v instanceof Date ? v.getTime() : v));
    case "int":
    case "float":
      return (v) => Number(v);
    default:
      return (v) => String(v);
  }
}
