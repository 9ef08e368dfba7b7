/**
 * BG/NBD ("beta-geometric / negative binomial") model of repeat purchasing, Fader, Hardie & Lee (2005),
 * "Counting Your Customers the Easy Way", Marketing Science 24(2). While alive a customer buys at Poisson rate
 * λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 *
 * Units: frequency x is the number of repeat purchases; recency t_x (time of the last purchase) and T (age) are
 * measured from the first purchase, in whatever time unit the data use (weeks for CDNOW). α and every t share
 * that unit; r, a, b are unitless.
 */
import {minimizePositive} from "./optimize.js";
import type {MinimizeOptions} from "./optimize.js";
import {logAddExp, logBeta, logGamma, logHyp2f1} from "./special-functions.js";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** One customer's summary: x, t_x and T in the notation of the paper. */
export interface RfmRow {
  frequency: number;
  recency: number;
  T: number;
}

export interface BgNbdFit extends BgNbdParams {
  /** Total log-likelihood at the estimates, without the penalty. */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

export interface FitBgNbdOptions {
  /** L2 penalty on the parameters, added to the mean negative log-likelihood as in `lifetimes`. Default 0. */
  penalizer?: number;
  /** Starting point. Default r = α = a = b = 1. */
  initial?: Partial<BgNbdParams>;
  optimizer?: MinimizeOptions;
}

/**
 * ln L(r, α, a, b | x, t_x, T), equation (6) of the paper: the likelihood of x purchases with the last at t_x
 * when observed for T. It is a density in t_x, so for heavy buyers it can exceed 1 (positive log-likelihood).
 */
export function bgNbdLogLikelihood(params: BgNbdParams, x: number, tx: number, T: number): number {
  const {r, alpha, a, b} = params;
  const common = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + logBeta(a, b + x) - logBeta(a, b);
  const aliveAtT = -(r + x) * Math.log(alpha + T);
  if (x === 0) return common + aliveAtT;
  // Dropped out right after the purchase at t_x: B(a + 1, b + x − 1) / B(a, b + x) = a / (b + x − 1).
  const droppedAtTx = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return common + logAddExp(aliveAtT, droppedAtTx);
}

function validateRow(row: RfmRow, index: number): void {
  const {frequency: x, recency: tx, T} = row;
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`row ${index}: frequency must be a non-negative integer`);
  if (!(tx >= 0) || !(T >= tx) || !Number.isFinite(T)) {
    throw new RangeError(`row ${index}: need 0 ≤ recency ≤ T (got recency ${tx}, T ${T})`);
  }
}

/** Sum of per-customer log-likelihoods. */
export function bgNbdTotalLogLikelihood(params: BgNbdParams, rows: readonly RfmRow[]): number {
  let total = 0;
  for (const row of rows) total += bgNbdLogLikelihood(params, row.frequency, row.recency, row.T);
  return total;
}

interface Group {
  x: number;
  /** (t_x, T, number of customers) for every distinct history with this x. */
  histories: {tx: number; T: number; count: number}[];
}

// Customers sharing (x, t_x, T) contribute identical terms, and the Γ and B terms depend on x alone, so the
// likelihood is summed per distinct x and per distinct history: CDNOW's 2,357 rows reduce to ~30 x values.
function groupRows(rows: readonly RfmRow[]): Group[] {
  const byX = new Map<number, Map<string, {tx: number; T: number; count: number}>>();
  rows.forEach((row, index) => {
    validateRow(row, index);
    let histories = byX.get(row.frequency);
    if (!histories) byX.set(row.frequency, (histories = new Map()));
    const key = `${row.recency}|${row.T}`;
    const history = histories.get(key);
    if (history) history.count++;
    else histories.set(key, {tx: row.recency, T: row.T, count: 1});
  });
  return [...byX].map(([x, histories]) => ({x, histories: [...histories.values()]}));
}

function groupedLogLikelihood(params: BgNbdParams, groups: readonly Group[]): number {
  const {r, alpha, a, b} = params;
  const logGammaR = logGamma(r);
  const logBetaAB = logBeta(a, b);
  const logAlpha = Math.log(alpha);
  const logA = Math.log(a);
  let total = 0;
  for (const {x, histories} of groups) {
    const common = logGamma(r + x) - logGammaR + r * logAlpha + logBeta(a, b + x) - logBetaAB;
    const logDropout = logA - Math.log(b + x - 1);
    for (const {tx, T, count} of histories) {
      const aliveAtT = -(r + x) * Math.log(alpha + T);
      const term = x === 0 ? aliveAtT : logAddExp(aliveAtT, logDropout - (r + x) * Math.log(alpha + tx));
      total += count * (common + term);
    }
  }
  return total;
}

