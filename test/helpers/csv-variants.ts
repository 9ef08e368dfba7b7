// Canonical rows written the way real exports write them: semicolons, dd/mm/yyyy dates, local times, decimal
// commas with thousands dots, Latin-1 bytes, a BOM, CRLF. Importing any of these must give the clean tables.
import {writeFile} from "node:fs/promises";
import type {RowOf, TableName} from "../../loaders/registry-schema.js";
import {epochMs, isoTimestamp, tableSpec} from "../../loaders/registry-schema.js";

export interface CsvStyle {
  delimiter: "," | ";" | "\t";
  dates: "iso" | "dmy";
  /** "local": dd/mm/yyyy hh:mm:ss.sss in Brasília time (UTC-3), to be read with timezone "-03:00". */
  timestamps: "iso" | "local";
  decimal: "." | ",";
  encoding: "utf-8" | "latin1";
  bom: boolean;
  newline: "\n" | "\r\n";
}

export const CLEAN: CsvStyle = {
  delimiter: ",",
  dates: "iso",
  timestamps: "iso",
  decimal: ".",
  encoding: "utf-8",
  bom: false,
  newline: "\r\n"
};

const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

function money(value: number, decimal: "." | ","): string {
  if (decimal === ".") return value.toFixed(2);
  const [whole, cents] = Math.abs(value).toFixed(2).split(".");
  return `${value < 0 ? "-" : ""}${whole.replace(/\B(?=(\d{3})+$)/g, ".")},${cents}`;
}

export function styledCsv<T extends TableName>(table: T, rows: RowOf<T>[], style: CsvStyle): Buffer {
  const fields = tableSpec(table).fields;
  const quote = (text: string) =>
    text.includes(style.delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  const lines = [fields.map((f) => f.name).join(style.delimiter)];
  for (const row of rows as Record<string, unknown>[]) {
    const cells = fields.map((f) => {
      const v = row[f.name];
      if (v === null) return "";
      if (f.type === "float") return quote(money(v as number, style.decimal));
      if (f.type === "date" && style.dates === "dmy") return dmy(v as string);
      if (f.type === "timestamp" && style.timestamps === "local") {
        const local = isoTimestamp(epochMs(v as string) - 3 * 3_600_000);
        return `${dmy(local.slice(0, 10))} ${local.slice(11, 23)}`;
      }
      return quote(String(v));
    });
    lines.push(cells.join(style.delimiter));
  }
  const text = lines.join(style.newline) + style.newline;
  const body = Buffer.from(text, style.encoding === "utf-8" ? "utf8" : "latin1");
  return style.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

export async function writeStyledCsv<T extends TableName>(path: string, table: T, rows: RowOf<T>[], style: CsvStyle) {
  await writeFile(path, styledCsv(table, rows, style));
}
