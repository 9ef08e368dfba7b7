// Reading canonical columns into typed arrays without a JS object per row: ids interned to dense integers, dates
// to day numbers, timestamps to epoch milliseconds. Arrow vectors take a fast path over their raw buffers; plain
// arrays (rows from Postgres or MongoDB) take the generic one, with the same results.
import {DataType, type Vector} from "apache-arrow";
import {dayOf} from "./statistics-registry.js";
import {msOf} from "./risk-features.js";

/** What a column is read through: an Arrow vector or an array of values taken from rows. */
export type ColumnLike = Vector | readonly unknown[];

/** A null day in an Int32Array of day numbers. */
export const NULL_DAY = -2_147_483_648;

export function isVector(column: ColumnLike): column is Vector {
  return !Array.isArray(column);
}

export function valueAt(column: ColumnLike, i: number): unknown {
  return isVector(column) ? column.get(i) : column[i];
}

const decoder = new TextDecoder();

/** Decodes an id from UTF-8 bytes; ids are almost always ASCII, which needs no TextDecoder call. */
function decodeId(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let ascii = true;
    for (let k = start; k < end; k++) if (bytes[k] > 127) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return decoder.decode(bytes.subarray(start, end));
}

export interface Interned {
  /** Index into `values` per row; -1 for null. */
  codes: Int32Array;
  values: string[];
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let k = start; k < end; k++) h = Math.imul(h ^ bytes[k], 0x01000193);
  return h >>> 0;
}

/**
 * A dictionary of strings that Arrow rows look up by their UTF-8 bytes (an open-addressing table over a byte pool,
 * so a repeated id costs a hash and a compare, not a decoded string) and plain values look up by string.
 */
export class Interner {
  readonly values: string[] = [];
  private readonly byString = new Map<string, number>();
  private slots = new Int32Array(1 << 16).fill(-1);
  private pool = new Uint8Array(1 << 16);
  private poolEnd = 0;
  private starts = new Int32Array(1 << 12);

  get size(): number {
    return this.values.length;
  }

  /** The code of `value`, added if new. */
  code(value: string): number {
    const known = this.byString.get(value);
    if (known !== undefined) return known;
    const bytes = encoder.encode(value);
    return this.codeOfBytes(bytes, 0, bytes.length, value);
  }

  /** The code of the string whose UTF-8 bytes are bytes[start, end), or -1. */
  find(bytes: Uint8Array, start: number, end: number): number {
    return this.lookup(bytes, start, end);
  }

  // The slot where the search stopped: the key's, or the empty one to insert it at (kept in a field, not returned
  // in an object, so a lookup allocates nothing).
  private slot = 0;

  private lookup(bytes: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    let slot = hashBytes(bytes, start, end) & mask;
    for (let code = this.slots[slot]; code !== -1; code = this.slots[slot]) {
      const from = this.starts[code];
      if (this.starts[code + 1] - from === length && equalBytes(this.pool, from, bytes, start, length)) {
        this.slot = slot;
        return code;
      }
      slot = (slot + 1) & mask;
    }
    this.slot = slot;
    return -1;
  }

  /** The code of the string whose UTF-8 bytes are bytes[start, end), added if new. */
  codeOfBytes(bytes: Uint8Array, start: number, end: number, decoded?: string): number {
    const found = this.lookup(bytes, start, end);
    if (found >= 0) return found;
    const slot = this.slot;
    const code = this.values.length;
    const value = decoded ?? decodeId(bytes, start, end);
    this.values.push(value);
    this.byString.set(value, code);
    this.append(bytes, start, end);
    this.slots[slot] = code;
    if (this.values.length * 2 > this.slots.length) this.rehash();
    return code;
  }

  private append(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    while (this.poolEnd + length > this.pool.length) this.pool = grow(this.pool, this.pool.length * 2);
    this.pool.set(bytes.subarray(start, end), this.poolEnd);
    this.poolEnd += length;
    const code = this.values.length - 1;
    if (code + 2 > this.starts.length) this.starts = grow(this.starts, this.starts.length * 2);
    this.starts[code + 1] = this.poolEnd;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let code = 0; code < this.values.length; code++) {
      let slot = hashBytes(this.pool, this.starts[code], this.starts[code + 1]) & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = code;
    }
    this.slots = slots;
  }
}

const encoder = new TextEncoder();

function grow<T extends Uint8Array | Int32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}

function equalBytes(a: Uint8Array, from: number, b: Uint8Array, start: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (a[from + k] !== b[start + k]) return false;
  return true;
}

