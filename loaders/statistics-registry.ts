// Registry statistics over canonical rows: per-bill features, per-installment payment outcomes as of an explicit
// observation date, the monthly series and the breakdowns the dashboard shows. Pure functions, no clock.
//
// Conventions:
// - Dates are ISO strings (what readArrowRows and the CSV readers give) or epoch milliseconds (raw Arrow date and
//   timestamp columns); days are whole UTC days.
// - Everything is "as of" the observation date: a payment dated after it counts as not yet made.
// - Counts and values of bills include every registered bill; settlement and late rates leave out the installments
//   of canceled bills, which nobody owes.

import {epochDay, epochMs, isoDate} from "./registry-schema.js";

export type DateValue = string | number;

/** The trade_bills columns these statistics read (TradeBillRow satisfies it). */
export interface BillInput {
  bill_id: string;
  participant_id: string;
  payer_id: string;
  kind: string;
  state: string;
  registered_at: DateValue;
  value: number;
}

/** The installments columns these statistics read (InstallmentRow satisfies it). */
export interface InstallmentInput {
  bill_id: string;
  number: number;
  due_date: DateValue;
  paid_at: DateValue | null;
}

export interface PartyInfo {
  uf: string;
  segment: string;
}

export interface BreakdownLookups {
  /** party_id → the payer's UF and segment; needed for "uf" and "segment". */
  parties?: ReadonlyMap<string, PartyInfo>;
}

export type BreakdownKey = "participant" | "kind" | "state" | "uf" | "segment";

/** Days after the due date beyond which a payment is late, and after which an open installment is known late. */
export const LATE_DAYS = 30;
const MS_PER_DAY = 86_400_000;

/** Whole UTC day number (days since 1970-01-01) of an ISO date, ISO timestamp or epoch-milliseconds value. */
export function dayOf(value: DateValue): number {
  const day =
    typeof value === "number"
      ? Math.floor(value / MS_PER_DAY)
      : value.length === 10
        ? epochDay(value)
        : Math.floor(epochMs(value) / MS_PER_DAY);
  if (!Number.isFinite(day)) throw new RangeError(`not a date: ${String(value)}`);
  return day;
}

export interface BillFeatures {
  bill_id: string;
  value: number;
  installments: number;
  /** Last due date − registration day; null for a bill without installments. */
  tenor_days: number | null;
  /** First due date − registration day; null for a bill without installments. */
  days_to_first_due: number | null;
}

/** One row per bill, in the order of `bills`. */
export function billFeatures(bills: readonly BillInput[], installments: readonly InstallmentInput[]): BillFeatures[] {
  const dues = new Map<string, {count: number; first: number; last: number}>();
  for (const row of installments) {
    const due = dayOf(row.due_date);
    const entry = dues.get(row.bill_id);
    if (!entry) dues.set(row.bill_id, {count: 1, first: due, last: due});
    else {
      entry.count++;
      if (due < entry.first) entry.first = due;
      if (due > entry.last) entry.last = due;
    }
  }
  return bills.map((bill) => {
    const entry = dues.get(bill.bill_id);
    const registered = dayOf(bill.registered_at);
    return {
      bill_id: bill.bill_id,
      value: bill.value,
      installments: entry?.count ?? 0,
      tenor_days: entry ? entry.last - registered : null,
      days_to_first_due: entry ? entry.first - registered : null
    };
  });
}

export interface InstallmentOutcome {
  bill_id: string;
  number: number;
  due_date: string;
  /** Settlement date, or null when not paid by the observation date. */
  paid_at: string | null;
  /** paid_at − due_date when settled, observation − due_date otherwise (negative while not yet due). */
  delay_days: number;
  /** Due on or before the observation date. */
  matured: boolean;
  /** Whether late30 is already decided: settled, or due at least 30 days before the observation date. */
  known: boolean;
  /**
   * Due at least 30 days before the observation date, so late30 is decided whatever happens. Late rates use these
   * only: counting every known installment would take in recent ones paid on time but not recent ones still open,
   * and make the latest months look better than they are.
   */
  closed: boolean;
  /** Paid more than 30 days after the due date, or still open 30 days after it. */
  late30: boolean;
  settled: boolean;
}

/** Payment outcome of every installment as of `observationDate`, in the order given. */
export function installmentOutcomes(
  installments: readonly InstallmentInput[],
  observationDate: DateValue
): InstallmentOutcome[] {
  const observation = dayOf(observationDate);
  return installments.map((row) => {
    const due = dayOf(row.due_date);
    const paid = row.paid_at === null ? null : dayOf(row.paid_at);
    const settled = paid !== null && paid <= observation;
    const delay = settled ? paid - due : observation - due;
    return {
      bill_id: row.bill_id,
      number: row.number,
      due_date: isoDate(due),
      paid_at: settled ? isoDate(paid) : null,
      delay_days: delay,
      matured: due <= observation,
      known: settled || due + LATE_DAYS <= observation,
      closed: due + LATE_DAYS <= observation,
      late30: settled ? delay > LATE_DAYS : due + LATE_DAYS <= observation,
      settled
    };
  });
}

