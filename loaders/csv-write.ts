// Streaming CSV for canonical tables: RFC 4180 (comma, CRLF, double quotes doubled inside quoted fields), UTF-8
// without BOM, ISO dates and timestamps, dot decimals with exactly the field's decimals (money: 2). Null is an empty
// field. Written under a temporary name and renamed into place, like the Arrow files.
import {openAtomicFile, writeAll} from "./arrow-io.js";
import type {RowSink, SinkRow, WrittenFile} from "./arrow-io.js";
import type {FieldSpec, TableName, TableSpec} from "./registry-schema.js";
import {tableSpec} from "./registry-schema.js";

export interface CsvWriterOptions {
  /** Record separator; RFC 4180 says CRLF. */
  newline?: string;
  /** Write the header row (column names in canonical order). */
  header?: boolean;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One value as CSV text, quoted only when it has to be. */
export function csvField(value: unknown, field?: Pick<FieldSpec, "decimals">): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} to CSV`);
    return field?.decimals !== undefined ? value.toFixed(field.decimals) : String(value);
  }
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record (without the newline). */
export function csvLine(values: readonly unknown[], fields?: readonly FieldSpec[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) line += (i > 0 ? "," : "") + csvField(values[i], fields?.[i]);
  return line;
}

/** Streams rows of a table (canonical, or any described by a TableSpec) into a CSV file. */
export async function createCsvWriter<T extends TableName | TableSpec>(
  table: T,
  path: string,
  options: CsvWriterOptions = {}
): Promise<RowSink<SinkRow<T>>> {
  const spec = typeof table === "string" ? tableSpec(table as TableName) : (table as TableSpec);
  const newline = options.newline ?? "\r\n";
  const fields = spec.fields;
  const file = await openAtomicFile(path);
  // Lines are joined into one string and encoded per chunk: far fewer allocations than a Buffer per line.
  let lines: string[] = [];
  let lineChars = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let rows = 0;
  const encode = () => {
    if (lines.length === 0) return;
    const chunk = Buffer.from(lines.join(""), "utf8");
    lines = [];
    lineChars = 0;
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
  };
  const drain = async () => {
    encode();
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await file.write(chunk);
  };
  if (options.header ?? true) lines.push(csvLine(fields.map((f) => f.name)) + newline);
  return {
    path,
    get rows() {
      return rows;
    },
    get pendingBytes() {
      // Characters approximate bytes well enough for deciding when to drain.
      return pendingBytes + lineChars;
    },
    append(row) {
      const record = row as Record<string, unknown>;
      let line = "";
      for (let i = 0; i < fields.length; i++) line += (i > 0 ? "," : "") + csvField(record[fields[i].name], fields[i]);
      line += newline;
      lines.push(line);
      lineChars += line.length;
      rows++;
      if (lines.length >= 8192) encode();
    },
    drain,
    async close(): Promise<WrittenFile> {
      await drain();
      return {path, rows, ...(await file.commit())};
    },
    abort: () => file.abort()
  };
}

/** Writes all rows of a table to a CSV file, atomically. */
export async function writeCsvTable<T extends TableName | TableSpec>(
  table: T,
  path: string,
  rows: Iterable<SinkRow<T>> | AsyncIterable<SinkRow<T>>,
  options?: CsvWriterOptions
): Promise<WrittenFile> {
  return writeAll(await createCsvWriter(table, path, options), rows);
}
