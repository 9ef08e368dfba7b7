// Row validation for the canonical tables, streaming: rows arrive table by table in dependency order (participants,
// parties, trade_bills, installments, payments) and each is checked for types, nullability, enums (from the schema),
// domain rules (validate-rules.ts), references to accepted rows and duplicate keys. Rules over a whole bill (its
// installments sum to its value, a finished bill is fully paid) can only be decided once every installment and
// payment was seen: `finish()` checks them. Memory: a few typed-array slots per bill, a map entry per party.
import type {Canonical, Coercer, ValueLocale} from "./parse-values.js";
import {DEFAULT_LOCALE, Invalid, coercer} from "./parse-values.js";
import type {RowOf, TableName} from "./registry-schema.js";
import {tableSpec} from "./registry-schema.js";
import type {DateRange, Rule} from "./validate-rules.js";
import {TABLE_RULES, defaultDateRange} from "./validate-rules.js";

export type {Rule} from "./validate-rules.js";

/** One problem with one value: where it is (file, 1-based row as the file counts it), what it is and why. */
export interface Problem {
  file: string;
  /** 1-based; in a CSV file with a header the header is row 1, so the first data row is row 2. */
  row: number;
  table: string;
  column: string;
  value: string | null;
  reason: string;
  rule: Rule;
}

export interface ValidatorOptions {
  /** Called for every problem found, in order. */
  onProblem: (problem: Problem) => void;
  /** The date "today" for the date range (ISO); the current UTC date by default. */
  today?: string;
  /** Acceptable dates; 2000-01-01 … today + 40 years by default. */
  range?: DateRange;
  /** Allowed gap between a bill's value and the sum of its installments, in BRL. */
  tolerance?: number;
}

const STATE_CODES = {active: 0, finished: 1, canceled: 2} as const;
const SLOT_ARRAYS = ["value", "installmentSum", "paidSum", "paymentSum"] as const;
const INT_ARRAYS = ["row", "state", "installments", "unpaid", "numbers", "rejectedNumbers", "rejectedRows"] as const;

/** Per-bill facts, one slot per accepted bill, in growable typed arrays. */
class BillLedger {
  readonly index = new Map<string, number>();
  readonly high = new Map<string, "accepted" | "rejected">(); // installment numbers above 31: "bill|number"
  f = {} as Record<(typeof SLOT_ARRAYS)[number], Float64Array>;
  i = {} as Record<(typeof INT_ARRAYS)[number], Int32Array>;

  constructor(capacity = 1024) {
    for (const name of SLOT_ARRAYS) this.f[name] = new Float64Array(capacity);
    for (const name of INT_ARRAYS) this.i[name] = new Int32Array(capacity);
  }

  add(id: string, row: number, value: number, state: number): void {
    const slot = this.index.size;
    if (slot === this.f.value.length) {
      for (const name of SLOT_ARRAYS) this.f[name] = grow(this.f[name], new Float64Array(slot * 2));
      for (const name of INT_ARRAYS) this.i[name] = grow(this.i[name], new Int32Array(slot * 2));
    }
    this.index.set(id, slot);
    [this.f.value[slot], this.i.row[slot], this.i.state[slot]] = [value, row, state];
  }

  /** Whether installment `number` of the bill in `slot` was accepted, rejected, or not seen. */
  installment(slot: number, id: string, number: number): "accepted" | "rejected" | undefined {
    if (number > 31) return this.high.get(`${id}|${number}`);
    const bit = 1 << (number - 1);
    return this.i.numbers[slot] & bit ? "accepted" : this.i.rejectedNumbers[slot] & bit ? "rejected" : undefined;
  }

  mark(slot: number, id: string, number: number, verdict: "accepted" | "rejected"): void {
    if (number > 31) this.high.set(`${id}|${number}`, verdict);
    else this.i[verdict === "accepted" ? "numbers" : "rejectedNumbers"][slot] |= 1 << (number - 1);
  }
}

/** Raw values in the table's canonical column order (registry-schema.ts), as read from a file or a database. */
export type RawRow = readonly unknown[];
export type RowCheck<T extends TableName> = (raw: RawRow, row: number) => RowOf<T> | null;

export class RegistryValidator {
  private readonly range: DateRange;
  private readonly tolerance: number;
  private readonly report: (problem: Problem) => void;
  private readonly files: Partial<Record<TableName, string>> = {};
  private readonly keys = {
    participants: new Map<string, number>(),
    parties: new Map<string, number>(),
    payments: new Map<string, number>()
  };
  private readonly rejected = {participants: new Map<string, number>(), parties: new Map<string, number>()};
  private readonly rejectedBills = new Map<string, number>();
  readonly bills = new BillLedger();
  problems = 0;

