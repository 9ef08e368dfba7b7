// Distribution drift between a reference ("expected") and a current ("actual") sample: population stability
// index, Jensen-Shannon distance and the two-sample Kolmogorov-Smirnov statistic. Vectors in
// ../shared/reference/VECTORS.md.

import {quantileSorted} from "./scores.js";

export interface PsiOptions {
  /**
   * Floor for bin proportions (default 1e-4). A proportion below it is raised to it before the logarithm, so an
   * empty bin adds a large but finite term instead of ±Infinity. Proportions are not renormalised afterwards:
   * bins that are not empty contribute exactly the textbook term.
   */
  epsilon?: number;
}

export interface PsiSampleOptions extends PsiOptions {
  /** Number of quantile bins of the expected sample (default 10, deciles). */
  bins?: number;
}

export interface PsiResult {
  psi: number;
  /** Interior bin edges (right-closed bins, outer bins open-ended); empty when proportions were given. */
  edges: number[];
  /** Bin proportions before the epsilon floor. */
  expected: number[];
  actual: number[];
  /** Per-bin terms (A − E) · ln(A / E); they sum to psi. */
  contributions: number[];
}

export type PsiStatus = "green" | "amber" | "red";

const DEFAULT_EPSILON = 1e-4;

function checkValues(values: ArrayLike<number>, what: string, nonNegative: boolean): void {
  if (values.length === 0) throw new RangeError(`${what}: empty input`);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x) || (nonNegative && x < 0)) throw new RangeError(`${what}: value ${i} is ${x}`);
  }
}

function normalise(values: ArrayLike<number>, what: string): number[] {
  checkValues(values, what, true);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  if (!(total > 0)) throw new RangeError(`${what}: proportions must have a positive sum`);
  return Array.from(values, (x) => x / total);
}

/**
 * PSI = Σ (A_i − E_i) · ln(A_i / E_i) from bin proportions or counts (each side is divided by its sum).
 */
export function psiFromProportions(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  options: PsiOptions = {}
): PsiResult {
  const {epsilon = DEFAULT_EPSILON} = options;
  if (!(epsilon > 0)) throw new RangeError(`psi: epsilon must be > 0, got ${epsilon}`);
  if (expected.length !== actual.length) {
    throw new RangeError(`psi: ${expected.length} expected bins but ${actual.length} actual bins`);
  }
  const e = normalise(expected, "psi expected");
  const a = normalise(actual, "psi actual");
  const contributions = e.map((ei, i) => {
    const pe = Math.max(ei, epsilon);
    const pa = Math.max(a[i], epsilon);
    return (pa - pe) * Math.log(pa / pe);
  });
  const psi = contributions.reduce((sum, x) => sum + x, 0);
  return {psi, edges: [], expected: e, actual: a, contributions};
}

/**
 * PSI between two samples, binned at the expected sample's quantiles (numpy linear interpolation). Repeated
 * quantiles (many equal values) are merged, so there can be fewer bins than asked. Bins are right-closed and the
 * outer ones open-ended, so actual values outside the expected range still count.
 */
export function psiFromSamples(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  options: PsiSampleOptions = {}
): PsiResult {
  const {bins = 10} = options;
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`psi: bins must be an integer >= 2, got ${bins}`);
  checkValues(expected, "psi expected", false);
  checkValues(actual, "psi actual", false);
  const sorted = Float64Array.from(expected).sort();
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const edge = quantileSorted(sorted, i / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  const result = psiFromProportions(binCounts(expected, edges), binCounts(actual, edges), options);
  return {...result, edges};
}

/** Counts per bin: bin b holds edges[b − 1] < x <= edges[b], with −∞ and +∞ at the ends. */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] >= x) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
  }
  return counts;
}

/** Traffic light for a PSI: green below 0.1 (stable), amber 0.1 to 0.25 inclusive (moderate), red above 0.25. */
export function psiStatus(psi: number): PsiStatus {
  if (Number.isNaN(psi) || psi < 0) throw new RangeError(`psiStatus: PSI must be >= 0, got ${psi}`);
  if (psi < 0.1) return "green";
  if (psi <= 0.25) return "amber";
  return "red";
}

/**
 * Jensen-Shannon distance with natural logarithms (scipy.spatial.distance.jensenshannon): the square root of the
 * divergence, between 0 and sqrt(ln 2). Inputs are divided by their sums; 0 · ln 0 is taken as 0.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`jensenShannon: lengths differ (${p.length}, ${q.length})`);
  const a = normalise(p, "jensenShannon p");
  const b = normalise(q, "jensenShannon q");
  let divergence = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i] + b[i]) / 2;
    if (a[i] > 0) divergence += a[i] * Math.log(a[i] / m);
    if (b[i] > 0) divergence += b[i] * Math.log(b[i] / m);
  }
  // Rounding can make a zero divergence slightly negative.
  return Math.sqrt(Math.max(divergence / 2, 0));
}

/** Two-sample Kolmogorov-Smirnov statistic D = sup |F_a(x) − F_b(x)| over the empirical distribution functions. */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkValues(a, "ksStatistic a", false);
  checkValues(b, "ksStatistic b", false);
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    // Step past every copy of the smallest value on both sides before comparing, so ties are handled.
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    const gap = Math.abs(i / x.length - j / y.length);
    if (gap > d) d = gap;
  }
  return d;
}
