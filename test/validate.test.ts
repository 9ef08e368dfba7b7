import {mkdtemp, readFile, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {readArrowRows} from "../loaders/arrow-io.js";
import {generateRegistry} from "../loaders/generate.js";
import {coercer, parseDateText, parseDecimal, parseTimestampText} from "../loaders/parse-values.js";
import type {TableName} from "../loaders/registry-schema.js";
import {TABLE_NAMES, columnOrder, tableSpec} from "../loaders/registry-schema.js";
import {collect} from "../loaders/source.js";
import type {Problem} from "../loaders/validate.js";
import {RegistryValidator} from "../loaders/validate.js";
import type {Registry} from "./helpers/registry-fixture.js";
import {fixture} from "./helpers/registry-fixture.js";

const TODAY = "2025-06-01";

/** Validates a registry held in memory; returns the problems and the bills that failed whole-bill rules. */
function validate(registry: Registry, options: {today?: string} = {}) {
  const problems: Problem[] = [];
  const validator = new RegistryValidator({today: options.today ?? TODAY, onProblem: (p) => problems.push(p)});
  const accepted: Record<string, number> = {};
  for (const table of TABLE_NAMES) {
    const check = validator.table(table, `${table}.csv`);
    accepted[table] = 0;
    (registry[table] as unknown as Record<string, unknown>[]).forEach((row, i) => {
      if (check(inOrder(table, row), i + 2)) accepted[table]++;
    });
  }
  const failed = validator.finish();
  return {problems, failed, accepted};
}

/** A row object's values in the table's column order, as the validator takes them. */
const inOrder = (table: TableName, row: object) => columnOrder(table).map((c) => (row as Record<string, unknown>)[c]);

const brief = (p: Problem) => `${p.file}:${p.row} ${p.column} [${p.rule}] ${p.reason}`;

describe("row validation", () => {
  it("accepts the hand-written registry without a single problem", () => {
    const {problems, failed, accepted} = validate(fixture());
    expect(problems.map(brief)).toEqual([]);
    expect(failed.size).toBe(0);
    expect(accepted).toEqual({participants: 2, parties: 3, trade_bills: 3, installments: 5, payments: 4});
  });

  it("names file, row, column, value and reason of a value of the wrong type", () => {
    const r = fixture();
    (r.installments[1] as Record<string, unknown>).value = "doze reais";
    expect(validate(r).problems[0]).toEqual({
      file: "installments.csv",
      row: 3,
      table: "installments",
      column: "value",
      value: "doze reais",
      reason: 'not a number: "doze reais"',
      rule: "type"
    });
  });

  it("tells a missing required value from a value outside an enum", () => {
    const r = fixture();
    (r.parties[0] as Record<string, unknown>).name = "";
    (r.trade_bills[1] as Record<string, unknown>).state = "pending";
    const problems = validate(r).problems;
    expect(problems.map(brief)).toContain("parties.csv:2 name [required] required value is missing");
    expect(problems.map(brief)).toContain(
      'trade_bills.csv:3 state [enum] "pending" is not one of active, finished, canceled'
    );
  });

  it("checks CPF, CNPJ and NF-e check digits", () => {
    const r = fixture();
    r.participants[0].cnpj = "73516850000111";
    r.parties[1].document = "19930094181";
    r.parties[2].document = "1122233300018"; // lost its leading digit in a spreadsheet
    r.trade_bills[0].nfe_key = r.trade_bills[0].nfe_key!.slice(0, 43) + "1";
    const problems = validate(r).problems.filter((p) => p.rule === "document" || p.rule === "nfe_key");
    expect(problems.map(brief)).toEqual([
      "participants.csv:2 cnpj [document] invalid CNPJ check digits",
      "parties.csv:3 document [document] invalid CPF check digits for person_type PF",
      "parties.csv:4 document [document] CNPJ must have 14 characters, got 13 for person_type PJ",
      "trade_bills.csv:2 nfe_key [nfe_key] not a valid NF-e key (44 digits with a mod-11 check digit)"
    ]);
  });

  it("keeps dates between 2000-01-01 and today + 40 years and calls later ones far-future", () => {
    const r = fixture();
    r.installments[3].due_date = "9999-12-31";
    r.participants[1].joined_at = "1999-12-31";
    const problems = validate(r).problems.filter((p) => p.rule === "date_range");
    expect(problems.map(brief)).toEqual([
      "participants.csv:3 joined_at [date_range] date before 2000-01-01",
      "installments.csv:5 due_date [date_range] far-future date (after 2065-06-01)"
    ]);
  });

  it("requires positive values", () => {
    const r = fixture();
    r.trade_bills[1].value = 0;
    r.payments[3].value = -150;
    const problems = validate(r).problems.filter((p) => p.rule === "positive");
    expect(problems.map(brief)).toEqual([
      "trade_bills.csv:3 value [positive] must be positive, got 0.00",
      "payments.csv:5 value [positive] must be positive, got -150.00"
    ]);
  });

  it("lets installments miss their bill's value by a centavo, not by two", () => {
    const r = fixture();
    r.installments[2].value = 150.01;
    expect(validate(r).problems).toEqual([]);
    r.installments[2].value = 150.02;
    const {problems, failed} = validate(r);
    expect(problems.map(brief)).toEqual([
      "trade_bills.csv:3 value [installments_sum] installments sum to 300.02, bill value is 300.00"
    ]);
    expect([...failed.keys()]).toEqual(["TB-2"]);
  });

  it("keeps states consistent: finished means paid, canceled means a reason", () => {
    const r = fixture();
    r.trade_bills[1].state = "finished";
    r.trade_bills[2].cancel_reason = null;
    const problems = validate(r).problems.filter((p) => p.rule === "state");
    expect(problems.map(brief)).toEqual([
      "trade_bills.csv:4 cancel_reason [state] a canceled bill needs a cancel_reason",
      "trade_bills.csv:3 state [state] finished but 1 of 2 installments unpaid"
    ]);
  });

  it("checks references, and says when the row referred to was itself rejected", () => {
    const r = fixture();
    r.trade_bills[1].payer_id = "X-9999";
    r.installments.push({...r.installments[4], bill_id: "TB-404"});
    const problems = validate(r).problems;
    expect(problems.map(brief)).toEqual([
      "trade_bills.csv:3 payer_id [reference] no parties row with this id",
      "installments.csv:4 bill_id [cascade] refers to a rejected bill (trade_bills.csv row 3)",
      "installments.csv:5 bill_id [cascade] refers to a rejected bill (trade_bills.csv row 3)",
      "installments.csv:7 bill_id [reference] no trade_bills row with this id",
      "payments.csv:5 bill_id [cascade] refers to a rejected bill (trade_bills.csv row 3)"
    ]);
  });

  it("rejects the second row of a duplicated key and points at the first", () => {
    const r = fixture();
    r.trade_bills.push({...r.trade_bills[2]});
    r.installments.push({...r.installments[0]});
    r.payments.push({...r.payments[0]});
    const problems = validate(r).problems;
    expect(problems.map(brief)).toEqual([
      "trade_bills.csv:5 bill_id [duplicate_key] duplicate key (first at row 4)",
      "installments.csv:7 number [duplicate_key] duplicate key (bill TB-1 already has installment 1)",
      "payments.csv:6 payment_id [duplicate_key] duplicate key (first at row 2)"
    ]);
  });

  it("matches payments against what the installments say was paid", () => {
    const r = fixture();
    r.payments.splice(2, 1);
    const problems = validate(r).problems;
    expect(problems.map(brief)).toEqual([
      "trade_bills.csv:2 bill_id [payments_sum] payments total 917.28, installments' paid_value total 1240.73"
    ]);
  });
});

describe("value parsing", () => {
  it("reads decimal comma and point, with or without thousands", () => {
    expect(parseDecimal("1.234,56", ",")).toBe(1234.56);
    expect(parseDecimal("1234,56", ",")).toBe(1234.56);
    expect(parseDecimal("1.234", ",")).toBe(1234);
    expect(parseDecimal("12.5", ",")).toBe(12.5);
    expect(parseDecimal("1,234.56", ".")).toBe(1234.56);
    expect(parseDecimal("-0.5", ".")).toBe(-0.5);
    expect(parseDecimal("12,5", ".")).toBeNaN();
    expect(parseDecimal("R$ 10", ",")).toBeNaN();
  });

  it("reads ISO, dd/mm/yyyy and compact dates, and refuses dates that do not exist", () => {
    expect(parseDateText("2024-02-29")).toBe("2024-02-29");
    expect(parseDateText("29/02/2024")).toBe("2024-02-29");
    expect(parseDateText("1/3/2024")).toBe("2024-03-01");
    expect(parseDateText("19970101")).toBe("1997-01-01");
    expect(parseDateText("2024-01-05T00:00:00.000Z")).toBe("2024-01-05");
    expect(parseDateText("31/02/2024")).toBeNull();
    expect(parseDateText("2024-13-01")).toBeNull();
  });

  it("reads instants with a zone, without one (UTC or a declared offset), and in Brazilian order", () => {
    const at = Date.UTC(2024, 0, 11, 13, 45, 10, 500);
    expect(parseTimestampText("2024-01-11T13:45:10.500Z")).toBe(at);
    expect(parseTimestampText("2024-01-11 13:45:10.500123+00")).toBe(at);
    expect(parseTimestampText("2024-01-11 10:45:10.5", "-03:00")).toBe(at);
    expect(parseTimestampText("11/01/2024 10:45:10.5", "-03:00")).toBe(at);
    expect(parseTimestampText("2024-01-11T25:00:00Z")).toBeNaN();
  });

  it("turns typed values (epoch milliseconds, Date) into canonical text, and refuses a date with a time", () => {
    const [date, instant] = ["emitted_at", "registered_at"].map((name) =>
      tableSpec("trade_bills").fields.find((f) => f.name === name)!
    );
    expect(coercer(date)(Date.UTC(2024, 0, 5))).toBe("2024-01-05");
    expect(coercer(date)(new Date("2024-01-05T00:00:00Z"))).toBe("2024-01-05");
    expect(coercer(date)(Date.UTC(2024, 0, 5, 3))).toMatchObject({reason: /time of day/});
    expect(coercer(instant)(new Date(Date.UTC(2024, 0, 5, 3)))).toBe("2024-01-05T03:00:00.000Z");
  });
});

describe("validation of generated registries", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "validate-"));
  });
  afterAll(() => rm(root, {recursive: true, force: true}));

  async function validateFolder(dir: string) {
    const problems: Problem[] = [];
    const validator = new RegistryValidator({today: TODAY, onProblem: (p) => problems.push(p)});
    for (const table of TABLE_NAMES) {
      const check = validator.table(table, `${table}.arrow`);
      let row = 0;
      for await (const raw of readArrowRows(table, join(dir, `${table}.arrow`))) check(inOrder(table, raw), ++row);
    }
    validator.finish();
    return problems;
  }

  it("finds no problem in a clean generated registry of 2,000 bills", async () => {
    const dir = join(root, "clean");
    await generateRegistry({seed: 11, bills: 2000, out: dir, formats: ["arrow"]});
    expect((await validateFolder(dir)).map(brief)).toEqual([]);
  });

  it("catches every dirty bill and party the generator injects (test rows are left to the quality report)", async () => {
    const dir = join(root, "dirty");
    await generateRegistry({seed: 11, bills: 2000, out: dir, formats: ["arrow"], dirty: 0.1});
    const problems = await validateFolder(dir);
    const truth = (await readFile(join(dir, "truth", "dirty.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as {table: string; id: string; kind: string});
    const expected: Record<string, string> = {
      duplicate: "duplicate_key",
      nonpositive_value: "positive",
      far_future_due: "date_range",
      bad_document: "document"
    };
    const bills = (await collect(readArrowRows("trade_bills", join(dir, "trade_bills.arrow")))).map(
      (b, i) => [b.bill_id, i + 1] as const
    );
    const rowsOf = (id: string) => bills.filter(([bill]) => bill === id).map(([, row]) => row);
    for (const record of truth) {
      if (record.kind === "test_row") continue;
      // A bill is bad_document when its payer's document is bad: the bill goes with the party.
      const rule = record.kind === "bad_document" && record.table === "trade_bills" ? "cascade" : expected[record.kind];
      const found = problems.some(
        (p) =>
          p.rule === rule &&
          (p.table === record.table
            ? record.table !== "trade_bills" || rowsOf(record.id).includes(p.row)
            : p.table === "installments" && record.table === "trade_bills")
      );
      expect(found, `${record.kind} ${record.id}`).toBe(true);
    }
    expect(new Set(problems.map((p) => p.rule))).toEqual(
      new Set(["duplicate_key", "positive", "date_range", "document", "cascade"])
    );
  });
});
