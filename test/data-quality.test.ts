import {mkdtemp, readFile, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {writeArrowTable} from "../loaders/arrow-io.js";
import {hash53, qualityReport, quantile} from "../loaders/data-quality.js";
import {generateRegistry} from "../loaders/generate.js";
import {TRANSACTIONS} from "../loaders/import-transactions.js";
import {fixture, writeArrowFolder} from "./helpers/registry-fixture.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "quality-"));
});
afterAll(() => rm(root, {recursive: true, force: true}));

const AT = "2025-03-01T12:00:00.000Z";

describe("the data-quality report", () => {
  it("gives the null rate of every column", async () => {
    const dir = join(root, "fixture");
    await writeArrowFolder(dir, fixture());
    const report = await qualityReport({name: "fixture", kind: "registry", folder: dir, generatedAt: AT});
    const rate = (table: string, column: string) =>
      report.tables[table].columns.find((c) => c.name === column)!.null_rate;
    expect(rate("participants", "left_at")).toBe(1 / 2);
    expect(rate("trade_bills", "nfe_key")).toBe(2 / 3);
    expect(rate("trade_bills", "cancel_reason")).toBe(2 / 3);
    expect(rate("installments", "paid_at")).toBe(2 / 5);
    expect(rate("installments", "value")).toBe(0);
    expect(report.tables.payments).toMatchObject({rows: 4, duplicate_keys: 0, key: ["payment_id"]});
    expect(report).toMatchObject({dataset: "fixture", generated_at: AT, suspected_test_rows: {examples: []}});
  });

  it("counts repeated keys and shows them, composite keys included", async () => {
    const dir = join(root, "duplicates");
    const registry = fixture();
    registry.trade_bills.push({...registry.trade_bills[1]});
    registry.installments.push({...registry.installments[0], value: 1}, {...registry.installments[0]});
    await writeArrowFolder(dir, registry);
    const report = await qualityReport({name: "d", kind: "registry", folder: dir, generatedAt: AT});
    expect(report.tables.trade_bills).toMatchObject({duplicate_keys: 1, duplicate_examples: ["TB-2"]});
    expect(report.tables.installments).toMatchObject({duplicate_keys: 2, duplicate_examples: ["TB-1|1"]});
  });

  it("finds outliers of bill values by Tukey's IQR fences", async () => {
    const dir = join(root, "outliers");
    const registry = fixture();
    const values = [100, 110, 120, 130, 140, 150, 160, 170, 5000, 1];
    registry.trade_bills = values.map((value, i) => ({...registry.trade_bills[1], bill_id: `TB-${i}`, value}));
    await writeArrowFolder(dir, registry);
    const {outliers} = await qualityReport({name: "o", kind: "registry", folder: dir, generatedAt: AT, examples: 5});
    // Sorted: 1 100 110 120 130 140 150 160 170 5000; type-7 quartiles at positions 2.25 and 6.75.
    expect(outliers).toMatchObject({column: "trade_bills.value", q1: 112.5, median: 135, q3: 157.5, iqr: 45});
    expect(outliers).toMatchObject({low: 45, high: 225, below: 1, above: 1, share: 0.2});
    expect(outliers!.examples).toEqual([{key: "TB-8", value: 5000}]);
  });

  it("points at rows that look like test data: names, zero or negative values, bills of test actors", async () => {
    const dir = join(root, "tests");
    const registry = fixture();
    registry.parties[2].name = "EMPRESA TESTE LTDA";
    registry.participants[1].name = "Banco Homologação";
    registry.trade_bills[0].value = 0;
    await writeArrowFolder(dir, registry);
    const report = await qualityReport({name: "t", kind: "registry", folder: dir, generatedAt: AT});
    expect(report.suspected_test_rows.examples).toEqual([
      {table: "participants", key: "P-0002", reason: "test-like name"},
      {table: "parties", key: "X-0003", reason: "test-like name"},
      {table: "trade_bills", key: "TB-1", reason: "zero value"},
      {table: "trade_bills", key: "TB-2", reason: "refers to a test participant or party"},
      {table: "trade_bills", key: "TB-3", reason: "refers to a test participant or party"}
    ]);
    expect(report.suspected_test_rows.by_table).toEqual({participants: 1, parties: 1, trade_bills: 3});
  });

  it("finds in a dirty generated registry its staging rows, its repeated bills and its non-positive values", async () => {
    const dir = join(root, "dirty");
    await generateRegistry({seed: 9, bills: 1500, out: dir, formats: ["arrow"], dirty: 0.05});
    const truth = (await readFile(join(dir, "truth", "dirty.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as {table: string; id: string; kind: string; detail: string});
    const report = await qualityReport({
      name: "dirty",
      kind: "registry",
      folder: dir,
      generatedAt: AT,
      examples: 10_000
    });
    const count = (kind: string, table: string) => truth.filter((t) => t.kind === kind && t.table === table).length;
    expect(report.tables.trade_bills.duplicate_keys).toBe(count("duplicate", "trade_bills"));
    const flagged = new Set(report.suspected_test_rows.examples.map((e) => `${e.table}:${e.key}`));
    for (const t of truth.filter((t) => t.kind === "test_row" || t.kind === "nonpositive_value")) {
      expect(flagged.has(`${t.table}:${t.id}`), `${t.kind} ${t.table} ${t.id}`).toBe(true);
    }
  });

  it("reports transaction files too: customer and amount", async () => {
    const dir = join(root, "transactions");
    await writeArrowTable(TRANSACTIONS, join(dir, "transactions.arrow"), [
      {customer_id: "1", date: "1997-01-01", amount: 10, quantity: 1},
      {customer_id: "1", date: "1997-01-01", amount: 10, quantity: 1},
      {customer_id: "CLIENTE TESTE", date: "1997-01-02", amount: -5, quantity: null}
    ]);
    const report = await qualityReport({name: "t", kind: "transactions", folder: dir, generatedAt: AT});
    expect(report.tables.transactions).toMatchObject({
      rows: 3,
      duplicate_keys: 1,
      duplicate_examples: ["1|1997-01-01|10|1"]
    });
    expect(report.suspected_test_rows.by_reason).toEqual({"negative value": 1, "test-like name": 1});
    expect(report.outliers?.column).toBe("transactions.amount");
  });
});

describe("helpers", () => {
  it("quantile interpolates between order statistics like R's default", () => {
    const sorted = Float64Array.of(1, 2, 3, 4);
    expect([0, 0.25, 0.5, 1].map((q) => quantile(sorted, q))).toEqual([1, 1.75, 2.5, 4]);
    expect(quantile(new Float64Array(0), 0.5)).toBeNaN();
  });

  it("hash53 spreads keys over 53 bits without collisions on a million ids", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1_000_000; i++) seen.add(hash53(`TB-${String(i).padStart(10, "0")}|${i % 12}`));
    expect(seen.size).toBe(1_000_000);
    expect(Number.isSafeInteger(hash53("x"))).toBe(true);
  });
});
