// Streaming CSV reader for files as they come from registrars and spreadsheets: RFC 4180 quoting (quoted fields may
// hold delimiters, doubled quotes and newlines), comma, semicolon, tab, pipe or runs of spaces as the delimiter
// (detected from the first record), LF or CRLF, UTF-8 with or without BOM or Latin-1 (Windows-1252, detected when the
// bytes are not valid UTF-8, or declared). Records come in batches, with their 1-based row numbers as a spreadsheet
// counts them (header = row 1; blank lines count but are skipped).
import {isUtf8} from "node:buffer";
import {createReadStream} from "node:fs";
import {open} from "node:fs/promises";
import {basename} from "node:path";

export const DELIMITERS = [",", ";", "\t", "|", "whitespace"] as const;
export type Delimiter = (typeof DELIMITERS)[number];
export type Encoding = "utf-8" | "latin1";

export interface CsvReadOptions {
  /** "auto" (default) picks the most frequent of , ; tab | in the first record, or runs of spaces if none. */
  delimiter?: Delimiter | "auto";
  /** "auto" (default): UTF-8 when every byte sequence is valid UTF-8, Latin-1 (Windows-1252) otherwise. */
  encoding?: Encoding | "auto";
  /** Whether the first record names the columns (default true). */
  header?: boolean;
  /** Bytes per read (default 1 MiB). */
  chunkBytes?: number;
}

export interface CsvFormat {
  delimiter: Delimiter;
  encoding: Encoding;
  bom: boolean;
  /** The decimal separator numbers most likely use: "," in semicolon files (Brazilian Excel), "." otherwise. */
  decimal: "." | ",";
}

export interface CsvBatch {
  records: string[][];
  /** Row number of each record. */
  rows: number[];
}

export interface CsvFile {
  path: string;
  format: CsvFormat;
  /** Column names (trimmed), or null for a file without a header. */
  header: string[] | null;
  /** Row number of the header (blank lines before it count), 0 without one. */
  headerRow: number;
  batches(): AsyncGenerator<CsvBatch>;
}

/** A file that cannot be read as CSV at all: the whole import stops here. */
export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly row: number,
    readonly reason: string
  ) {
    super(`${basename(file)} row ${row}: ${reason}`);
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Valid UTF-8 throughout? Reads the file in chunks; a sequence cut by a chunk boundary is carried over. */
async function isUtf8File(path: string, skip: number, chunkBytes: number): Promise<boolean> {
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, {start: skip, highWaterMark: chunkBytes})) {
    const bytes = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let cut = bytes.length;
    // Back up to the start of the last character if it may be incomplete (at most 3 continuation bytes).
    for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
      if ((bytes[i] & 0xc0) !== 0x80) {
        const need = bytes[i] >= 0xf0 ? 4 : bytes[i] >= 0xe0 ? 3 : bytes[i] >= 0xc0 ? 2 : 1;
        if (i + need > bytes.length) cut = i;
        break;
      }
    }
    if (!isUtf8(bytes.subarray(0, cut))) return false;
    carry = Buffer.from(bytes.subarray(cut));
  }
  return carry.length === 0;
}

function detectDelimiter(firstLine: string): Delimiter {
  let best: Delimiter = ",";
  let bestCount = 0;
  for (const candidate of [",", ";", "\t", "|"] as const) {
    let count = 0;
    let quoted = false;
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === candidate && !quoted) count++;
    }
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return bestCount === 0 && /\S\s+\S/.test(firstLine.trim()) ? "whitespace" : best;
}

export async function openCsv(path: string, options: CsvReadOptions = {}): Promise<CsvFile> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const head = Buffer.alloc(64 * 1024);
  const handle = await open(path, "r");
  let headBytes: number;
  try {
    headBytes = (await handle.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await handle.close();
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new CsvError(path, 1, "UTF-16 text is not supported: save the file as UTF-8 or Latin-1");
  }
  const bom = UTF8_BOM.every((b, i) => head[i] === b);
  let encoding: Encoding;
  if (options.encoding && options.encoding !== "auto") encoding = options.encoding;
  else encoding = bom || (await isUtf8File(path, 0, chunkBytes)) ? "utf-8" : "latin1";
  const text = new TextDecoder(encoding === "utf-8" ? "utf-8" : "windows-1252").decode(head.subarray(0, headBytes));
  const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== "") ?? "";
  const delimiter = options.delimiter && options.delimiter !== "auto" ? options.delimiter : detectDelimiter(firstLine);
  const format: CsvFormat = {delimiter, encoding, bom, decimal: delimiter === ";" ? "," : "."};
  const wantHeader = options.header ?? true;
  let header: string[] | null = null;
  let headerRow = 0;
  if (wantHeader) {
    for await (const batch of parse(path, format, chunkBytes)) {
      if (batch.records.length === 0) continue;
      header = batch.records[0].map((name) => name.trim());
      headerRow = batch.rows[0];
      break;
    }
    if (header === null) throw new CsvError(path, 1, "the file is empty: no header row");
  }
  return {
    path,
    format,
    header,
    headerRow,
    async *batches() {
      for await (const batch of parse(path, format, chunkBytes)) {
        if (headerRow === 0) yield batch;
        else {
          const skip = batch.rows.findIndex((row) => row > headerRow);
          if (skip === 0) yield batch;
          else if (skip > 0) yield {records: batch.records.slice(skip), rows: batch.rows.slice(skip)};
        }
      }
    }
  };
}

