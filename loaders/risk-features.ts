// Point-in-time features for the late-payment risk model: one row per installment, built only from what the
// registrar knew at the instant its bill was registered.
//
// What "known at time t" means here (t = the bill's registration instant, epoch ms):
// - A prior bill counts when it was registered strictly before t.
// - A prior installment's late30 status is known once its 30-day window has closed, that is from the start of the
//   day after due + 30 (a payment can still arrive during day due + 30), and only for installments of bills
//   registered strictly before t. Late iff still unpaid then, or paid after due + 30: decided whatever happens later.
// - A late installment stops counting as "overdue now" from the start of the day after it was paid.
// - The bill's own schedule (values, count, original due dates) is part of the registration.
// Never used: the bill's state (except that canceled bills owe nothing and are left out of payment history), the due
// date in force when it differs from the registered one (extensions come later), paid values, payments.
// History per payer and assignor is computed with pointers over time-sorted lists: O(n log n) overall.
import {createHash} from "node:crypto";
import {epochDay, epochMs} from "./registry-schema.js";
import type {RegistrySource} from "./source.js";
import {LATE_DAYS, dayOf, installmentOutcomes, type DateValue} from "./statistics-registry.js";

export const DAY_MS = 86_400_000;
/** Width of the window of recently decided installments behind the market-wide late rate. */
export const MARKET_WINDOW_DAYS = 90;

export interface RiskBillInput {
  bill_id: string;
  participant_id: string;
  assignor_id: string;
  payer_id: string;
  kind: string;
  ballast: string;
  state: string;
  registered_at: DateValue;
  value: number;
}

export interface RiskInstallmentInput {
  bill_id: string;
  number: number;
  /** Due date in force (target and payment history). */
  due_date: DateValue;
  /** Due date when registered (the tenor feature); falls back to due_date when absent. */
  original_due_date?: DateValue | null;
  value: number;
  paid_at: DateValue | null;
}

export interface RiskPartyInput {
  uf: string;
  segment: string;
  person_type: string;
}

export interface RiskData {
  bills: readonly RiskBillInput[];
  installments: readonly RiskInstallmentInput[];
  parties: ReadonlyMap<string, RiskPartyInput>;
}

/** Prior history of one party (payer or assignor) at a registration instant. */
export interface HistoryCounts {
  /** Prior installments whose late30 status was decided before the registration. */
  known: number;
  /** Of those, late. */
  late: number;
  /** Of those late, still unpaid at the registration. */
  overdue: number;
  /** Bills registered before. */
  bills: number;
  /** Days from the first prior bill's registration day; null without one. */
  days_since_first: number | null;
}

/** The raw features of one installment: what predictRisk takes, before encoding. */
export interface RiskFeatureRow {
  value: number;
  installment_value: number;
  installment_number: number;
  installment_count: number;
  /** Registered due date − registration day. */
  tenor_days: number;
  kind: string;
  ballast: string;
  participant_id: string;
  payer_uf: string | null;
  payer_segment: string | null;
  payer_person_type: string | null;
  payer_known: number;
  payer_late: number;
  payer_overdue: number;
  payer_bills: number;
  payer_days_since_first: number | null;
  assignor_known: number;
  assignor_late: number;
  assignor_overdue: number;
  assignor_bills: number;
  assignor_days_since_first: number | null;
  /** Installments of every payer decided in the MARKET_WINDOW_DAYS before the registration, and how many late. */
  market_known: number;
  market_late: number;
}

export interface RiskRow {
  bill_id: string;
  number: number;
  participant_id: string;
  payer_id: string;
  assignor_id: string;
  registered_ms: number;
  /** Due day in force (days since 1970-01-01). */
  due_day: number;
  /** Settlement day, or null; may lie after the observation date (then it is not yet known). */
  paid_day: number | null;
  /** Installment value (exposure while open). */
  value: number;
  features: RiskFeatureRow;
}

/** Epoch milliseconds of an ISO date, ISO timestamp or epoch-milliseconds value. */
export function msOf(value: DateValue): number {
  const ms = typeof value === "number" ? value : value.length === 10 ? epochDay(value) * DAY_MS : epochMs(value);
  if (!Number.isFinite(ms)) throw new RangeError(`not a date: ${String(value)}`);
  return ms;
}

