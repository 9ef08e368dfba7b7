// Retention and lifetime value: BG/NBD for "is this customer still active, and how many registrations next?",
// Gamma-Gamma for "how much per registration?", fitted in weeks on the CLV summary of VECTORS.md. A calibration
// / holdout split gives the usual check: predicted against actual repeat registrations by frequency.
import {createHash} from "node:crypto";
import {conditionalExpectedPurchases, fitBgNbd, probabilityAlive, type BgNbdParams} from "./bgnbd.js";
import {
  conditionalExpectedAverageProfit,
  customerLifetimeValue,
  fitGammaGamma,
  type GammaGammaParams
} from "./gamma-gamma.js";
import {clvSummary, DAY_MS, type ClvSummaryRow, type PurchaseEvent} from "./rfm.js";

export const WEEK_DAYS = 7;

export interface RetentionModel {
  schema: "grafeno.retention-model";
  schemaVersion: 1;
  modelVersion: string;
  entity: string;
  observationDate: string;
  /**
   * `noDropout`: the fit drove the dropout probability to zero (a / (a + b) < 1e-6): nobody is seen leaving, and
   * BG/NBD reduces to the NBD model. Its closed forms are used then; the 2F1 terms would not converge.
   */
  bgNbd: BgNbdParams & {logLikelihood: number; customers: number; noDropout: boolean};
  gammaGamma: (GammaGammaParams & {customers: number}) | null;
  horizonWeeks: number;
  monthlyDiscountRate: number;
  dataChecksum: string;
}

export interface RetentionScore {
  customer: string;
  pAlive: number;
  expectedEvents: number;
  expectedValuePerEvent: number;
  clv: number;
}

export interface HoldoutRow {
  frequency: string;
  customers: number;
  predicted: number;
  actual: number;
}

function weeksSummary(events: readonly PurchaseEvent[], observationEnd: number): ClvSummaryRow[] {
  return clvSummary(events, {observationEnd, unit: WEEK_DAYS});
}

export function fitRetention(
  events: readonly PurchaseEvent[],
  {
    entity,
    observationDate,
    horizonWeeks = 52,
    monthlyDiscountRate = 0.01
  }: {entity: string; observationDate: number; horizonWeeks?: number; monthlyDiscountRate?: number}
): RetentionModel {
  const rows = weeksSummary(events, observationDate);
  const bg = fitBgNbd(rows);
  const repeaters = rows.filter((r) => r.frequency > 0 && r.monetaryValue > 0);
  const gg = repeaters.length >= 10 ? fitGammaGamma(repeaters) : null;
  const body = {
    schema: "grafeno.retention-model" as const,
    schemaVersion: 1 as const,
    entity,
    observationDate: new Date(observationDate).toISOString().slice(0, 10),
    bgNbd: {
      r: bg.r,
      alpha: bg.alpha,
      a: bg.a,
      b: bg.b,
      logLikelihood: bg.logLikelihood,
      customers: rows.length,
      noDropout: bg.a / (bg.a + bg.b) < 1e-6
    },
    gammaGamma: gg ? {p: gg.p, q: gg.q, v: gg.v, customers: repeaters.length} : null,
    horizonWeeks,
    monthlyDiscountRate,
    dataChecksum: createHash("sha256")
      .update(rows.map((r) => `${r.customer},${r.frequency},${r.recency},${r.T},${r.monetaryValue}`).join("\n"))
      .digest("hex")
  };
  const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 12);
  return {...body, modelVersion: `retention-${entity}-${digest}`};
}

const WEEKS_PER_MONTH = 4.345;

/** NBD limit: every customer stays; expected registrations grow linearly at the posterior rate (r + x) / (α + T). */
function scoreWithoutDropout(model: RetentionModel, row: ClvSummaryRow): RetentionScore {
  const {r, alpha} = model.bgNbd;
  const rate = (r + row.frequency) / (alpha + row.T);
  const gg = model.gammaGamma;
  const perEvent = gg ? conditionalExpectedAverageProfit(gg, row.frequency, row.monetaryValue) : row.monetaryValue;
  const months = Math.round(model.horizonWeeks / WEEKS_PER_MONTH);
  let clv = 0;
  for (let k = 1; k <= months; k++) clv += (rate * WEEKS_PER_MONTH * perEvent) / (1 + model.monthlyDiscountRate) ** k;
  return {
    customer: row.customer,
    pAlive: 1,
    expectedEvents: rate * model.horizonWeeks,
    expectedValuePerEvent: perEvent,
    clv
  };
}