function isValid(data: {nullBitmap?: Uint8Array; offset: number; nullCount: number}, i: number): boolean {
  if (data.nullCount <= 0 || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const bit = data.offset + i;
  return (data.nullBitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** Dense codes for a string column, in order of first appearance; `into` continues an existing dictionary. */
export function intern(column: ColumnLike, into: Interner = new Interner()): Interned {
  const codes = new Int32Array(column.length);
  if (isVector(column) && DataType.isUtf8(column.type)) {
    let row = 0;
    for (const data of column.data) {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      for (let i = 0; i < data.length; i++, row++) {
        codes[row] = isValid(data, i)
          ? into.codeOfBytes(bytes, offsets[data.offset + i], offsets[data.offset + i + 1])
          : -1;
      }
    }
    return {codes, values: into.values};
  }
  for (let i = 0; i < column.length; i++) {
    const value = valueAt(column, i);
    codes[i] = value === null || value === undefined ? -1 : into.code(String(value));
  }
  return {codes, values: into.values};
}

interface Utf8Cursor {
  bytes: Uint8Array[];
  chunk: Int32Array;
  start: Int32Array;
  end: Int32Array;
}

/** Where each row's bytes are: chunk, start and end (-1 start for null). */
function utf8Cursor(column: Vector): Utf8Cursor {
  const n = column.length;
  const cursor = {
    bytes: [] as Uint8Array[],
    chunk: new Int32Array(n),
    start: new Int32Array(n),
    end: new Int32Array(n)
  };
  let row = 0;
  column.data.forEach((data, c) => {
    const offsets = data.valueOffsets as Int32Array;
    cursor.bytes.push(data.values as Uint8Array);
    for (let i = 0; i < data.length; i++, row++) {
      cursor.chunk[row] = c;
      cursor.start[row] = isValid(data, i) ? offsets[data.offset + i] : -1;
      cursor.end[row] = offsets[data.offset + i + 1];
    }
  });
  return cursor;
}

function keyIs(k: Utf8Cursor, row: number, bytes: Uint8Array, start: number, length: number): boolean {
  return (
    k.start[row] >= 0 &&
    k.end[row] - k.start[row] === length &&
    equalBytes(k.bytes[k.chunk[row]], k.start[row], bytes, start, length)
  );
}

/**
 * For each value of `refs`, the first row of `keys` holding it (-1 if none): installments to their bill. When the
 * references come grouped in the keys' order (how registries export them) this is a merge over raw bytes; any
 * other order falls back to a hash table.
 */
export function resolveRows(keys: ColumnLike, refs: ColumnLike): Int32Array {
  const out = new Int32Array(refs.length).fill(-1);
  if (isVector(keys) && isVector(refs) && DataType.isUtf8(keys.type) && DataType.isUtf8(refs.type)) {
    const k = utf8Cursor(keys);
    let table: {interner: Interner; firstRow: Int32Array} | null = null;
    let pointer = 0;
    let row = 0;
    for (const data of refs.data) {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      let prevStart = -1;
      let prevEnd = -1;
      for (let i = 0; i < data.length; i++, row++) {
        if (!isValid(data, i)) continue;
        const start = offsets[data.offset + i];
        const end = offsets[data.offset + i + 1];
        const length = end - start;
        // A run of one bill's installments: the same bytes as the row before.
        if (prevStart >= 0 && out[row - 1] >= 0 && prevEnd - prevStart === length) {
          if (equalBytes(bytes, prevStart, bytes, start, length)) {
            out[row] = out[row - 1];
            prevStart = start;
            prevEnd = end;
            continue;
          }
        }
        prevStart = start;
        prevEnd = end;
        if (pointer < keys.length && keyIs(k, pointer, bytes, start, length)) out[row] = pointer;
        else if (pointer + 1 < keys.length && keyIs(k, pointer + 1, bytes, start, length)) out[row] = ++pointer;
        else {
          table ??= keyTable(keys);
          const code = table.interner.find(bytes, start, end);
          if (code >= 0) out[row] = pointer = table.firstRow[code];
        }
      }
    }
    return out;
  }
  const index = new Map<string, number>();
  for (let row = keys.length - 1; row >= 0; row--) index.set(String(valueAt(keys, row)), row);
  for (let i = 0; i < refs.length; i++) out[i] = index.get(String(valueAt(refs, i))) ?? -1;
  return out;
}

function keyTable(keys: Vector): {interner: Interner; firstRow: Int32Array} {
  const interner = new Interner();
  const {codes} = intern(keys, interner);
  const firstRow = new Int32Array(interner.size).fill(-1);
  for (let row = codes.length - 1; row >= 0; row--) if (codes[row] >= 0) firstRow[codes[row]] = row;
  return {interner, firstRow};
}

/** Rows of a string column whose value is one of `wanted`, ascending; an Arrow column is matched on its bytes. */
export function rowsMatching(column: ColumnLike, wanted: Iterable<string>): number[] {
  const rows: number[] = [];
  if (isVector(column) && DataType.isUtf8(column.type)) {
    const table = new Interner();
    for (const value of wanted) table.code(value);
    let row = 0;
    for (const data of column.data) {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      for (let i = 0; i < data.length; i++, row++) {
        if (isValid(data, i) && table.find(bytes, offsets[data.offset + i], offsets[data.offset + i + 1]) >= 0) {
          rows.push(row);
        }
      }
    }
    return rows;
  }
  const set = new Set(wanted);
  for (let i = 0; i < column.length; i++) if (set.has(String(valueAt(column, i)))) rows.push(i);
  return rows;
}

/** Codes of a string column looked up in a fixed dictionary (enums); values outside it get -1. */
export function codesIn(column: ColumnLike, dictionary: readonly string[]): Int32Array {
  const index = new Map(dictionary.map((v, i) => [v, i]));
  const codes = new Int32Array(column.length);
  if (isVector(column) && DataType.isDictionary(column.type)) {
    let row = 0;
    for (const data of column.data) {
      const local = (data.dictionary?.toArray() ?? []) as string[];
      const map = Int32Array.from(local, (v) => index.get(v) ?? -1);
      const keys = data.values as Int32Array;
      for (let i = 0; i < data.length; i++, row++) {
        codes[row] = !isValid(data, i) ? -1 : map[keys[i]];
      }
    }
    return codes;
  }
  for (let i = 0; i < column.length; i++) {
    const value = valueAt(column, i);
    codes[i] = value === null || value === undefined ? -1 : (index.get(String(value)) ?? -1);
  }
  return codes;
}

/** Day numbers (days since 1970-01-01) of a date column; NULL_DAY for null. */
export function days(column: ColumnLike): Int32Array {
  const out = new Int32Array(column.length);
  if (isVector(column) && DataType.isDate(column.type) && column.type.unit === 0) {
    let row = 0;
    for (const data of column.data) {
      const values = data.values as Int32Array;
      for (let i = 0; i < data.length; i++, row++) {
        out[row] = !isValid(data, i) ? NULL_DAY : values[i];
      }
    }
    return out;
  }
  for (let i = 0; i < column.length; i++) {
    const value = valueAt(column, i);
    out[i] = value === null || value === undefined ? NULL_DAY : dayOf(toDateValue(value));
  }
  return out;
}

/** Epoch milliseconds of a timestamp column (nulls are not allowed where this is used). */
export function millis(column: ColumnLike, name: string): Float64Array {
  const out = new Float64Array(column.length);
  if (isVector(column) && DataType.isTimestamp(column.type)) {
    let row = 0;
    for (const data of column.data) {
      const values = data.values as BigInt64Array;
      for (let i = 0; i < data.length; i++, row++) {
        if (!isValid(data, i)) throw new RangeError(`${name}: null at row ${row + 1}`);
        out[row] = Number(values[i]);
      }
    }
    return out;
  }
  for (let i = 0; i < column.length; i++) {
    const value = valueAt(column, i);
    if (value === null || value === undefined) throw new RangeError(`${name}: null at row ${i + 1}`);
    out[i] = msOf(toDateValue(value));
  }
  return out;
}

/** A numeric column as Float64Array; NaN for null. */
export function numbers(column: ColumnLike): Float64Array {
  const out = new Float64Array(column.length);
  if (isVector(column) && (DataType.isFloat(column.type) || DataType.isInt(column.type))) {
    let row = 0;
    for (const data of column.data) {
      const values = data.values as Float64Array | Int32Array;
      for (let i = 0; i < data.length; i++, row++) {
        out[row] = !isValid(data, i) ? NaN : values[i];
      }
    }
    return out;
  }
  for (let i = 0; i < column.length; i++) {
    const value = valueAt(column, i);
    out[i] = value === null || value === undefined ? NaN : Number(value);
  }
  return out;
}

function toDateValue(value: unknown): string | number {
  if (value instanceof Date) return +value;
  if (typeof value === "number" || typeof value === "string") return value;
  throw new RangeError(`not a date: ${String(value)}`);
}
