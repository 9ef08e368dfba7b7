// One trade bill at a time: who registers it, who issues and owes it, its value, installment schedule, and how the
// payer pays. Lateness comes from the payer's hidden risk plus a macro factor of the due month, so a model can learn
// it from history; what happens after the as-of date is not observed (open installments).
import {generateNfeKey} from "./documents.js";
import type {BusinessCalendar} from "./generate-calendar.js";
import {addMonths, monthIndex, yearMonth} from "./generate-calendar.js";
import type {ParticipantActor, PartyPool} from "./generate-actors.js";
import {partyId, sampleCumulative} from "./generate-actors.js";
import {SEGMENTS, UF_INFO} from "./generate-world.js";
import type {Random} from "./random.js";
import type {InstallmentRow, PaymentRow, TradeBillRow} from "./registry-schema.js";
import {CANCEL_REASONS, UFS, isoDate, isoTimestamp, roundMoney} from "./registry-schema.js";

const MS_PER_DAY = 86_400_000;
/** Brazil has no daylight saving since 2019: business hours 09:00–18:00 local are 12:00–21:00 UTC. */
const UTC_OFFSET_HOURS = 3;

/** Weights of 1 … 12 installments (mean ≈ 4.4 installments per bill). */
export const INSTALLMENT_WEIGHTS = Float64Array.of(30, 10, 14, 8, 5, 10, 3, 3, 2, 3, 2, 10);
/** Days from issue to the first due date. */
const FIRST_TERMS = [28, 30, 30, 30, 45, 60, 90];
/** Bill value multiplier by participant kind (securitizers buy larger receivables, fintechs smaller). */
const KIND_VALUE = {bank: 1.2, fidc: 1, securitizer: 1.5, fintech: 0.6};

export const BILL_PARAMS = {
  valueSigma: 1.0,
  pfValueFactor: 0.3,
  minValue: 5,
  maxValue: 50_000_000,
  cancelRate: 0.025,
  cancelReasonWeights: Float64Array.of(0.55, 0.3, 0.15),
  yearlyScheduleRate: 0.003,
  extensionRate: 0.03,
  installmentNoise: 0.4,
  /** Default (never paid) log-odds sit this far below the late log-odds. */
  defaultOffset: 2.2,
  /** Once an installment is defaulted, later ones of the same bill default with this probability. */
  stickyDefault: 0.85,
  lateDelayMedianDays: 8,
  lateDelaySigma: 1.3,
  splitPaymentRate: 0.04,
  /** Late payments carry a 2% fine plus 1% a month pro rata (the usual boleto terms). */
  fine: 0.02,
  monthlyInterest: 0.01
};

export interface GeneratedBill {
  bill: TradeBillRow;
  installments: InstallmentRow[];
  payments: PaymentRow[];
  /** How many times the bill row is written (2 for an injected duplicate). */
  copies: number;
}

export interface BillWorld {
  random: Random;
  calendar: BusinessCalendar;
  parties: PartyPool;
  /** Last observed day; nothing after it has happened yet. */
  asOf: number;
  /** Macro shift of late log-odds for a month index (months since 1970-01). */
  macro: (month: number) => number;
}