/** Running counts behind a settlement rate and a late rate. */
export interface RateCounts {
  due: number;
  settled: number;
  /** Installments whose 30-day window has closed (the late-rate denominator). */
  closed: number;
  late: number;
}

export interface Rates extends RateCounts {
  /** settled / due over matured installments of bills not canceled; null without any. */
  settlement_rate: number | null;
  /** late / closed over installments of bills not canceled; null without any. */
  late_rate: number | null;
}

export function emptyCounts(): RateCounts {
  return {due: 0, settled: 0, closed: 0, late: 0};
}

// Only matured installments count: one paid early but due after the observation date is not owed yet.
function count(into: RateCounts, outcome: InstallmentOutcome): void {
  if (!outcome.matured) return;
  into.due++;
  if (outcome.settled) into.settled++;
  if (outcome.closed) {
    into.closed++;
    if (outcome.late30) into.late++;
  }
}

export function withRates<T extends RateCounts>(counts: T): T & Rates {
  return {
    ...counts,
    settlement_rate: counts.due > 0 ? counts.settled / counts.due : null,
    late_rate: counts.closed > 0 ? counts.late / counts.closed : null
  };
}

function canceledBills(bills: readonly BillInput[]): Set<string> {
  return new Set(bills.filter((b) => b.state === "canceled").map((b) => b.bill_id));
}

export interface MonthlyRow extends Rates {
  /** "YYYY-MM" (UTC). */
  month: string;
  /** Bills registered in the month and their face value. */
  bills: number;
  value: number;
}

function monthOf(day: number): string {
  return isoDate(day).slice(0, 7);
}

function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, "0")}`;
}

/**
 * Per calendar month, from the first to the last month with a registration or a matured installment (months in
 * between included with zeros): bills registered and their value, the settlement rate of the installments due in
 * the month and the late rate of those due at least 30 days before the observation date.
 */
export function monthlySeries(bills: readonly BillInput[], outcomes: readonly InstallmentOutcome[]): MonthlyRow[] {
  const months = new Map<string, {bills: number; value: number} & RateCounts>();
  const at = (month: string) => {
    let entry = months.get(month);
    if (!entry) months.set(month, (entry = {bills: 0, value: 0, ...emptyCounts()}));
    return entry;
  };
  for (const bill of bills) {
    const entry = at(monthOf(dayOf(bill.registered_at)));
    entry.bills++;
    entry.value += bill.value;
  }
  const canceled = canceledBills(bills);
  for (const outcome of outcomes) {
    if (!canceled.has(outcome.bill_id) && outcome.matured) count(at(outcome.due_date.slice(0, 7)), outcome);
  }
  if (months.size === 0) return [];
  const sorted = [...months.keys()].sort();
  const rows: MonthlyRow[] = [];
  for (let month = sorted[0]; month <= sorted[sorted.length - 1]; month = nextMonth(month)) {
    const entry = months.get(month) ?? {bills: 0, value: 0, ...emptyCounts()};
    rows.push(withRates({month, ...entry}));
  }
  return rows;
}

export interface BreakdownRow extends Rates {
  group: string;
  bills: number;
  value: number;
  /** value / total value of all bills. */
  value_share: number;
}

const UNKNOWN = "unknown";

/** The group of a bill for a breakdown; "unknown" when the payer is missing from the lookup. */
export function groupOf(bill: BillInput, by: BreakdownKey, lookups: BreakdownLookups = {}): string {
  switch (by) {
    case "participant":
      return bill.participant_id;
    case "kind":
      return bill.kind;
    case "state":
      return bill.state;
    case "uf":
    case "segment": {
      if (!lookups.parties) throw new Error(`breakdown by ${by} needs lookups.parties (party_id → {uf, segment})`);
      return lookups.parties.get(bill.payer_id)?.[by] ?? UNKNOWN;
    }
  }
}

/**
 * Bills, value, share of value, settlement and late rates per group, largest value first (ties by group name).
 * UF and segment are the payer's, from lookups.parties.
 */
export function breakdown(
  bills: readonly BillInput[],
  outcomes: readonly InstallmentOutcome[],
  by: BreakdownKey,
  lookups: BreakdownLookups = {}
): BreakdownRow[] {
  const groups = new Map<string, {bills: number; value: number} & RateCounts>();
  const groupByBill = new Map<string, string>();
  let total = 0;
  for (const bill of bills) {
    const group = groupOf(bill, by, lookups);
    let entry = groups.get(group);
    if (!entry) groups.set(group, (entry = {bills: 0, value: 0, ...emptyCounts()}));
    entry.bills++;
    entry.value += bill.value;
    total += bill.value;
    if (bill.state !== "canceled") groupByBill.set(bill.bill_id, group);
  }
  for (const outcome of outcomes) {
    const group = groupByBill.get(outcome.bill_id);
    if (group !== undefined) count(groups.get(group)!, outcome);
  }
  return [...groups]
    .map(([group, entry]) => withRates({group, ...entry, value_share: total > 0 ? entry.value / total : 0}))
    .sort((a, b) => b.value - a.value || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}