/** Every record of the file, header included, in batches of about one chunk. */
async function* parse(path: string, format: CsvFormat, chunkBytes: number): AsyncGenerator<CsvBatch> {
  const decoder = new TextDecoder(format.encoding === "utf-8" ? "utf-8" : "windows-1252", {fatal: true});
  const delimiter = format.delimiter;
  let text = "";
  let row = 0;
  const take = (final: boolean): CsvBatch => {
    const records: string[][] = [];
    const rows: number[] = [];
    let pos = 0;
    let quoteAt = delimiter === "whitespace" ? Infinity : -1; // next quote at or after pos, found once per stretch
    while (pos < text.length) {
      const nl = text.indexOf("\n", pos);
      if (nl < 0 && !final) break;
      const end = nl < 0 ? text.length : nl;
      const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (quoteAt < pos) {
        const q = text.indexOf('"', pos);
        quoteAt = q < 0 ? Infinity : q;
      }
      if (quoteAt >= end) {
        row++;
        const line = text.slice(pos, lineEnd);
        pos = end + 1;
        if (line.trim() === "") continue;
        records.push(delimiter === "whitespace" ? line.trim().split(/\s+/) : line.split(delimiter));
        rows.push(row);
        continue;
      }
      const parsed = parseQuoted(text, pos, delimiter, final, path, row + 1);
      if (parsed === null) break; // the record goes on in the next chunk
      row++;
      records.push(parsed.fields);
      rows.push(row);
      pos = parsed.next;
    }
    text = text.slice(pos);
    return {records, rows};
  };
  const decode = (chunk?: Buffer) => {
    try {
      text += chunk ? decoder.decode(chunk, {stream: true}) : decoder.decode();
    } catch (error) {
      if ((error as {code?: string}).code !== "ERR_ENCODING_INVALID_ENCODED_DATA") throw error;
      // Name the row: decode leniently and count the lines before the first replacement character.
      const lenient = text + new TextDecoder(format.encoding).decode(chunk ?? Buffer.alloc(0));
      const at = lenient.indexOf("\ufffd");
      const lines = at < 0 ? 0 : lenient.slice(0, at).split("\n").length - 1;
      throw new CsvError(
        path,
        row + 1 + lines,
        `bytes that are not valid ${format.encoding} (declare --encoding latin1?)`
      );
    }
  };
  for await (const chunk of createReadStream(path, {highWaterMark: chunkBytes})) {
    decode(chunk as Buffer);
    const batch = take(false);
    if (batch.records.length > 0) yield batch;
  }
  decode();
  const last = take(true);
  if (last.records.length > 0) yield last;
}

/**
 * One record that has a quote somewhere, from `start`: the fields and where the next record starts, or null when
 * the text ends inside the record and more may come.
 */
function parseQuoted(
  text: string,
  start: number,
  delimiter: string,
  final: boolean,
  path: string,
  row: number
): {fields: string[]; next: number} | null {
  const fields: string[] = [];
  let i = start;
  for (;;) {
    let value: string;
    if (text[i] === '"') {
      value = "";
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0 || (q + 1 === text.length && !final)) {
          if (final) throw new CsvError(path, row, "a quoted field is never closed (a missing closing quote)");
          return null;
        }
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
        throw new CsvError(
          path,
          row,
          `unexpected ${JSON.stringify(next)} after a closing quote (quotes inside a field must be doubled)`
        );
      }
    } else {
      let end = i;
      while (end < text.length && text[end] !== delimiter && text[end] !== "\n" && text[end] !== "\r") end++;
      if (end === text.length && !final) return null;
      value = text.slice(i, end);
      i = end;
    }
    fields.push(value);
    if (i >= text.length) {
      if (!final) return null;
      return {fields, next: i};
    }
    if (text[i] === delimiter) {
      i++;
      continue;
    }
    if (text[i] === "\r") {
      if (i + 1 >= text.length && !final) return null;
      if (text[i + 1] === "\n") i++;
    }
    return {fields, next: i + 1};
  }
}