interface Outcome {
  /** When the late30 status became known (ms). */
  known: number;
  late: boolean;
  /** When a late one was paid and stopped being overdue (ms); Infinity while unpaid. */
  cured: number;
}

interface Timeline {
  /** Registration instants of the party's bills, ascending. */
  bills: number[];
  outcomes: Outcome[];
  cures: number[];
}

// Counts for one party at successive, non-decreasing instants.
class HistoryCursor {
  private bill = 0;
  private outcome = 0;
  private cure = 0;
  private known = 0;
  private late = 0;
  private cured = 0;

  constructor(private readonly timeline: Timeline) {}

  at(t: number): HistoryCounts {
    const {bills, outcomes, cures} = this.timeline;
    while (this.bill < bills.length && bills[this.bill] < t) this.bill++;
    while (this.outcome < outcomes.length && outcomes[this.outcome].known <= t) {
      this.known++;
      if (outcomes[this.outcome].late) this.late++;
      this.outcome++;
    }
    while (this.cure < cures.length && cures[this.cure] <= t) {
      this.cure++;
      this.cured++;
    }
    return {
      known: this.known,
      late: this.late,
      overdue: this.late - this.cured,
      bills: this.bill,
      days_since_first: this.bill > 0 ? Math.floor(t / DAY_MS) - Math.floor(bills[0] / DAY_MS) : null
    };
  }
}

function byTime(a: number, b: number): number {
  return a - b;
}

/**
 * One row per installment of every bill not canceled, bills in registration order (ties by id), installments by
 * number. Depends on nothing but the data: no observation date, no clock, no model.
 */
export function riskRows(data: RiskData): RiskRow[] {
  const bills = data.bills
    .map((bill) => ({bill, ms: msOf(bill.registered_at)}))
    .sort((a, b) => a.ms - b.ms || (a.bill.bill_id < b.bill.bill_id ? -1 : a.bill.bill_id > b.bill.bill_id ? 1 : 0));
  const byBill = new Map<string, RiskInstallmentInput[]>();
  for (const row of data.installments) {
    const list = byBill.get(row.bill_id);
    if (list) list.push(row);
    else byBill.set(row.bill_id, [row]);
  }
  for (const list of byBill.values()) list.sort((a, b) => a.number - b.number);

  const payers = new Map<string, Timeline>();
  const assignors = new Map<string, Timeline>();
  const market: Outcome[] = [];
  const timeline = (map: Map<string, Timeline>, id: string) => {
    let entry = map.get(id);
    if (!entry) map.set(id, (entry = {bills: [], outcomes: [], cures: []}));
    return entry;
  };
  for (const {bill, ms} of bills) {
    const payer = timeline(payers, bill.payer_id);
    const assignor = timeline(assignors, bill.assignor_id);
    payer.bills.push(ms);
    assignor.bills.push(ms);
    if (bill.state === "canceled") continue;
    for (const row of byBill.get(bill.bill_id) ?? []) {
      const due = dayOf(row.due_date);
      const paid = row.paid_at === null ? null : dayOf(row.paid_at);
      const late = paid === null || paid > due + LATE_DAYS;
      // Never before the bill itself is registered: a bill's own installments are not its history.
      const known = Math.max((due + LATE_DAYS + 1) * DAY_MS, ms + 1);
      const cured = late && paid !== null ? Math.max((paid + 1) * DAY_MS, known) : Infinity;
      const outcome = {known, late, cured};
      for (const entry of [payer, assignor]) {
        entry.outcomes.push(outcome);
        if (late && cured !== Infinity) entry.cures.push(cured);
      }
      market.push(outcome);
    }
  }
  for (const map of [payers, assignors]) {
    for (const entry of map.values()) {
      entry.outcomes.sort((a, b) => a.known - b.known);
      entry.cures.sort(byTime);
    }
  }
  market.sort((a, b) => a.known - b.known);

  const payerCursors = new Map<string, HistoryCursor>();
  const assignorCursors = new Map<string, HistoryCursor>();
  const cursor = (cursors: Map<string, HistoryCursor>, map: Map<string, Timeline>, id: string) => {
    let c = cursors.get(id);
    if (!c) cursors.set(id, (c = new HistoryCursor(map.get(id)!)));
    return c;
  };
  let marketIn = 0; // outcomes known at or before t
  let marketOut = 0; // outcomes known at or before t − window
  let marketKnown = 0;
  let marketLate = 0;
  const window = MARKET_WINDOW_DAYS * DAY_MS;
  const rows: RiskRow[] = [];
  for (const {bill, ms} of bills) {
    const payer = cursor(payerCursors, payers, bill.payer_id).at(ms);
    const assignor = cursor(assignorCursors, assignors, bill.assignor_id).at(ms);
    while (marketIn < market.length && market[marketIn].known <= ms) {
      marketKnown++;
      if (market[marketIn++].late) marketLate++;
    }
    while (marketOut < marketIn && market[marketOut].known <= ms - window) {
      marketKnown--;
      if (market[marketOut++].late) marketLate--;
    }
    if (bill.state === "canceled") continue;
    const party = data.parties.get(bill.payer_id);
    const schedule = byBill.get(bill.bill_id) ?? [];
    const registeredDay = Math.floor(ms / DAY_MS);
    for (const row of schedule) {
      const due = dayOf(row.due_date);
      const registeredDue = row.original_due_date == null ? due : dayOf(row.original_due_date);
      rows.push({
        bill_id: bill.bill_id,
        number: row.number,
        participant_id: bill.participant_id,
        payer_id: bill.payer_id,
        assignor_id: bill.assignor_id,
        registered_ms: ms,
        due_day: due,
        paid_day: row.paid_at === null ? null : dayOf(row.paid_at),
        value: row.value,
        features: {
          value: bill.value,
          installment_value: row.value,
          installment_number: row.number,
          installment_count: schedule.length,
          tenor_days: registeredDue - registeredDay,
          kind: bill.kind,
          ballast: bill.ballast,
          participant_id: bill.participant_id,
          payer_uf: party?.uf ?? null,
          payer_segment: party?.segment ?? null,
          payer_person_type: party?.person_type ?? null,
          payer_known: payer.known,
          payer_late: payer.late,
          payer_overdue: payer.overdue,
          payer_bills: payer.bills,
          payer_days_since_first: payer.days_since_first,
          assignor_known: assignor.known,
          assignor_late: assignor.late,
          assignor_overdue: assignor.overdue,
          assignor_bills: assignor.bills,
          assignor_days_since_first: assignor.days_since_first,
          market_known: marketKnown,
          market_late: marketLate
        }
      });
    }
  }
  return rows;
}

