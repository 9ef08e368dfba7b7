// Data quality of one dataset (a canonical Arrow folder), for the statistics page: null rates per column, repeated
// keys, outliers of the money column by Tukey's IQR fences, and rows that look like staging or test data (names with
// TESTE/TEST/HOMOLOG…, zero or negative values, bills of test participants and parties). Streams every file once;
// repeated keys are found by sorting 53-bit hashes (8 bytes a row), so 10 million installments fit in memory.
import {open} from "node:fs/promises";
import {join} from "node:path";
import type {Vector} from "apache-arrow";
import {DataType, RecordBatchReader} from "apache-arrow";
import type {DatasetKind} from "./dataset-registry.js";
import {REGISTRY_TABLES, TABLE_NAMES, isoDate, isoTimestamp} from "./registry-schema.js";

export const TEST_NAME = /\b(TESTES?|TEST|HOMOLOG\w*|QA|DUMMY|FAKE|SANDBOX|FICT[IÍ]CI[OA])\b/i;

export interface ColumnQuality {
  name: string;
  nulls: number;
  null_rate: number;
}

export interface TableQuality {
  rows: number;
  columns: ColumnQuality[];
  key: string[];
  /** Rows whose key an earlier row already has. */
  duplicate_keys: number;
  duplicate_examples: string[];
}

export interface Outliers {
  column: string;
  q1: number;
  median: number;
  q3: number;
  iqr: number;
  /** Tukey's fences: q1 − 1.5·IQR and q3 + 1.5·IQR. */
  low: number;
  high: number;
  below: number;
  above: number;
  share: number;
  /** The most extreme values beyond the fences, largest first. */
  examples: {key: string; value: number}[];
}

export interface SuspectedTestRow {
  table: string;
  key: string;
  reason: string;
}

export interface QualityReport {
  dataset: string;
  kind: DatasetKind;
  generated_at: string;
  tables: Record<string, TableQuality>;
  outliers: Outliers | null;
  suspected_test_rows: {
    by_table: Record<string, number>;
    by_reason: Record<string, number>;
    examples: SuspectedTestRow[];
  };
}

export interface QualityOptions {
  name: string;
  kind: DatasetKind;
  folder: string;
  /** When the report is made (ISO instant); given, so reports are reproducible. */
  generatedAt: string;
  /** Examples kept per list (default 20). */
  examples?: number;
}

/** A 53-bit hash of a string (two 32-bit FNV-1a style hashes): collisions are negligible below 10⁸ keys. */
export function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) >>> 11);
}

/** The q-quantile of sorted values, linear between order statistics (type 7, as R and numpy by default). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

class Growable {
  data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  sorted(): Float64Array {
    return this.data.subarray(0, this.length).sort();
  }
}

async function* batches(path: string) {
  const handle = await open(path, "r");
  try {
    yield* await RecordBatchReader.from(handle);
  } finally {
    await handle.close();
  }
}

/** A row's key as text: its key columns joined by "|", dates and instants in ISO form. */
function keyOf(vectors: Vector[], i: number): string {
  return vectors
    .map((v) => {
      const value: unknown = v.get(i);
      if (value === null || typeof value !== "number") return String(value);
      if (DataType.isDate(v.type)) return isoDate(Math.floor(value / 86_400_000));
      return DataType.isTimestamp(v.type) ? isoTimestamp(value) : String(value);
    })
    .join("|");
}