  constructor(options: ValidatorOptions) {
    this.range = options.range ?? defaultDateRange(options.today ?? new Date().toISOString().slice(0, 10));
    this.tolerance = options.tolerance ?? 0.01;
    this.report = (problem) => {
      this.problems++;
      options.onProblem(problem);
    };
  }

  /** The checker for the rows of one table read from one file. */
  table<T extends TableName>(table: T, file: string, locale: ValueLocale = DEFAULT_LOCALE): RowCheck<T> {
    this.files[table] = file;
    const fields = tableSpec(table).fields;
    const coercers: Coercer[] = fields.map((f) => coercer(f, locale));
    const rules = TABLE_RULES[table] as (row: RowOf<T>, range: DateRange, flag: Flag) => void;
    let row = 0;
    let bad = false;
    let duplicateOnly = true;
    const flag = (column: string, value: unknown, reason: string, rule: Rule) => {
      bad = true;
      if (rule !== "duplicate_key") duplicateOnly = false;
      this.report({
        file,
        row,
        table,
        column,
        value: value === null || value === undefined ? null : String(value),
        reason,
        rule
      });
    };
    return (raw, at) => {
      row = at;
      bad = false;
      duplicateOnly = true;
      const out: Record<string, Canonical> = {};
      for (let c = 0; c < fields.length; c++) {
        const field = fields[c];
        const value = coercers[c](raw[c]);
        if (value instanceof Invalid) {
          const rule = value.reason.startsWith("required") ? "required" : field.type === "enum" ? "enum" : "type";
          flag(field.name, raw[c], value.reason, rule);
        } else {
          out[field.name] = value;
        }
      }
      const canonical = out as RowOf<T>;
      if (!bad) rules(canonical, this.range, flag);
      if (!bad) this.relate(table, canonical, flag);
      // A repeated key leaves the first row, and so its bill, whole; any other problem leaves a hole in the bill.
      if (!(bad && duplicateOnly)) this.remember(table, canonical, at, bad);
      return bad ? null : canonical;
    };
  }

  private refer(column: string, id: string, kind: "participants" | "parties", flag: Flag): void {
    if (this.keys[kind].has(id)) return;
    const rejectedAt = this.rejected[kind].get(id);
    if (rejectedAt === undefined) flag(column, id, `no ${kind} row with this id`, "reference");
    else flag(column, id, `refers to a rejected row (${this.files[kind]} row ${rejectedAt})`, "cascade");
  }

  private relate(table: TableName, row: Record<string, Canonical>, flag: Flag): void {
    const duplicate = duplicateCheck;
    if (table === "participants" || table === "parties") {
      const column = table === "participants" ? "participant_id" : "party_id";
      duplicate(this.keys[table], column, row[column] as string, flag);
    } else if (table === "trade_bills") {
      this.refer("participant_id", row.participant_id as string, "participants", flag);
      this.refer("assignor_id", row.assignor_id as string, "parties", flag);
      this.refer("payer_id", row.payer_id as string, "parties", flag);
      const first = this.bills.index.get(row.bill_id as string);
      if (first !== undefined) {
        flag("bill_id", row.bill_id, `duplicate key (first at row ${this.bills.i.row[first]})`, "duplicate_key");
      }
    } else {
      const id = row.bill_id as string;
      const number = (table === "installments" ? row.number : row.installment_number) as number;
      const slot = this.bills.index.get(id);
      if (slot === undefined) {
        const rejectedAt = this.rejectedBills.get(id);
        if (rejectedAt === undefined) flag("bill_id", id, "no trade_bills row with this id", "reference");
        else flag("bill_id", id, `refers to a rejected bill (${this.files.trade_bills} row ${rejectedAt})`, "cascade");
        return;
      }
      const seen = this.bills.installment(slot, id, number);
      if (table === "installments") {
        if (seen)
          flag("number", number, `duplicate key (bill ${id} already has installment ${number})`, "duplicate_key");
      } else {
        if (seen === undefined)
          flag("installment_number", number, `bill ${id} has no installment ${number}`, "reference");
        if (seen === "rejected") flag("installment_number", number, `installment ${number} was rejected`, "cascade");
        duplicate(this.keys.payments, "payment_id", row.payment_id as string, flag);
      }
    }
  }

