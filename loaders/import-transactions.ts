// Generic transaction files (one purchase per line: customer, date, amount) imported through a column mapping into
// `transactions.arrow`, the input RFM and the CLV models take next to the registry's bills. A mapping names the
// file's columns (from its header, or listed when it has none) and says which hold the customer, the date, the
// amount and optionally a quantity. Same policy as the registry import: reject or quarantine, all or nothing.
import {readFile} from "node:fs/promises";
import {join, resolve} from "node:path";
import {createArrowWriter} from "./arrow-io.js";
import type {CsvReadOptions, Delimiter, Encoding} from "./csv-read.js";
import {CsvError, openCsv} from "./csv-read.js";
import {StructureError, mapHeader} from "./import-inputs.js";
import type {ImportProgress, ImportReport, OnError, TableCounts} from "./import-report.js";
import {ProblemLog, openRejects, openStaging} from "./import-report.js";
import {Invalid, coercer} from "./parse-values.js";
import type {TableSpec} from "./registry-schema.js";
import {epochDay} from "./registry-schema.js";
import type {Rule} from "./validate-rules.js";
import {defaultDateRange} from "./validate-rules.js";

export const TRANSACTIONS: TableSpec = {
  name: "transactions",
  description: "Purchases of a generic transaction file: who bought, when, how much.",
  primaryKey: [],
  fields: [
    {name: "customer_id", type: "string", nullable: false, description: "Customer identifier, as in the file."},
    {name: "date", type: "date", nullable: false, description: "Day of the purchase."},
    {name: "amount", type: "float", decimals: 2, nullable: false, description: "Amount spent."},
    {name: "quantity", type: "int", nullable: true, description: "Items bought, when the file has them."}
  ]
};

export interface TransactionMapping {
  name: string;
  description?: string;
  /** Whether the first line names the columns. */
  header: boolean;
  /** Column names in file order, for a file without a header. */
  columns?: string[];
  delimiter?: Delimiter | "auto";
  encoding?: Encoding | "auto";
  decimal?: "." | ",";
  /** Source column of each transaction field. */
  customer: string;
  date: string;
  amount: string;
  quantity?: string;
}

/** Documented mappings for the CDNOW files (../shared/reference/cdnow/README.md). */
export const MAPPINGS: Record<string, TransactionMapping> = {
  "cdnow-master": {
    name: "cdnow-master",
    description: "CDNOW_master.txt: header line; customer_id, date (YYYYMMDD), number_of_cds, dollar_value",
    header: true,
    delimiter: "whitespace",
    customer: "customer_id",
    date: "date",
    amount: "dollar_value",
    quantity: "number_of_cds"
  },
  "cdnow-sample": {
    name: "cdnow-sample",
    description: "CDNOW_sample.txt: no header; master id, sample id (the customer), date, number of CDs, dollars",
    header: false,
    columns: ["master_customer_id", "customer_id", "date", "number_of_cds", "dollar_value"],
    delimiter: "whitespace",
    customer: "customer_id",
    date: "date",
    amount: "dollar_value",
    quantity: "number_of_cds"
  }
};

/** A built-in mapping by name, or a JSON file holding one. */
export async function loadMapping(nameOrPath: string): Promise<TransactionMapping> {
  if (MAPPINGS[nameOrPath]) return MAPPINGS[nameOrPath];
  const mapping = JSON.parse(await readFile(nameOrPath, "utf8")) as TransactionMapping;
  for (const key of ["customer", "date", "amount"] as const) {
    if (typeof mapping[key] !== "string") throw new Error(`${nameOrPath}: mapping needs "${key}": <column name>`);
  }
  if (!mapping.header && !Array.isArray(mapping.columns)) {
    throw new Error(`${nameOrPath}: a file without a header needs "columns": [names in file order]`);
  }
  return {...mapping, name: mapping.name ?? nameOrPath};
}