export function billId(index: number): string {
  return `TB-${String(index + 1).padStart(10, "0")}`;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class BillFactory {
  private paymentSeq = 0;

  constructor(private readonly world: BillWorld) {}

  get paymentsMade(): number {
    return this.paymentSeq;
  }

  make(index: number, participant: ParticipantActor, registeredMs: number): GeneratedBill {
    const {random: r, calendar, parties} = this.world;
    const day = Math.floor(registeredMs / MS_PER_DAY);
    const assignor = parties.assignors[sampleCumulative(parties.assignorCum, r.next())];
    const payer = parties.payers[sampleCumulative(parties.payerCum, r.next())];
    const segment = SEGMENTS[parties.segment[assignor]];
    const kind = r.bernoulli(segment.services) ? "services" : "goods";
    const median =
      segment.medianValue * (parties.pf[payer] ? BILL_PARAMS.pfValueFactor : 1) * KIND_VALUE[participant.kind];
    const value = Math.min(
      BILL_PARAMS.maxValue,
      Math.max(BILL_PARAMS.minValue, roundMoney(r.lognormal(Math.log(median), BILL_PARAMS.valueSigma)))
    );
    let count = 1 + r.weightedIndex(INSTALLMENT_WEIGHTS);
    if (value > 100_000 && count < 3 && r.bernoulli(0.6)) count = r.integer(3, 12);
    const emitted = day - Math.floor(r.exponential(1 / 4));
    const ballast = kind === "goods" && r.bernoulli(0.9) ? "nfe_key" : "invoice";
    const {year, month} = yearMonth(emitted);
    const nfeKey =
      ballast === "nfe_key"
        ? generateNfeKey(r.next, {
            ufCode: UF_INFO[UFS[parties.uf[assignor]]].code,
            year,
            month,
            cnpj: parties.cnpj[assignor]!
          })
        : null;
    const canceled = r.bernoulli(BILL_PARAMS.cancelRate);
    const id = billId(index);

    const installments: InstallmentRow[] = [];
    const payments: PaymentRow[] = [];
    const yearly = r.bernoulli(BILL_PARAMS.yearlyScheduleRate); // long-tenor bills: the rare far due dates
    const first = emitted + r.choice(FIRST_TERMS);
    const cents = Math.round(value * 100);
    const base = Math.trunc(cents / count);
    let defaulted = false;
    let allPaid = true;
    for (let k = 0; k < count; k++) {
      const installmentCents = base + (k < cents - base * count ? 1 : 0);
      const original = calendar.onOrAfter(addMonths(first, yearly ? 12 * k : k));
      const due =
        original <= this.world.asOf && r.bernoulli(BILL_PARAMS.extensionRate)
          ? calendar.onOrAfter(original + r.integer(10, 60))
          : original;
      const row: InstallmentRow = {
        bill_id: id,
        number: k + 1,
        due_date: isoDate(due),
        original_due_date: isoDate(original),
        value: installmentCents / 100,
        paid_value: null,
        paid_at: null
      };
      installments.push(row);
      if (canceled) continue;
      const outcome = this.payment(payer, due, day, defaulted);
      defaulted = outcome.defaulted;
      if (outcome.paidDay === null || outcome.paidDay > this.world.asOf) {
        allPaid = false;
        continue;
      }
      const paid = outcome.delay > 0 ? latePayment(row.value, outcome.delay) : row.value;
      this.recordPayments(row, paid, outcome.paidDay, day, payments);
    }

    const bill: TradeBillRow = {
      bill_id: id,
      participant_id: participant.id,
      assignor_id: partyId(assignor),
      payer_id: partyId(payer),
      kind,
      ballast,
      nfe_key: nfeKey,
      emitted_at: isoDate(emitted),
      registered_at: isoTimestamp(registeredMs),
      state: canceled ? "canceled" : allPaid ? "finished" : "active",
      cancel_reason: canceled ? CANCEL_REASONS[r.weightedIndex(BILL_PARAMS.cancelReasonWeights)] : null,
      value
    };
    return {bill, installments, payments, copies: 1};
  }

  /** When (if ever) the payer settles an installment due on `due`, and how many days late. */
  private payment(
    payer: number,
    due: number,
    registered: number,
    defaulted: boolean
  ): {paidDay: number | null; delay: number; defaulted: boolean} {
    const {random: r, calendar} = this.world;
    const logit =
      this.world.parties.riskLogit[payer] +
      this.world.macro(monthIndex(due)) +
      r.normal(0, BILL_PARAMS.installmentNoise);
    const defaults = defaulted
      ? r.bernoulli(BILL_PARAMS.stickyDefault)
      : r.bernoulli(sigmoid(logit - BILL_PARAMS.defaultOffset));
    if (defaults) return {paidDay: null, delay: 0, defaulted: true};
    if (r.bernoulli(sigmoid(logit))) {
      const lateBy = Math.max(
        1,
        Math.round(r.lognormal(Math.log(BILL_PARAMS.lateDelayMedianDays), BILL_PARAMS.lateDelaySigma))
      );
      const paidDay = calendar.onOrAfter(due + lateBy);
      return {paidDay, delay: paidDay - due, defaulted};
    }
    // On time: mostly on the due date, sometimes a few days early, never before the day after registration.
    const early = r.bernoulli(0.7) ? due : calendar.onOrBefore(due - r.integer(1, 7));
    return {paidDay: Math.max(early, calendar.onOrAfter(registered + 1)), delay: 0, defaulted};
  }

  private recordPayments(
    row: InstallmentRow,
    paid: number,
    paidDay: number,
    registered: number,
    out: PaymentRow[]
  ): void {
    const r = this.world.random;
    const parts: [number, number][] = [];
    if (paid >= 100 && r.bernoulli(BILL_PARAMS.splitPaymentRate)) {
      const firstDay = Math.max(this.world.calendar.onOrBefore(paidDay - r.integer(1, 20)), registered + 1);
      const firstValue = roundMoney(paid * r.uniform(0.3, 0.7));
      parts.push([Math.min(firstDay, paidDay), firstValue], [paidDay, roundMoney(paid - firstValue)]);
    } else {
      parts.push([paidDay, paid]);
    }
    for (const [payDay, value] of parts) {
      const seconds = Math.floor(r.uniform(UTC_OFFSET_HOURS + 9, UTC_OFFSET_HOURS + 18) * 3600);
      out.push({
        payment_id: `PAY-${String(++this.paymentSeq).padStart(11, "0")}`,
        bill_id: row.bill_id,
        installment_number: row.number,
        performed_at: isoTimestamp(payDay * MS_PER_DAY + seconds * 1000),
        value
      });
    }
    row.paid_value = paid;
    row.paid_at = isoDate(paidDay);
  }
}

function latePayment(value: number, delayDays: number): number {
  return roundMoney(value * (1 + BILL_PARAMS.fine + (BILL_PARAMS.monthlyInterest * delayDays) / 30));
}

/** Registration instants of one day's bills, in order: business hours with late-morning and afternoon peaks. */
export function registrationTimes(random: Random, day: number, count: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const peak = random.bernoulli(0.5) ? 11 : 15.5;
    const hour = Math.min(20.99, Math.max(7, random.normal(peak, 1.6)));
    times.push(day * MS_PER_DAY + Math.floor((hour + UTC_OFFSET_HOURS) * 3600) * 1000);
  }
  return times.sort((a, b) => a - b);
}
