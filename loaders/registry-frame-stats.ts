// The registry statistics of statistics-registry.ts and statistics-questions.ts over the registry frame: the same
// definitions and the same figures (the tests compare both on the sample), in passes over typed arrays.
import {BILL_KINDS, BILL_STATES, UFS} from "./registry-schema.js";
import {CANCELED, NULL_DAY, type RegistryFrame} from "./registry-frame.js";
import {lateRateTestFromCounts, valueByKindFromLogs, type LateRateTest, type ValueByKindTest} from "./statistics.js";
import {
  dayOf,
  emptyCounts,
  LATE_DAYS,
  withRates,
  type BreakdownKey,
  type BreakdownRow,
  type DateValue,
  type MonthlyRow,
  type RateCounts
} from "./statistics-registry.js";

export const MATURED = 1;
export const SETTLED = 2;
export const CLOSED = 4;
export const LATE = 8;

export interface FrameOutcomes {
  /** MATURED | SETTLED | CLOSED | LATE bits per installment, as of the observation date. */
  flags: Uint8Array;
  /** paid − due when settled, observation − due otherwise. */
  delay: Int32Array;
}

/** installmentOutcomes over the frame. */
export function frameOutcomes(frame: RegistryFrame, observationDate: DateValue): FrameOutcomes {
  const observation = dayOf(observationDate);
  const {dueDay, paidDay, length} = frame.installments;
  const flags = new Uint8Array(length);
  const delay = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const due = dueDay[i];
    const paid = paidDay[i];
    const settled = paid !== NULL_DAY && paid <= observation;
    const d = settled ? paid - due : observation - due;
    const closed = due + LATE_DAYS <= observation;
    delay[i] = d;
    flags[i] =
      (due <= observation ? MATURED : 0) |
      (settled ? SETTLED : 0) |
      (closed ? CLOSED : 0) |
      ((settled ? d > LATE_DAYS : closed) ? LATE : 0);
  }
  return {flags, delay};
}

export interface FrameBillFeatures {
  value: Float64Array;
  installments: Int32Array;
  /** Last due date − registration day; NaN without installments. */
  tenorDays: Float64Array;
  /** First due date − registration day; NaN without installments. */
  daysToFirstDue: Float64Array;
}

/** billFeatures over the frame, one entry per bill in frame order. */
export function frameBillFeatures(frame: RegistryFrame): FrameBillFeatures {
  const n = frame.bills.length;
  const count = new Int32Array(n);
  const first = new Int32Array(n).fill(2_147_483_647);
  const last = new Int32Array(n).fill(NULL_DAY);
  const {bill, dueDay} = frame.installments;
  for (let i = 0; i < bill.length; i++) {
    const b = bill[i];
    if (b < 0) continue;
    count[b]++;
    if (dueDay[i] < first[b]) first[b] = dueDay[i];
    if (dueDay[i] > last[b]) last[b] = dueDay[i];
  }
  const tenorDays = new Float64Array(n);
  const daysToFirstDue = new Float64Array(n);
  const {registeredAt} = frame.bills;
  for (let b = 0; b < n; b++) {
    const registered = Math.floor(registeredAt[b] / 86_400_000);
    tenorDays[b] = count[b] ? last[b] - registered : NaN;
    daysToFirstDue[b] = count[b] ? first[b] - registered : NaN;
  }
  return {value: frame.bills.value, installments: count, tenorDays, daysToFirstDue};
}

export interface BillGroups {
  /** Group of each bill, an index into names. */
  codes: Int32Array;
  names: string[];
}

const UNKNOWN = "unknown";

function withUnknown(codes: Int32Array, dictionary: readonly string[]): BillGroups {
  const names = [...dictionary, UNKNOWN];
  return {codes: codes.map((c) => (c < 0 ? dictionary.length : c)), names};
}

/** groupOf for every bill: participant id, kind, state, or the payer's UF or segment ("unknown" when missing). */
export function billGroups(frame: RegistryFrame, by: BreakdownKey): BillGroups {
  const {bills, partyInfo} = frame;
  switch (by) {
    case "participant":
      return {codes: bills.participant, names: frame.participants};
    case "kind":
      return withUnknown(bills.kind, BILL_KINDS);
    case "state":
      return withUnknown(bills.state, BILL_STATES);
    case "uf":
      return withUnknown(
        bills.payer.map((p) => partyInfo.uf[p]),
        UFS
      );
    case "segment":
      return withUnknown(
        bills.payer.map((p) => partyInfo.segment[p]),
        frame.segments
      );
  }
}

/** Codes of two groupings combined (participant × kind for the dashboard), names joined by a tab. */
export function crossGroups(a: BillGroups, b: BillGroups): BillGroups {
  const width = b.names.length;
  const names = a.names.flatMap((x) => b.names.map((y) => `${x}\t${y}`));
  return {codes: a.codes.map((c, i) => c * width + b.codes[i]), names};
}

interface GroupCounts extends RateCounts {
  bills: number;
  value: number;
}

function emptyGroup(): GroupCounts {
  return {bills: 0, value: 0, ...emptyCounts()};
}

function addOutcome(into: RateCounts, flag: number): void {
  into.due++;
  if (flag & SETTLED) into.settled++;
  if (flag & CLOSED) {
    into.closed++;
    if (flag & LATE) into.late++;
  }
}

