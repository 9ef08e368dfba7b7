/**
 * Gamma-Gamma model of spend per transaction, Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value",
 * and customer lifetime value in the way of the `lifetimes` package (BG/NBD purchases × Gamma-Gamma spend,
 * discounted month by month).
 *
 * A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, v) across customers, so their mean spend
 * is p/ν. Units: monetary values and v are in currency (dollars for CDNOW); p and q are unitless. The model
 * is fitted on repeat transactions only: x is the number of repeat purchases and m_x their average value.
 */
import {conditionalExpectedPurchases} from "./bgnbd.js";
import type {BgNbdParams} from "./bgnbd.js";
import {minimizePositive} from "./optimize.js";
import type {MinimizeOptions} from "./optimize.js";
import {logGamma} from "./special-functions.js";

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface SpendRow {
  /** Repeat purchases x. */
  frequency: number;
  /** Mean value m_x of the repeat purchases, in currency. */
  monetaryValue: number;
}

export interface GammaGammaFit extends GammaGammaParams {
  /** Total log-likelihood over the customers used, without the penalty. */
  logLikelihood: number;
  /** Customers used: those with frequency > 0. */
  customers: number;
  iterations: number;
  converged: boolean;
}

export interface FitGammaGammaOptions {
  /** L2 penalty on p, q, v added to the mean negative log-likelihood, as in `lifetimes`. Default 0. */
  penalizer?: number;
  /** Starting point. Default p = q = v = 1. */
  initial?: Partial<GammaGammaParams>;
  optimizer?: MinimizeOptions;
}

/**
 * ln of the density of the mean m_x of x transactions (Fader & Hardie 2013, eq. 3):
 * Γ(px + q)/(Γ(px)Γ(q)) · v^q m^(px − 1) x^(px) / (v + m x)^(px + q).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, x: number, m: number): number {
  const {p, q, v} = params;
  const px = p * x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(v) +
    (px - 1) * Math.log(m) +
    px * Math.log(x) -
    (px + q) * Math.log(v + m * x)
  );
}

/** Maximum-likelihood estimates of p, q, v from repeat customers; rows with frequency 0 carry no spend and are skipped. */
export function fitGammaGamma(rows: readonly SpendRow[], options: FitGammaGammaOptions = {}): GammaGammaFit {
  const repeat = rows.filter((row) => row.frequency > 0);
  repeat.forEach((row, index) => {
    if (!Number.isInteger(row.frequency)) throw new RangeError(`repeat row ${index}: frequency must be an integer`);
    if (!(row.monetaryValue > 0) || !Number.isFinite(row.monetaryValue)) {
      throw new RangeError(`repeat row ${index}: monetaryValue must be positive (got ${row.monetaryValue})`);
    }
  });
  if (repeat.length === 0) throw new RangeError("fitGammaGamma needs at least one customer with frequency > 0");
  const penalizer = options.penalizer ?? 0;
  const toParams = ([p, q, v]: number[]): GammaGammaParams => ({p, q, v});
  const logLikelihood = (params: GammaGammaParams): number => {
    let total = 0;
    for (const row of repeat) total += gammaGammaLogLikelihood(params, row.frequency, row.monetaryValue);
    return total;
  };
  const objective = (params: number[]): number => {
    const penalty = penalizer * params.reduce((s, value) => s + value * value, 0);
    return -logLikelihood(toParams(params)) / repeat.length + penalty;
  };
  const init = {p: 1, q: 1, v: 1, ...options.initial};
  const result = minimizePositive(objective, [init.p, init.q, init.v], options.optimizer);
  const params = toParams(result.x);
  return {
    ...params,
    logLikelihood: logLikelihood(params),
    customers: repeat.length,
    iterations: result.iterations,
    converged: result.converged
  };
}

/**
 * E[M | p, q, v, m_x, x] = p (v + x m_x) / (p x + q − 1): a weighted mean of the population mean p v/(q − 1)
 * and the customer's own m_x (Fader & Hardie 2013, eq. 5). With x = 0 it is the population mean. Needs q > 1.
 */
export function conditionalExpectedAverageProfit(params: GammaGammaParams, x: number, m: number): number {
  const {p, q, v} = params;
  if (!(q > 1)) throw new RangeError(`the expected spend is infinite unless q > 1 (got q = ${q})`);
  return (p * (v + x * (x > 0 ? m : 0))) / (p * x + q - 1);
}

export interface ClvCustomer extends SpendRow {
  recency: number;
  T: number;
}

// 52.14 weeks / 12, the factor lifetimes uses for weekly models.
const WEEKS_PER_MONTH = 4.345;

export interface ClvOptions {
  /** Number of monthly steps (lifetimes' `time`). Default 12. */
  months?: number;
  /** Alternative to `months`: horizon in weeks, rounded to whole months of 4.345 weeks. */
  horizonWeeks?: number;
  /**
   * BG/NBD time units per month. Default 4.345, for models fitted in weeks (lifetimes' freq "W"); use 1 for
   * months and 30 for days.
   */
  unitsPerMonth?: number;
  /** Discount rate per month. Default 0.01 (about 12.7% a year). */
  discountRate?: number;
}

/**
 * Discounted expected value of each customer's purchases over the next `months` months, in currency:
 * Σ_k E[M] · (E[Y(k u)] − E[Y((k − 1) u)]) / (1 + d)^k with u = unitsPerMonth, i.e. each month's expected
 * purchases (BG/NBD, conditional on the history) times the expected spend (Gamma-Gamma), discounted at the end
 * of month k. Gross value of the spend: apply any margin to the result.
 */
export function customerLifetimeValue(
  bgNbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customers: readonly ClvCustomer[],
  options: ClvOptions = {}
): number[] {
  const unitsPerMonth = options.unitsPerMonth ?? WEEKS_PER_MONTH;
  const discountRate = options.discountRate ?? 0.01;
  const months =
    options.horizonWeeks !== undefined ? Math.round(options.horizonWeeks / WEEKS_PER_MONTH) : (options.months ?? 12);
  if (!Number.isInteger(months) || months < 0) throw new RangeError(`months must be a non-negative integer`);
  return customers.map(({frequency: x, recency: tx, T, monetaryValue}) => {
    const spend = conditionalExpectedAverageProfit(gammaGamma, x, monetaryValue);
    let value = 0;
    let before = 0; // E[Y] is cumulative: each month takes the increment
    for (let k = 1; k <= months; k++) {
      const upTo = conditionalExpectedPurchases(bgNbd, k * unitsPerMonth, x, tx, T);
      value += (spend * (upTo - before)) / (1 + discountRate) ** k;
      before = upTo;
    }
    return value;
  });
}
