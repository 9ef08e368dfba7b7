// The scoring API's input: transactions (customer, date, amount) as JSON or CSV, validated row by row. Bad rows
// are all reported (row, column, value, reason) and nothing is scored: a partial answer would look complete.
import {z} from "zod";

export const maxScoringRows = 200_000;
export const maxScoringBytes = 10 * 1024 * 1024;

export interface Transaction {
  customer: string;
  date: number;
  amount: number;
}

export interface RowError {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export class TooManyRows extends Error {}

const DAY = 86_400_000;

/** ISO (2024-03-31, with or without time) or Brazilian dd/mm/yyyy dates, as UTC midnight of that day. */
export function parseDay(text: string): number | null {
  const t = text.trim();
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?$/.exec(t);
  const br = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(t);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (br) [y, m, d] = [Number(br[3]), Number(br[2]), Number(br[1])];
  else return null;
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? ms : null;
}

/** "1234.56", or with a decimal comma "1.234,56" (only when the file is semicolon-separated). */
function parseAmount(text: string, decimalComma: boolean): number | null {
  const t = decimalComma ? text.trim().replace(/\./g, "").replace(",", ".") : text.trim();
  if (!/^-?\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

function checkRow(
  row: number,
  raw: {customer: string; date: string; amount: string},
  decimalComma: boolean,
  errors: RowError[]
) {
  const customer = raw.customer.trim();
  const date = parseDay(raw.date);
  const amount = parseAmount(raw.amount, decimalComma);
  const bad = (column: string, value: string, reason: string) =>
    errors.push({row, column, value: value.slice(0, 80), reason});
  if (!customer) bad("customer", raw.customer, "empty customer id");
  else if (customer.length > 100) bad("customer", raw.customer, "customer id longer than 100 characters");
  if (date === null) bad("date", raw.date, "not a date (expected YYYY-MM-DD or dd/mm/yyyy)");
  else if (date < Date.UTC(1900, 0, 1) || date > Date.UTC(2100, 0, 1))
    bad("date", raw.date, "outside 1900-01-01…2100-01-01");
  if (amount === null) bad("amount", raw.amount, "not a number");
  else if (amount < 0) bad("amount", raw.amount, "must not be negative");
  return {customer, date: date ?? 0, amount: amount ?? 0};
}

/** RFC 4180 fields of one line (quotes, doubled quotes inside them). */
function splitLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === sep && !quoted) {
      out.push(field);
      field = "";
    } else {
      field += ch;
    }
  }
  out.push(field);
  return out;
}

export function parseCsvTransactions(text: string): {transactions: Transaction[]; errors: RowError[]} {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  while (lines.length && lines.at(-1)!.trim() === "") lines.pop();
  if (lines.length === 0) return {transactions: [], errors: [{row: 1, column: "", value: "", reason: "empty file"}]};
  const sep = lines[0].includes(";") ? ";" : ",";
  const header = splitLine(lines[0], sep).map((h) => h.trim().toLowerCase());
  const index = Object.fromEntries(["customer", "date", "amount"].map((c) => [c, header.indexOf(c)]));
  const missing = Object.entries(index)
    .filter(([, i]) => i < 0)
    .map(([c]) => c);
  if (missing.length) {
    return {
      transactions: [],
      errors: [
        {
          row: 1,
          column: missing.join(", "),
          value: lines[0].slice(0, 80),
          reason: `header lacks ${missing.join(", ")} (expected customer,date,amount)`
        }
      ]
    };
  }
  if (lines.length - 1 > maxScoringRows) throw new TooManyRows(`${lines.length - 1} rows; at most ${maxScoringRows}`);
  const errors: RowError[] = [];
  const transactions: Transaction[] = [];
  for (let i = 1; i < lines.length; i++) {
    const fields = splitLine(lines[i], sep);
    const pick = (c: string) => fields[index[c]] ?? "";
    transactions.push(
      checkRow(i + 1, {customer: pick("customer"), date: pick("date"), amount: pick("amount")}, sep === ";", errors)
    );
  }
  return {transactions, errors};
}

export const jsonTransactions = z.strictObject({
  observationDate: z.string().optional(),
  transactions: z.array(
    z.strictObject({customer: z.string(), date: z.string(), amount: z.union([z.number(), z.string()])})
  )
});

export function parseJsonTransactions(body: z.infer<typeof jsonTransactions>): {
  transactions: Transaction[];
  errors: RowError[];
} {
  if (body.transactions.length > maxScoringRows)
    throw new TooManyRows(`${body.transactions.length} rows; at most ${maxScoringRows}`);
  const errors: RowError[] = [];
  const transactions = body.transactions.map((t, i) =>
    checkRow(i + 1, {customer: t.customer, date: t.date, amount: String(t.amount)}, false, errors)
  );
  return {transactions, errors};
}

/** The observation date given, else the last transaction's day. */
export function observationOf(given: string | undefined | null, transactions: Transaction[]): number | null {
  if (given) return parseDay(given);
  let last = -Infinity;
  for (const t of transactions) if (t.date > last) last = t.date;
  return Number.isFinite(last) ? Math.floor(last / DAY) * DAY : null;
}