/** breakdown over the frame: bills, value, share and rates per group, largest value first (ties by name). */
export function frameBreakdown(frame: RegistryFrame, outcomes: FrameOutcomes, groups: BillGroups): BreakdownRow[] {
  const counts = Array.from(groups.names, emptyGroup);
  const seen = new Uint8Array(groups.names.length);
  const {value, state} = frame.bills;
  let total = 0;
  for (let b = 0; b < frame.bills.length; b++) {
    const c = counts[groups.codes[b]];
    seen[groups.codes[b]] = 1;
    c.bills++;
    c.value += value[b];
    total += value[b];
  }
  const {bill} = frame.installments;
  const {flags} = outcomes;
  for (let i = 0; i < bill.length; i++) {
    const b = bill[i];
    if (b < 0 || state[b] === CANCELED || !(flags[i] & MATURED)) continue;
    addOutcome(counts[groups.codes[b]], flags[i]);
  }
  return groups.names
    .map((group, g) => ({g, group}))
    .filter(({g}) => seen[g])
    .map(({g, group}) => withRates({group, ...counts[g], value_share: total > 0 ? counts[g].value / total : 0}))
    .sort((a, b) => b.value - a.value || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** Month number (year × 12 + month − 1) of each day, through a table over the days in use. */
function monthTable(minDay: number, maxDay: number): Int32Array {
  const table = new Int32Array(Math.max(0, maxDay - minDay + 1));
  for (let d = minDay; d <= maxDay; d++) {
    const date = new Date(d * 86_400_000);
    table[d - minDay] = date.getUTCFullYear() * 12 + date.getUTCMonth();
  }
  return table;
}

function monthName(month: number): string {
  return `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, "0")}`;
}

/**
 * monthlySeries for every group at once: per group, the months from its first to its last with a registration or
 * a matured installment, gaps filled with zeros. Groups with neither get no rows.
 */
export function frameMonthly(frame: RegistryFrame, outcomes: FrameOutcomes, groups: BillGroups): MonthlyRow[][] {
  const {bills, installments} = frame;
  const registeredDay = new Int32Array(bills.length);
  let minDay = Infinity;
  let maxDay = -Infinity;
  for (let b = 0; b < bills.length; b++) {
    const d = (registeredDay[b] = Math.floor(bills.registeredAt[b] / 86_400_000));
    if (d < minDay) minDay = d;
    if (d > maxDay) maxDay = d;
  }
  for (let i = 0; i < installments.length; i++) {
    if (!(outcomes.flags[i] & MATURED)) continue;
    const d = installments.dueDay[i];
    if (d < minDay) minDay = d;
    if (d > maxDay) maxDay = d;
  }
  if (!Number.isFinite(minDay)) return groups.names.map(() => []);
  const table = monthTable(minDay, maxDay);
  const firstMonth = table[0];
  const span = table[table.length - 1] - firstMonth + 1;
  const g = groups.names.length;
  const cells = new Map<number, GroupCounts>();
  const cell = (group: number, month: number) => {
    const key = group * span + (month - firstMonth);
    let c = cells.get(key);
    if (!c) cells.set(key, (c = emptyGroup()));
    return c;
  };
  for (let b = 0; b < bills.length; b++) {
    const c = cell(groups.codes[b], table[registeredDay[b] - minDay]);
    c.bills++;
    c.value += bills.value[b];
  }
  const {bill, dueDay} = installments;
  for (let i = 0; i < bill.length; i++) {
    const b = bill[i];
    // An installment of a bill missing from trade_bills has no group.
    if (b < 0 || bills.state[b] === CANCELED || !(outcomes.flags[i] & MATURED)) continue;
    addOutcome(cell(groups.codes[b], table[dueDay[i] - minDay]), outcomes.flags[i]);
  }
  const rows: MonthlyRow[][] = Array.from({length: g}, () => []);
  const range = new Map<number, [number, number]>();
  for (const key of cells.keys()) {
    const group = Math.floor(key / span);
    const month = key % span;
    const r = range.get(group);
    if (!r) range.set(group, [month, month]);
    else range.set(group, [Math.min(r[0], month), Math.max(r[1], month)]);
  }
  for (const [group, [from, to]] of range) {
    for (let month = from; month <= to; month++) {
      rows[group].push(
        withRates({month: monthName(firstMonth + month), ...(cells.get(group * span + month) ?? emptyGroup())})
      );
    }
  }
  return rows;
}

/** lateRateByGroupTest over the frame. */
export function frameLateRateTest(
  frame: RegistryFrame,
  outcomes: FrameOutcomes,
  by: BreakdownKey,
  alpha = 0.05
): LateRateTest {
  const groups = billGroups(frame, by);
  const late = new Float64Array(groups.names.length);
  const onTime = new Float64Array(groups.names.length);
  const seen = new Uint8Array(groups.names.length);
  const {bill} = frame.installments;
  for (let i = 0; i < bill.length; i++) {
    const b = bill[i];
    if (b < 0 || frame.bills.state[b] === CANCELED || !(outcomes.flags[i] & CLOSED)) continue;
    const g = groups.codes[b];
    seen[g] = 1;
    if (outcomes.flags[i] & LATE) late[g]++;
    else onTime[g]++;
  }
  const counts = new Map<string, {late: number; onTime: number}>();
  groups.names.forEach((name, g) => {
    if (seen[g]) counts.set(name, {late: late[g], onTime: onTime[g]});
  });
  return lateRateTestFromCounts(counts, by, alpha);
}

/** valueByKindTest over the frame (goods against services, canceled bills and non-positive values left out). */
export function frameValueByKindTest(frame: RegistryFrame, alpha = 0.05): ValueByKindTest {
  const kinds = ["goods", "services"] as const;
  const logs: [number[], number[]] = [[], []];
  const {kind, state, value} = frame.bills;
  for (let b = 0; b < frame.bills.length; b++) {
    if (state[b] === CANCELED || !(value[b] > 0)) continue;
    const k = kind[b] < 0 ? -1 : kinds.indexOf(BILL_KINDS[kind[b]]);
    if (k >= 0) logs[k].push(Math.log(value[b]));
  }
  return valueByKindFromLogs(logs, alpha, kinds);
}