export type RiskStatus = "closed" | "pending" | "open";

export interface RiskOutcome {
  /**
   * closed: due + 30 days on or before the observation date, so late30 is decided (the only rows that train and
   * test the model); pending: settled on time but its window still running; open: unpaid and undecided.
   */
  status: RiskStatus;
  /** late30 for closed rows, null otherwise. */
  late30: boolean | null;
}

/** Outcome of each row as of the observation date, with the definitions of installmentOutcomes. */
export function riskOutcomes(rows: readonly RiskRow[], observationDate: DateValue): RiskOutcome[] {
  const outcomes = installmentOutcomes(
    rows.map((r) => ({
      bill_id: r.bill_id,
      number: r.number,
      due_date: r.due_day * DAY_MS,
      paid_at: r.paid_day === null ? null : r.paid_day * DAY_MS
    })),
    observationDate
  );
  return outcomes.map((o) =>
    o.closed ? {status: "closed", late30: o.late30} : {status: o.settled ? "pending" : "open", late30: null}
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding: raw rows → numeric vectors, with everything learned from the training rows kept in the spec.

export interface RiskColumn {
  name: string;
  /** numeric: continuous (Gaussian in naive Bayes); binary: 0/1 indicator (Bernoulli in naive Bayes). */
  kind: "numeric" | "binary";
}

export interface RiskFeatureSpec {
  lateDays: number;
  marketWindowDays: number;
  /** Participants with their own indicator (top by training rows); the rest share participant_other. */
  participants: string[];
  ufs: string[];
  segments: string[];
  /** Beta prior of the smoothed late rates: mean = the training late rate, strength = pseudo-installments. */
  prior: {rate: number; strength: number; marketStrength: number};
  columns: RiskColumn[];
}

export interface SpecOptions {
  topParticipants?: number;
  /** Categories with fewer training rows than this go to "other". */
  minCategoryRows?: number;
  priorStrength?: number;
  marketPriorStrength?: number;
}

const NUMERIC = [
  "log_value",
  "log_installment_value",
  "installment_number",
  "installment_count",
  "log_tenor_days",
  "payer_log_known",
  "payer_log_late",
  "payer_late_rate_logit",
  "payer_log_overdue",
  "payer_log_bills",
  "payer_log_days_since_first",
  "assignor_log_known",
  "assignor_log_late",
  "assignor_late_rate_logit",
  "assignor_log_overdue",
  "assignor_log_bills",
  "assignor_log_days_since_first",
  "market_late_rate_logit"
];

function topCategories(values: Iterable<string | null>, min: number, limit = Infinity): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([v]) => v)
    .sort();
}