export interface TransactionImportOptions {
  file: string;
  mapping: TransactionMapping;
  to: string;
  onError: OnError;
  /** Default `<to>/rejects.csv`. */
  rejects?: string;
  /** Output file name in `to` (default transactions.arrow). */
  output?: string;
  today?: string;
  maxProblems?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export async function importTransactions(options: TransactionImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const {mapping, file} = options;
  const to = resolve(options.to);
  const output = options.output ?? "transactions.arrow";
  const quarantine = options.onError === "quarantine";
  const rejectsPath = quarantine ? resolve(options.rejects ?? join(to, "rejects.csv")) : null;
  const staging = await openStaging(to);
  const rejects = await openRejects(rejectsPath, staging);
  const log = new ProblemLog(options.maxProblems ?? 10_000, rejects);
  const counts: TableCounts = {file, read: 0, accepted: 0, rejected: 0, ignored: []};
  const report = (status: ImportReport["status"], files: ImportReport["files"] = {}): ImportReport => ({
    source: `${mapping.name}:${resolve(file)}`,
    to,
    onError: options.onError,
    status,
    tables: {transactions: counts},
    problems: log.problems,
    problemCount: log.count,
    byRule: log.byRule,
    rejectsFile: status === "imported" ? rejectsPath : null,
    files,
    seconds: (performance.now() - started) / 1000
  });
  const sink = await createArrowWriter(TRANSACTIONS, join(staging.dir, output));
  try {
    const csvOptions: CsvReadOptions = {
      header: mapping.header,
      delimiter: mapping.delimiter,
      encoding: mapping.encoding
    };
    const csv = await openCsv(file, csvOptions);
    const names = csv.header ?? mapping.columns!;
    const sources = [mapping.customer, mapping.date, mapping.amount, ...(mapping.quantity ? [mapping.quantity] : [])];
    const {index, ignored} = mapHeader(file, names, sources, csv.headerRow || 1);
    counts.ignored = ignored;
    const fields = TRANSACTIONS.fields.slice(0, sources.length);
    const locale = {decimal: mapping.decimal ?? csv.format.decimal};
    const coercers = fields.map((f) => coercer(f, locale));
    const range = {
      ...defaultDateRange(options.today ?? new Date().toISOString().slice(0, 10)),
      min: epochDay("1900-01-01")
    };
    for await (const {records, rows} of csv.batches()) {
      for (let k = 0; k < records.length; k++) {
        counts.read++;
        const fieldsOf = records[k];
        const problem = (column: string, value: string | null, reason: string, rule: Rule) =>
          log.add({file, row: rows[k], table: "transactions", column, value, reason, rule});
        if (fieldsOf.length !== names.length) {
          problem("", null, `expected ${names.length} fields, got ${fieldsOf.length}`, "structure");
          counts.rejected++;
          continue;
        }
        const row: Record<string, unknown> = {quantity: null};
        let bad = false;
        for (let c = 0; c < fields.length; c++) {
          const text = fieldsOf[index[c]];
          const value = coercers[c](text);
          if (value instanceof Invalid) {
            problem(sources[c], text, value.reason, "type");
            bad = true;
          } else if (
            fields[c].type === "date" &&
            (epochDay(value as string) < range.min || epochDay(value as string) > range.max)
          ) {
            problem(sources[c], text, "date out of range (1900-01-01 … today + 40 years)", "date_range");
            bad = true;
          } else row[fields[c].name] = value;
        }
        if (bad) counts.rejected++;
        else {
          counts.accepted++;
          sink.append(row);
        }
      }
      if (sink.pendingBytes > 8 << 20) await sink.drain();
      await log.drain();
      options.onProgress?.({table: "transactions", rows: counts.read, rejected: counts.rejected});
    }
    const written = await sink.close();
    if (log.count > 0 && !quarantine) return await refuse();
    await staging.commit([output]);
    await rejects?.close();
    return report("imported", {transactions: {...written, path: join(to, output)}});
  } catch (error) {
    await sink.abort();
    if (!(error instanceof StructureError || error instanceof CsvError)) {
      await Promise.all([staging.abort(), rejects?.abort()]);
      throw error;
    }
    const column = error instanceof StructureError ? error.column : "";
    log.add({
      file,
      row: error.row,
      table: "transactions",
      column,
      value: null,
      reason: error.message,
      rule: "structure"
    });
    return await refuse();
  }

  async function refuse(): Promise<ImportReport> {
    await Promise.all([staging.abort(), rejects?.abort()]);
    return report("rejected");
  }
}