export async function qualityReport(options: QualityOptions): Promise<QualityReport> {
  const max = options.examples ?? 20;
  const registry = options.kind === "registry";
  const tables = registry ? [...TABLE_NAMES] : ["transactions"];
  const report: QualityReport = {
    dataset: options.name,
    kind: options.kind,
    generated_at: options.generatedAt,
    tables: {},
    outliers: null,
    suspected_test_rows: {by_table: {}, by_reason: {}, examples: []}
  };
  const suspects = report.suspected_test_rows;
  const suspect = (table: string, key: string, reason: string) => {
    suspects.by_table[table] = (suspects.by_table[table] ?? 0) + 1;
    suspects.by_reason[reason] = (suspects.by_reason[reason] ?? 0) + 1;
    if (suspects.examples.length < max) suspects.examples.push({table, key, reason});
  };
  const testActors = new Set<string>(); // participants and parties named like test data
  const [moneyTable, moneyColumn] = registry ? ["trade_bills", "value"] : ["transactions", "amount"];
  const money = new Growable();
  for (const table of tables) {
    const path = join(options.folder, `${table}.arrow`);
    const hashes = new Growable();
    const nulls = new Map<string, number>();
    let rows = 0;
    let key: string[] = [];
    for await (const batch of batches(path)) {
      const names = batch.schema.fields.map((f) => f.name);
      key = registry ? [...REGISTRY_TABLES[table as keyof typeof REGISTRY_TABLES].primaryKey] : names;
      const keyVectors = key.map((k) => batch.getChild(k)!);
      for (const name of names) nulls.set(name, (nulls.get(name) ?? 0) + batch.getChild(name)!.nullCount);
      const name = batch.getChild("name");
      const amount = table === moneyTable ? batch.getChild(moneyColumn) : null;
      const actors =
        table === "trade_bills" ? ["participant_id", "assignor_id", "payer_id"].map((c) => batch.getChild(c)!) : [];
      const customer = batch.getChild("customer_id");
      for (let i = 0; i < batch.numRows; i++) {
        const id = keyOf(keyVectors, i);
        hashes.push(hash53(id));
        const label = name?.get(i);
        if (typeof label === "string" && TEST_NAME.test(label)) {
          testActors.add(id);
          suspect(table, id, "test-like name");
        }
        const value = amount?.get(i) as number | null | undefined;
        if (value !== null && value !== undefined) {
          money.push(value);
          if (value <= 0) suspect(table, id, value === 0 ? "zero value" : "negative value");
        }
        if (actors.some((v) => testActors.has(String(v.get(i))))) {
          suspect(table, id, "refers to a test participant or party");
        }
        if (customer && TEST_NAME.test(String(customer.get(i)))) suspect(table, id, "test-like name");
      }
      rows += batch.numRows;
    }
    const sorted = hashes.sorted();
    let duplicates = 0;
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) duplicates++;
    const columns = [...nulls].map(([name, n]) => ({name, nulls: n, null_rate: rows ? n / rows : 0}));
    report.tables[table] = {rows, columns, key, duplicate_keys: duplicates, duplicate_examples: []};
    if (duplicates > 0) report.tables[table].duplicate_examples = await duplicateKeys(path, key, sorted, max);
  }
  if (money.length > 0) report.outliers = await outliers(options.folder, moneyTable, moneyColumn, money, max);
  return report;
}

/** The keys whose hash appears more than once (a second pass over the key columns only). */
async function duplicateKeys(path: string, key: string[], sorted: Float64Array, max: number): Promise<string[]> {
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]);
  const found = new Set<string>();
  for await (const batch of batches(path)) {
    const vectors = key.map((k) => batch.getChild(k)!);
    for (let i = 0; i < batch.numRows && found.size < max; i++) {
      const id = keyOf(vectors, i);
      if (repeated.has(hash53(id))) found.add(id);
    }
  }
  return [...found];
}

async function outliers(
  folder: string,
  table: string,
  column: string,
  values: Growable,
  max: number
): Promise<Outliers> {
  const sorted = values.sorted();
  const [q1, median, q3] = [0.25, 0.5, 0.75].map((q) => quantile(sorted, q));
  const iqr = q3 - q1;
  const [low, high] = [q1 - 1.5 * iqr, q3 + 1.5 * iqr];
  let below = 0;
  let above = 0;
  for (const v of sorted) {
    if (v < low) below++;
    else if (v > high) above++;
  }
  // The most extreme values: the largest few above the fence, then the smallest few below it.
  const threshold = sorted[Math.max(0, sorted.length - max)];
  const examples: {key: string; value: number}[] = [];
  const idColumn = table === "transactions" ? "customer_id" : "bill_id";
  for await (const batch of batches(join(folder, `${table}.arrow`))) {
    const [ids, amounts] = [batch.getChild(idColumn)!, batch.getChild(column)!];
    for (let i = 0; i < batch.numRows; i++) {
      const v = amounts.get(i) as number | null;
      if (v !== null && v > high && v >= threshold) examples.push({key: String(ids.get(i)), value: v});
    }
  }
  examples.sort((a, b) => b.value - a.value);
  const share = sorted.length ? (below + above) / sorted.length : 0;
  return {
    column: `${table}.${column}`,
    q1,
    median,
    q3,
    iqr,
    low,
    high,
    below,
    above,
    share,
    examples: examples.slice(0, max)
  };
}