/** Learns the encodings from the training rows and their labels (1 = late30). */
export function fitRiskFeatureSpec(
  rows: readonly RiskRow[],
  labels: ArrayLike<number>,
  options: SpecOptions = {}
): RiskFeatureSpec {
  const {topParticipants = 12, minCategoryRows = 30, priorStrength = 10, marketPriorStrength = 50} = options;
  if (rows.length === 0) throw new Error("risk features: no training rows");
  let late = 0;
  for (let i = 0; i < labels.length; i++) late += labels[i];
  const participants = topCategories(
    rows.map((r) => r.features.participant_id),
    minCategoryRows,
    topParticipants
  );
  const ufs = topCategories(
    rows.map((r) => r.features.payer_uf),
    minCategoryRows
  );
  const segments = topCategories(
    rows.map((r) => r.features.payer_segment),
    minCategoryRows
  );
  const binary = [
    "kind_services",
    "ballast_invoice",
    "payer_pf",
    "payer_new",
    "assignor_new",
    ...participants.map((p) => `participant_${p}`),
    "participant_other",
    ...ufs.map((u) => `uf_${u}`),
    "uf_other",
    ...segments.map((s) => `segment_${s}`),
    "segment_other"
  ];
  return {
    lateDays: LATE_DAYS,
    marketWindowDays: MARKET_WINDOW_DAYS,
    participants,
    ufs,
    segments,
    // Clamped away from 0 and 1 so the logit of a smoothed rate stays finite on degenerate training sets.
    prior: {
      rate: Math.min(0.99, Math.max(0.01, late / rows.length)),
      strength: priorStrength,
      marketStrength: marketPriorStrength
    },
    columns: [
      ...NUMERIC.map((name) => ({name, kind: "numeric" as const})),
      ...binary.map((name) => ({name, kind: "binary" as const}))
    ]
  };
}

const logit = (p: number) => Math.log(p / (1 - p));

/** Beta-smoothed late rate: (late + rate·strength) / (known + strength). */
export function smoothedRate(late: number, known: number, rate: number, strength: number): number {
  return (late + rate * strength) / (known + strength);
}

/** The model's input vector for one row, in spec.columns order: the same code for training and scoring. */
export function encodeRiskFeatures(spec: RiskFeatureSpec, f: RiskFeatureRow): Float64Array {
  const x = new Float64Array(spec.columns.length);
  const {rate, strength, marketStrength} = spec.prior;
  let at = 0;
  x[at++] = Math.log1p(Math.max(0, f.value));
  x[at++] = Math.log1p(Math.max(0, f.installment_value));
  x[at++] = f.installment_number;
  x[at++] = f.installment_count;
  x[at++] = Math.sign(f.tenor_days) * Math.log1p(Math.abs(f.tenor_days));
  x[at++] = Math.log1p(f.payer_known);
  x[at++] = Math.log1p(f.payer_late);
  x[at++] = logit(smoothedRate(f.payer_late, f.payer_known, rate, strength));
  x[at++] = Math.log1p(f.payer_overdue);
  x[at++] = Math.log1p(f.payer_bills);
  x[at++] = Math.log1p(f.payer_days_since_first ?? 0);
  x[at++] = Math.log1p(f.assignor_known);
  x[at++] = Math.log1p(f.assignor_late);
  x[at++] = logit(smoothedRate(f.assignor_late, f.assignor_known, rate, strength));
  x[at++] = Math.log1p(f.assignor_overdue);
  x[at++] = Math.log1p(f.assignor_bills);
  x[at++] = Math.log1p(f.assignor_days_since_first ?? 0);
  x[at++] = logit(smoothedRate(f.market_late, f.market_known, rate, marketStrength));
  x[at++] = f.kind === "services" ? 1 : 0;
  x[at++] = f.ballast === "invoice" ? 1 : 0;
  x[at++] = f.payer_person_type === "PF" ? 1 : 0;
  x[at++] = f.payer_bills === 0 ? 1 : 0;
  x[at++] = f.assignor_bills === 0 ? 1 : 0;
  at = oneHot(x, at, spec.participants, f.participant_id);
  at = oneHot(x, at, spec.ufs, f.payer_uf);
  oneHot(x, at, spec.segments, f.payer_segment);
  return x;
}