  private remember(table: TableName, row: Record<string, Canonical>, at: number, bad: boolean): void {
    if (table === "participants" || table === "parties") {
      const id = row[table === "participants" ? "participant_id" : "party_id"];
      if (typeof id !== "string") return;
      if (!bad) this.keys[table].set(id, at);
      else if (!this.keys[table].has(id) && !this.rejected[table].has(id)) this.rejected[table].set(id, at);
    } else if (table === "trade_bills") {
      const id = row.bill_id;
      if (typeof id !== "string") return;
      if (!bad) this.bills.add(id, at, row.value as number, STATE_CODES[row.state as keyof typeof STATE_CODES]);
      else if (!this.bills.index.has(id) && !this.rejectedBills.has(id)) this.rejectedBills.set(id, at);
    } else if (table === "installments") {
      const slot = this.bills.index.get(row.bill_id as string);
      if (slot === undefined || typeof row.number !== "number") return;
      if (bad) {
        this.bills.i.rejectedRows[slot]++;
        if (!this.bills.installment(slot, row.bill_id as string, row.number)) {
          this.bills.mark(slot, row.bill_id as string, row.number, "rejected");
        }
        return;
      }
      this.bills.mark(slot, row.bill_id as string, row.number, "accepted");
      const {f, i} = this.bills;
      i.installments[slot]++;
      f.installmentSum[slot] += row.value as number;
      if (row.paid_at === null) i.unpaid[slot]++;
      else f.paidSum[slot] += row.paid_value as number;
    } else {
      const slot = this.bills.index.get(row.bill_id as string);
      if (slot === undefined) return;
      if (bad) this.bills.i.rejectedRows[slot]++;
      else {
        this.keys.payments.set(row.payment_id as string, at);
        this.bills.f.paymentSum[slot] += row.value as number;
      }
    }
  }

  /**
   * Whole-bill rules, once every row was seen: at least one installment, numbered 1…n, summing to the bill's value;
   * a finished bill fully paid; payments adding up to what the installments say was paid. Returns the bills that
   * fail, with the reason (their installments and payments go with them).
   */
  finish(): Map<string, string> {
    const failed = new Map<string, string>();
    const {f, i} = this.bills;
    const file = this.files.trade_bills ?? "trade_bills";
    const round = (n: number) => n.toFixed(2);
    for (const [id, s] of this.bills.index) {
      const problems: [string, unknown, string, Rule][] = [];
      const count = i.installments[s];
      if (i.rejectedRows[s] > 0) {
        // Its sums cannot hold with rows missing: one problem that says why, instead of several that follow from it.
        problems.push([
          "bill_id",
          id,
          `${i.rejectedRows[s]} of its installment or payment rows were rejected`,
          "cascade"
        ]);
      } else if (count === 0) problems.push(["bill_id", id, "bill has no installments", "installment_numbers"]);
      else if (count <= 31 && i.numbers[s] !== (count === 31 ? 0x7fffffff : (1 << count) - 1)) {
        problems.push(["bill_id", id, `installment numbers are not 1…${count}`, "installment_numbers"]);
      }
      if (i.rejectedRows[s] === 0 && count > 0 && Math.abs(f.installmentSum[s] - f.value[s]) > this.tolerance + 1e-9) {
        const reason = `installments sum to ${round(f.installmentSum[s])}, bill value is ${round(f.value[s])}`;
        problems.push(["value", round(f.value[s]), reason, "installments_sum"]);
      }
      if (i.state[s] === STATE_CODES.finished && i.unpaid[s] > 0) {
        problems.push(["state", "finished", `finished but ${i.unpaid[s]} of ${count} installments unpaid`, "state"]);
      }
      if (i.rejectedRows[s] === 0 && Math.abs(f.paymentSum[s] - f.paidSum[s]) > this.tolerance + 1e-9) {
        const reason = `payments total ${round(f.paymentSum[s])}, installments' paid_value total ${round(f.paidSum[s])}`;
        problems.push(["bill_id", id, reason, "payments_sum"]);
      }
      for (const [column, value, reason, rule] of problems) {
        this.report({file, row: i.row[s], table: "trade_bills", column, value: String(value), reason, rule});
      }
      if (problems.length > 0) failed.set(id, problems.map((p) => p[2]).join("; "));
    }
    return failed;
  }
}

function grow<A extends Float64Array | Int32Array>(old: A, bigger: A): A {
  bigger.set(old);
  return bigger;
}

function duplicateCheck(keys: Map<string, number>, column: string, id: string, flag: Flag): void {
  const first = keys.get(id);
  if (first !== undefined) flag(column, id, `duplicate key (first at row ${first})`, "duplicate_key");
}

type Flag = (column: string, value: unknown, reason: string, rule: Rule) => void;