/** Maximum-likelihood estimates of r, α, a, b. */
export function fitBgNbd(rows: readonly RfmRow[], options: FitBgNbdOptions = {}): BgNbdFit {
  if (rows.length === 0) throw new RangeError("fitBgNbd needs at least one customer");
  const penalizer = options.penalizer ?? 0;
  const groups = groupRows(rows);
  const toParams = ([r, alpha, a, b]: number[]): BgNbdParams => ({r, alpha, a, b});
  // The mean keeps the objective's scale (and so the tolerances) independent of the number of customers.
  const objective = (p: number[]): number => {
    const penalty = penalizer * p.reduce((s, v) => s + v * v, 0);
    return -groupedLogLikelihood(toParams(p), groups) / rows.length + penalty;
  };
  const init = {r: 1, alpha: 1, a: 1, b: 1, ...options.initial};
  const result = minimizePositive(objective, [init.r, init.alpha, init.a, init.b], options.optimizer);
  const params = toParams(result.x);
  return {
    ...params,
    logLikelihood: groupedLogLikelihood(params, groups),
    iterations: result.iterations,
    converged: result.converged
  };
}

/**
 * E[X(t)]: expected purchases in (0, t] by a customer picked at random at their first purchase, equation (9):
 * (a + b − 1)/(a − 1) · [1 − (α/(α + t))^r · 2F1(r, b; a + b − 1; t/(α + t))]. Needs a ≠ 1.
 */
export function expectedPurchases(params: BgNbdParams, t: number): number {
  const {r, alpha, a, b} = params;
  if (t === 0) return 0;
  const z = t / (alpha + t);
  const logTail = r * Math.log(alpha / (alpha + t)) + logHyp2f1(r, b, a + b - 1, z);
  // 1 − e^logTail via expm1: for small t the bracket is a difference of nearly equal numbers.
  return ((a + b - 1) / (a - 1)) * -Math.expm1(logTail);
}

/** ln of the odds that a customer with x > 0 is inactive: a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x). */
function logDropoutOdds(params: BgNbdParams, x: number, tx: number, T: number): number {
  const {r, alpha, a, b} = params;
  if (x === 0) return -Infinity;
  return Math.log(a / (b + x - 1)) + (r + x) * Math.log((alpha + T) / (alpha + tx));
}

/** 1 / (1 + e^logOdds), without overflow for large odds. */
function inverseOnePlusExp(logOdds: number): number {
  if (logOdds > 0) {
    const e = Math.exp(-logOdds);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] for a customer with history (x, t_x, T), equation (10).
 */
export function conditionalExpectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const {r, alpha, a, b} = params;
  if (t === 0) return 0;
  const z = t / (alpha + T + t);
  const logTail = (r + x) * Math.log((alpha + T) / (alpha + T + t)) + logHyp2f1(r + x, b + x, a + b + x - 1, z);
  const ifAlive = ((a + b + x - 1) / (a - 1)) * -Math.expm1(logTail);
  return ifAlive * inverseOnePlusExp(logDropoutOdds(params, x, tx, T));
}

/** P(alive | x, t_x, T), equation (13); 1 for customers without repeat purchases (they cannot have dropped out). */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  return inverseOnePlusExp(logDropoutOdds(params, x, tx, T));
}

/**
 * P(X(t) = n), equation (8): n purchases in (0, t] by a customer picked at random at their first purchase.
 */
export function probabilityOfPurchases(params: BgNbdParams, t: number, n: number): number {
  const {r, alpha, a, b} = params;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer (got ${n})`);
  if (t === 0) return n === 0 ? 1 : 0;
  const logStay = Math.log(alpha / (alpha + t)); // ln of the NBD's (α/(α + t))
  const logGo = Math.log(t / (alpha + t));
  // Still alive at t with n purchases: a negative-binomial count times P(no dropout after n purchases).
  const nbdTerm = (j: number): number => logGamma(r + j) - logGamma(r) - logGamma(j + 1) + r * logStay + j * logGo;
  const alive = Math.exp(logBeta(a, b + n) - logBeta(a, b) + nbdTerm(n));
  if (n === 0) return alive;
  // Dropped out after the n-th purchase, which happened before t: P(NBD count ≥ n).
  let below = 0;
  for (let j = 0; j < n; j++) below += Math.exp(nbdTerm(j));
  const dropped = Math.exp(logBeta(a + 1, b + n - 1) - logBeta(a, b)) * Math.max(0, 1 - below);
  return alive + dropped;
}

/** P(X(t) = 0) = (α/(α + t))^r. */
export function probabilityNoPurchases(params: BgNbdParams, t: number): number {
  return probabilityOfPurchases(params, t, 0);
}
