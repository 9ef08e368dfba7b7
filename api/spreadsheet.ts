// Tables taken away from the pages: Excel workbooks built with exceljs (a maintained writer of real .xlsx, so
// numbers stay numbers and dates stay dates in Excel), and CSV with formula injection neutralised.
import ExcelJS from "exceljs";
import {z} from "zod";

export const maxExportRows = 100_000;

export const exportTable = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[\w .-]+$/, "letters, digits, spaces, dots, dashes and underscores only"),
  columns: z
    .array(
      z.strictObject({
        key: z.string().min(1).max(60),
        header: z.string().max(120),
        type: z.enum(["string", "number", "date"])
      })
    )
    .min(1)
    .max(50),
  rows: z.array(z.record(z.string(), z.union([z.string().max(2000), z.number(), z.null()]))).max(maxExportRows)
});
export type ExportTable = z.infer<typeof exportTable>;

function cellValue(value: string | number | null | undefined, type: "string" | "number" | "date") {
  if (value === null || value === undefined) return null;
  if (type === "date") return new Date(value);
  return value;
}

export async function toXlsx(table: ExportTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Grafeno Workbench";
  const sheet = workbook.addWorksheet(table.name.slice(0, 31));
  sheet.columns = table.columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(10, Math.min(40, c.header.length + 4)),
    style: c.type === "date" ? {numFmt: "yyyy-mm-dd"} : c.type === "number" ? {numFmt: "#,##0.##"} : {}
  }));
  sheet.getRow(1).font = {bold: true};
  sheet.views = [{state: "frozen", ySplit: 1}];
  for (const row of table.rows) {
    sheet.addRow(Object.fromEntries(table.columns.map((c) => [c.key, cellValue(row[c.key], c.type)])));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A spreadsheet opening a CSV runs cells starting with = + - @ as formulas; a leading quote keeps them text. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: ExportTable): string {
  const lines = [table.columns.map((c) => csvCell(c.header)).join(",")];
  for (const row of table.rows) lines.push(table.columns.map((c) => csvCell(row[c.key])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
