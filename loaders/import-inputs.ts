// Where an import reads the canonical tables from: a folder of CSV files or of Arrow files (`<table>.csv`,
// `<table>.arrow`), or any RegistrySource (Postgres tables, the MongoDB collection). Each gives raw rows keyed by
// canonical column name, in batches, with the row number a person would look up in that file.
import {existsSync} from "node:fs";
import {open} from "node:fs/promises";
import {join, resolve} from "node:path";
import {RecordBatchReader} from "apache-arrow";
import type {CsvReadOptions} from "./csv-read.js";
import {CsvError, openCsv} from "./csv-read.js";
import type {ValueLocale} from "./parse-values.js";
import {DEFAULT_LOCALE} from "./parse-values.js";
import type {TableName} from "./registry-schema.js";
import {columnOrder} from "./registry-schema.js";
import type {RegistrySource} from "./source.js";
import type {Problem, RawRow} from "./validate.js";

export interface RawBatch {
  /** Raw values in canonical column order; null for a record that could not be split into its columns (reported). */
  rows: (RawRow | null)[];
  numbers: number[];
}

export interface TableInput {
  /** File (or table, or collection) named in problems. */
  file: string;
  locale: ValueLocale;
  /** Columns of the input that are not canonical columns, and so are not imported. */
  ignored: string[];
  batches(report: (problem: Problem) => void): AsyncIterable<RawBatch>;
}

export interface ImportInput {
  describe: string;
  /** Opens one table; throws StructureError when it cannot be read at all. */
  open(table: TableName): Promise<TableInput>;
}

/** A table that cannot be read at all (missing file or column, broken quoting, undecodable bytes). */
export class StructureError extends Error {
  constructor(
    readonly file: string,
    readonly row: number,
    readonly column: string,
    readonly reason: string
  ) {
    super(`${file} row ${row}${column ? ` column ${column}` : ""}: ${reason}`);
  }
}

export interface CsvInputOptions extends CsvReadOptions {
  /** Decimal separator; by default "," in semicolon files and "." otherwise. */
  decimal?: "." | ",";
  /** Offset for timestamps without a zone, e.g. "-03:00". */
  timezone?: string;
}

function requireFile(path: string, table: string): void {
  if (!existsSync(path)) throw new StructureError(path, 0, "", `file missing: every table is needed (${table})`);
}

/** Matches header names to canonical columns (case and surrounding spaces ignored). */
export function mapHeader(file: string, header: string[], columns: string[], row = 1) {
  const position = new Map(header.map((name, i) => [name.toLowerCase(), i]));
  const index = columns.map((column) => {
    const at = position.get(column.toLowerCase());
    if (at === undefined) throw new StructureError(file, row, column, `column ${column} missing from the header`);
    return at;
  });
  const wanted = new Set(columns.map((c) => c.toLowerCase()));
  return {index, ignored: header.filter((name) => !wanted.has(name.toLowerCase()))};
}

export function csvInput(folder: string, options: CsvInputOptions = {}): ImportInput {
  const dir = folder;
  return {
    describe: `csv:${resolve(dir)}`,
    async open(table) {
      const path = join(dir, `${table}.csv`);
      requireFile(path, table);
      const file = await openCsv(path, options).catch((error: unknown) => {
        if (error instanceof CsvError) throw new StructureError(path, error.row, "", error.reason);
        throw error;
      });
      const columns = columnOrder(table);
      const {index, ignored} = mapHeader(path, file.header!, columns, file.headerRow);
      const width = file.header!.length;
      // A file with the canonical columns in canonical order hands its records over as they are.
      const inOrder = width === columns.length && index.every((at, c) => at === c);
      return {
        file: path,
        ignored,
        locale: {decimal: options.decimal ?? file.format.decimal, timezone: options.timezone},
        async *batches(report) {
          try {
            for await (const {records, rows: numbers} of file.batches()) {
              const rows = records.map((fields, k) => {
                if (fields.length !== width) {
                  const reason = `expected ${width} fields, got ${fields.length} (a stray delimiter or quote?)`;
                  report({file: path, row: numbers[k], table, column: "", value: null, reason, rule: "structure"});
                  return null;
                }
                return inOrder ? fields : index.map((at) => fields[at]);
              });
              yield {rows, numbers};
            }
          } catch (error) {
            if (error instanceof CsvError) throw new StructureError(path, error.row, "", error.reason);
            throw error;
          }
        }
      };
    }
  };
}

export function arrowInput(folder: string): ImportInput {
  const dir = folder;
  return {
    describe: `arrow:${resolve(dir)}`,
    async open(table) {
      const path = join(dir, `${table}.arrow`);
      requireFile(path, table);
      const columns = columnOrder(table);
      const handle = await open(path, "r");
      const reader = await RecordBatchReader.from(handle).catch(async (error: unknown) => {
        await handle.close();
        throw new StructureError(path, 0, "", `not an Arrow IPC file: ${(error as Error).message}`);
      });
      const names = (await reader.open()).schema.fields.map((f) => f.name);
      let mapped: ReturnType<typeof mapHeader>;
      try {
        mapped = mapHeader(path, names, columns, 0);
      } catch (error) {
        await handle.close();
        throw error;
      }
      return {
        file: path,
        ignored: mapped.ignored,
        locale: DEFAULT_LOCALE,
        async *batches() {
          let row = 0;
          try {
            for await (const batch of reader) {
              const vectors = mapped.index.map((i) => batch.getChildAt(i)!);
              const rows: RawRow[] = new Array(batch.numRows);
              const numbers: number[] = new Array(batch.numRows);
              for (let k = 0; k < batch.numRows; k++) {
                const raw: unknown[] = new Array(columns.length);
                for (let c = 0; c < columns.length; c++) raw[c] = vectors[c].get(k);
                rows[k] = raw;
                numbers[k] = ++row;
              }
              yield {rows, numbers};
            }
          } finally {
            await handle.close();
          }
        }
      };
    }
  };
}

/** Rows from a RegistrySource (Postgres, MongoDB), numbered in the order the source streams them (by key). */
export function sourceInput(source: RegistrySource, batchRows = 2048): ImportInput {
  return {
    describe: source.describe,
    async open(table) {
      return {
        file: `${source.describe}#${table}`,
        ignored: [],
        locale: DEFAULT_LOCALE,
        async *batches() {
          const columns = columnOrder(table);
          let rows: RawRow[] = [];
          let numbers: number[] = [];
          let row = 0;
          for await (const raw of source.rows<Record<string, unknown>>(table)) {
            rows.push(columns.map((c) => raw[c]));
            numbers.push(++row);
            if (rows.length === batchRows) {
              yield {rows, numbers};
              [rows, numbers] = [[], []];
            }
          }
          if (rows.length > 0) yield {rows, numbers};
        }
      };
    }
  };
}
