import {readFileSync} from "node:fs";
import {resolve} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {conditionalExpectedPurchases, fitBgNbd} from "../loaders/bgnbd.js";
import type {BgNbdFit} from "../loaders/bgnbd.js";
import {
  conditionalExpectedAverageProfit,
  customerLifetimeValue,
  fitGammaGamma,
  gammaGammaLogLikelihood
} from "../loaders/gamma-gamma.js";
import type {ClvCustomer, GammaGammaFit} from "../loaders/gamma-gamma.js";

// Published figures: ../shared/reference/VECTORS.md, "BG/NBD and Gamma-Gamma on CDNOW".
const CDNOW = resolve(process.cwd(), "../shared/reference/cdnow");
const CALIBRATION_END = "19970930"; // inclusive, as in the 39-week calibration period
const DAY_MS = 86_400_000;

interface Customer extends ClvCustomer {
  id: number;
}

function dayNumber(yyyymmdd: string): number {
  return (
    Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))) / DAY_MS
  );
}

/**
 * The lifetimes summary of CDNOW_sample.txt: transactions up to the calibration end, one purchase per day (amounts
 * of a day summed), frequency = distinct days − 1, monetary = mean of the repeat days' totals, times in weeks.
 */
function summarizeSample(): Customer[] {
  const days = new Map<number, Map<string, number>>();
  for (const line of readFileSync(resolve(CDNOW, "CDNOW_sample.txt"), "utf8").split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [, sampleId, date, , dollars] = fields;
    if (date > CALIBRATION_END) continue;
    const id = Number(sampleId);
    let byDay = days.get(id);
    if (!byDay) days.set(id, (byDay = new Map()));
    byDay.set(date, (byDay.get(date) ?? 0) + Number(dollars));
  }
  const end = dayNumber(CALIBRATION_END);
  return [...days]
    .map(([id, byDay]) => {
      const dates = [...byDay.keys()].sort();
      const first = dayNumber(dates[0]);
      const repeatTotals = dates.slice(1).map((d) => byDay.get(d) ?? 0);
      return {
        id,
        frequency: repeatTotals.length,
        recency: (dayNumber(dates[dates.length - 1]) - first) / 7,
        T: (end - first) / 7,
        monetaryValue: repeatTotals.length > 0 ? repeatTotals.reduce((s, v) => s + v, 0) / repeatTotals.length : 0
      };
    })
    .sort((a, b) => a.id - b.id);
}

describe("Gamma-Gamma on CDNOW", () => {
  let customers: Customer[];
  let fit: GammaGammaFit;
  let bgNbd: BgNbdFit;

  beforeAll(() => {
    customers = summarizeSample();
    fit = fitGammaGamma(customers);
    bgNbd = fitBgNbd(customers);
  });

  it("the summary built from CDNOW_sample.txt agrees with cdnow_customers_summary.csv", () => {
    const published = readFileSync(resolve(CDNOW, "cdnow_customers_summary.csv"), "utf8")
      .trim()
      .split(/\r?\n/)
      .slice(1);
    expect(customers).toHaveLength(published.length);
    published.forEach((line, i) => {
      const [id, frequency, recency, T] = line.split(",").map(Number);
      expect(customers[i].id).toBe(id);
      expect(customers[i].frequency).toBe(frequency);
      expect(customers[i].recency).toBeCloseTo(recency, 2);
      expect(customers[i].T).toBeCloseTo(T, 2);
    });
  });

  it("has 946 repeat customers spending about $35 a repeat purchase", () => {
    const repeat = customers.filter((c) => c.frequency > 0);
    expect(repeat).toHaveLength(946);
    expect(fit.customers).toBe(946);
    const meanSpend = repeat.reduce((s, c) => s + c.monetaryValue, 0) / repeat.length;
    expect(Math.round(meanSpend)).toBe(35);
  });

  it("reproduces the published p = 6.25, q = 3.74, v = 15.44 to within 0.01 (their last printed digit)", () => {
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.p - 6.25)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(fit.q - 3.74)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(fit.v - 15.44)).toBeLessThanOrEqual(0.01);
  });

  it("the fitted parameters maximise the likelihood: nudging any of them lowers it", () => {
    const total = (p: number, q: number, v: number): number =>
      customers
        .filter((c) => c.frequency > 0)
        .reduce((s, c) => s + gammaGammaLogLikelihood({p, q, v}, c.frequency, c.monetaryValue), 0);
    expect(total(fit.p, fit.q, fit.v)).toBeCloseTo(fit.logLikelihood, 8);
    for (const step of [1.001, 0.999]) {
      expect(total(fit.p * step, fit.q, fit.v)).toBeLessThan(fit.logLikelihood);
      expect(total(fit.p, fit.q * step, fit.v)).toBeLessThan(fit.logLikelihood);
      expect(total(fit.p, fit.q, fit.v * step)).toBeLessThan(fit.logLikelihood);
    }
  });

  it("expected spend shrinks a customer's mean toward the population mean p v/(q − 1)", () => {
    const populationMean = (fit.p * fit.v) / (fit.q - 1);
    expect(conditionalExpectedAverageProfit(fit, 0, 0)).toBeCloseTo(populationMean, 12);
    const fewPurchases = conditionalExpectedAverageProfit(fit, 1, 100);
    const manyPurchases = conditionalExpectedAverageProfit(fit, 20, 100);
    expect(fewPurchases).toBeGreaterThan(populationMean);
    expect(fewPurchases).toBeLessThan(manyPurchases);
    expect(manyPurchases).toBeLessThan(100);
  });

  it("undiscounted CLV is expected spend × expected purchases over the horizon", () => {
    const customer = customers[0]; // x = 2, t_x = 30.43, T = 38.86
    const [clv] = customerLifetimeValue(bgNbd, fit, [customer], {months: 12, discountRate: 0});
    const spend = conditionalExpectedAverageProfit(fit, customer.frequency, customer.monetaryValue);
    const purchases = conditionalExpectedPurchases(bgNbd, 12 * 4.345, customer.frequency, customer.recency, customer.T);
    expect(clv).toBeCloseTo(spend * purchases, 10);
  });

  it("discounting lowers CLV, a longer horizon raises it, and a 52-week horizon is 12 months", () => {
    const sample = customers.slice(0, 50);
    const base = customerLifetimeValue(bgNbd, fit, sample);
    const undiscounted = customerLifetimeValue(bgNbd, fit, sample, {discountRate: 0});
    const longer = customerLifetimeValue(bgNbd, fit, sample, {months: 24});
    const weeks = customerLifetimeValue(bgNbd, fit, sample, {horizonWeeks: 52});
    sample.forEach((_, i) => {
      expect(base[i]).toBeGreaterThan(0);
      expect(base[i]).toBeLessThan(undiscounted[i]);
      expect(longer[i]).toBeGreaterThan(base[i]);
      expect(weeks[i]).toBe(base[i]);
    });
  });

  it("skips customers without repeat purchases and rejects non-positive spend", () => {
    expect(() => fitGammaGamma([{frequency: 2, monetaryValue: 0}])).toThrow(RangeError);
    expect(() => fitGammaGamma([{frequency: 0, monetaryValue: 0}])).toThrow(RangeError);
  });
});