function oneHot(x: Float64Array, at: number, levels: readonly string[], value: string | null): number {
  const i = value === null ? -1 : levels.indexOf(value);
  x[at + (i < 0 ? levels.length : i)] = 1;
  return at + levels.length + 1;
}

/** A dense row-major design matrix. */
export interface DesignMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function encodeRiskMatrix(spec: RiskFeatureSpec, rows: readonly RiskRow[]): DesignMatrix {
  const cols = spec.columns.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(encodeRiskFeatures(spec, r.features), i * cols));
  return {rows: rows.length, cols, data};
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the registry.

/** Order-independent checksum of the inputs the risk model reads. */
export function riskDataChecksum(data: RiskData): string {
  const lines: string[] = [];
  for (const b of data.bills) {
    lines.push(
      [
        "b",
        b.bill_id,
        b.participant_id,
        b.assignor_id,
        b.payer_id,
        b.kind,
        b.ballast,
        b.state,
        msOf(b.registered_at),
        b.value
      ].join("\t")
    );
  }
  for (const i of data.installments) {
    const original = i.original_due_date == null ? "" : dayOf(i.original_due_date);
    const paid = i.paid_at === null ? "" : dayOf(i.paid_at);
    lines.push(["i", i.bill_id, i.number, dayOf(i.due_date), original, i.value, paid].join("\t"));
  }
  for (const [id, p] of data.parties) lines.push(["p", id, p.uf, p.segment, p.person_type].join("\t"));
  lines.sort();
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line).update("\n");
  return hash.digest("hex");
}

/** Reads the three tables the risk model needs from a registry source. */
export async function readRiskData(source: RegistrySource): Promise<RiskData> {
  const bills: RiskBillInput[] = [];
  for await (const b of source.rows<RiskBillInput>("trade_bills")) bills.push(pickBill(b));
  const installments: RiskInstallmentInput[] = [];
  for await (const i of source.rows<RiskInstallmentInput>("installments")) installments.push(pickInstallment(i));
  return {bills, installments, parties: await readRiskParties(source)};
}

export async function readRiskParties(source: RegistrySource): Promise<Map<string, RiskPartyInput>> {
  const parties = new Map<string, RiskPartyInput>();
  for await (const p of source.rows<RiskPartyInput & {party_id: string}>("parties")) {
    parties.set(p.party_id, {uf: p.uf, segment: p.segment, person_type: p.person_type});
  }
  return parties;
}

/**
 * The risk inputs from rows already read (registryContext's bills and installments carry every canonical column at
 * run time; their declared types are narrower). Missing columns fail loudly rather than becoming features.
 */
export function riskDataFrom(
  bills: readonly object[],
  installments: readonly object[],
  parties: ReadonlyMap<string, RiskPartyInput>
): RiskData {
  return {
    bills: bills.map((b) => pickBill(b as RiskBillInput)),
    installments: installments.map((i) => pickInstallment(i as RiskInstallmentInput)),
    parties
  };
}

function required<T>(row: object, key: string, value: T): T {
  if (value === undefined) throw new Error(`risk data: column ${key} missing in ${JSON.stringify(row).slice(0, 120)}`);
  return value;
}

function pickBill(b: RiskBillInput): RiskBillInput {
  return {
    bill_id: b.bill_id,
    participant_id: b.participant_id,
    assignor_id: required(b, "assignor_id", b.assignor_id),
    payer_id: b.payer_id,
    kind: b.kind,
    ballast: required(b, "ballast", b.ballast),
    state: b.state,
    registered_at: b.registered_at,
    value: b.value
  };
}

function pickInstallment(i: RiskInstallmentInput): RiskInstallmentInput {
  return {
    bill_id: i.bill_id,
    number: i.number,
    due_date: i.due_date,
    original_due_date: i.original_due_date ?? null,
    value: required(i, "value", i.value),
    paid_at: i.paid_at
  };
}