/** The same function scores the loaders' customers and the API's uploads. */
export function scoreRetention(model: RetentionModel, row: ClvSummaryRow): RetentionScore {
  if (model.bgNbd.noDropout) return scoreWithoutDropout(model, row);
  const {frequency: x, recency: tx, T} = row;
  const pAlive = probabilityAlive(model.bgNbd, x, tx, T);
  const expectedEvents = conditionalExpectedPurchases(model.bgNbd, model.horizonWeeks, x, tx, T);
  const gg = model.gammaGamma;
  const expectedValuePerEvent = gg ? conditionalExpectedAverageProfit(gg, x, row.monetaryValue) : row.monetaryValue;
  const clv = gg
    ? customerLifetimeValue(model.bgNbd, gg, [{frequency: x, recency: tx, T, monetaryValue: row.monetaryValue}], {
        horizonWeeks: model.horizonWeeks,
        discountRate: model.monthlyDiscountRate
      })[0]
    : expectedEvents * expectedValuePerEvent;
  return {customer: row.customer, pAlive, expectedEvents, expectedValuePerEvent, clv};
}

export function retentionScores(
  model: RetentionModel,
  events: readonly PurchaseEvent[],
  observationDate: number
): RetentionScore[] {
  return weeksSummary(events, observationDate).map((row) => scoreRetention(model, row));
}

/**
 * Fits on the events up to `observationDate − holdoutWeeks` and compares, for each calibration frequency, the mean
 * predicted repeat registrations in the holdout with the mean actual ones.
 */
export function holdoutCheck(
  events: readonly PurchaseEvent[],
  {entity, observationDate, holdoutWeeks = 26}: {entity: string; observationDate: number; holdoutWeeks?: number}
): {model: RetentionModel; rows: HoldoutRow[]} {
  const cut = observationDate - holdoutWeeks * WEEK_DAYS * DAY_MS;
  const calibration = events.filter((e) => +e.date <= cut + DAY_MS - 1);
  const model = fitRetention(calibration, {entity, observationDate: cut});
  const cutDay = Math.floor(cut / DAY_MS);
  const actual = new Map<string, Set<number>>();
  for (const e of events) {
    const day = Math.floor(+e.date / DAY_MS);
    if (day > cutDay && day <= Math.floor(observationDate / DAY_MS)) {
      let days = actual.get(e.customer);
      if (!days) actual.set(e.customer, (days = new Set()));
      days.add(day);
    }
  }
  const buckets = new Map<string, {customers: number; predicted: number; actual: number}>();
  for (const row of weeksSummary(calibration, cut)) {
    const key = row.frequency >= 7 ? "7+" : String(row.frequency);
    const bucket = buckets.get(key) ?? {customers: 0, predicted: 0, actual: 0};
    bucket.customers++;
    bucket.predicted += model.bgNbd.noDropout
      ? ((model.bgNbd.r + row.frequency) / (model.bgNbd.alpha + row.T)) * holdoutWeeks
      : conditionalExpectedPurchases(model.bgNbd, holdoutWeeks, row.frequency, row.recency, row.T);
    bucket.actual += actual.get(row.customer)?.size ?? 0;
    buckets.set(key, bucket);
  }
  const order = ["0", "1", "2", "3", "4", "5", "6", "7+"];
  const rows = order
    .filter((k) => buckets.has(k))
    .map((k) => {
      const b = buckets.get(k)!;
      return {
        frequency: k,
        customers: b.customers,
        predicted: b.predicted / b.customers,
        actual: b.actual / b.customers
      };
    });
  return {model, rows};
}
