// Hypothesis tests for the statistics page: chi-square independence, Welch's t and Kruskal-Wallis, with p-values
// from the distribution functions of statistics-distributions.ts (no statistics library involved), and
// plainReading (statistics-reading.ts) to turn a result into one sentence for analysts.

import {ascendingOrder} from "./radix-sort.js";
import {chiSquareSf, studentTTwoSidedP} from "./statistics-distributions.js";

export {
  chiSquareSf,
  fSf,
  incompleteBetaPair,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
  studentTSf,
  studentTTwoSidedP
} from "./statistics-distributions.js";
export {plainReading, type ReadingLabels} from "./statistics-reading.js";

export interface ChiSquareResult {
  test: "chi-square";
  statistic: number;
  df: number;
  pValue: number;
  /** Cramér's V = sqrt(χ² / (n · (min(r, c) − 1))) over the rows and columns used. */
  cramersV: number;
  /** Expected counts under independence, same shape as the input (0 in empty rows and columns). */
  expected: number[][];
  /** Grand total. */
  n: number;
  /** Rows and columns with a non-zero total (the others are skipped). */
  rows: number;
  columns: number;
  /** Share of the used cells whose expected count is below 5. */
  lowExpectedShare: number;
  /** True when more than 20% of the used cells expect fewer than 5: the chi-square approximation is doubtful. */
  lowExpected: boolean;
}

/**
 * Pearson's chi-square test of independence on a contingency table of counts (no Yates correction, like
 * scipy.stats.chi2_contingency(table, correction=False)). Rows and columns that sum to zero are skipped; a table
 * left with fewer than two rows or columns has df 0 and a NaN p-value.
 */
export function chiSquareIndependence(table: readonly (readonly number[])[]): ChiSquareResult {
  const width = table[0]?.length ?? 0;
  const rowTotals = new Array<number>(table.length).fill(0);
  const columnTotals = new Array<number>(width).fill(0);
  table.forEach((row, i) => {
    if (row.length !== width) {
      throw new RangeError(`chiSquareIndependence: row ${i} has ${row.length} cells, not ${width}`);
    }
    row.forEach((count, j) => {
      if (!(count >= 0) || !Number.isFinite(count)) {
        throw new RangeError(`chiSquareIndependence: cell [${i}][${j}] is ${count}, expected a count ≥ 0`);
      }
      rowTotals[i] += count;
      columnTotals[j] += count;
    });
  });
  const n = rowTotals.reduce((s, v) => s + v, 0);
  const rows = rowTotals.filter((v) => v > 0).length;
  const columns = columnTotals.filter((v) => v > 0).length;
  const expected = table.map((_, i) => columnTotals.map((c) => (n > 0 ? (rowTotals[i] * c) / n : 0)));
  let statistic = 0;
  let low = 0;
  table.forEach((row, i) =>
    row.forEach((observed, j) => {
      const e = expected[i][j];
      if (!(rowTotals[i] > 0 && columnTotals[j] > 0)) return;
      statistic += ((observed - e) * (observed - e)) / e;
      if (e < 5) low++;
    })
  );
  const df = rows >= 2 && columns >= 2 ? (rows - 1) * (columns - 1) : 0;
  const lowExpectedShare = rows * columns > 0 ? low / (rows * columns) : 0;
  return {
    test: "chi-square",
    statistic,
    df,
    pValue: df > 0 ? chiSquareSf(statistic, df) : NaN,
    cramersV: df > 0 ? Math.sqrt(statistic / (n * (Math.min(rows, columns) - 1))) : NaN,
    expected,
    n,
    rows,
    columns,
    lowExpectedShare,
    lowExpected: lowExpectedShare > 0.2
  };
}

function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

function meanAndVariance(values: readonly number[]): {mean: number; variance: number} {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const squares = values.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  return {mean, variance: squares / (values.length - 1)};
}

export interface WelchResult {
  test: "welch";
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  pValue: number;
  /** mean(a) − mean(b). */
  meanDiff: number;
  meanA: number;
  meanB: number;
  nA: number;
  nB: number;
  /** meanDiff / sqrt((var(a) + var(b)) / 2), the standardized difference. */
  cohensD: number;
}

/**
 * Welch's two-sample t test (unequal variances; scipy.stats.ttest_ind(a, b, equal_var=False)), two-sided.
 * Non-finite values are ignored; each sample needs at least two values, otherwise the result is NaN.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  const x = finite(a);
  const y = finite(b);
  const base = {test: "welch" as const, nA: x.length, nB: y.length};
  if (x.length < 2 || y.length < 2) {
    const meanA = x.length ? x.reduce((s, v) => s + v, 0) / x.length : NaN;
    const meanB = y.length ? y.reduce((s, v) => s + v, 0) / y.length : NaN;
    return {...base, t: NaN, df: NaN, pValue: NaN, meanDiff: meanA - meanB, meanA, meanB, cohensD: NaN};
  }
  const {mean: meanA, variance: varA} = meanAndVariance(x);
  const {mean: meanB, variance: varB} = meanAndVariance(y);
  const meanDiff = meanA - meanB;
  const sa = varA / x.length;
  const sb = varB / y.length;
  const se = Math.sqrt(sa + sb);
  const cohensD = meanDiff / Math.sqrt((varA + varB) / 2);
  if (se === 0) {
    // Two constant samples: equal means give no evidence at all, different means are certainly different.
    const t = meanDiff === 0 ? NaN : meanDiff > 0 ? Infinity : -Infinity;
    return {...base, t, df: x.length + y.length - 2, pValue: meanDiff === 0 ? NaN : 0, meanDiff, meanA, meanB, cohensD};
  }
  const t = meanDiff / se;
  const df = ((sa + sb) * (sa + sb)) / ((sa * sa) / (x.length - 1) + (sb * sb) / (y.length - 1));
  return {...base, t, df, pValue: studentTTwoSidedP(t, df), meanDiff, meanA, meanB, cohensD};
}

/** Ranks 1..n with ties given their average rank, and the sizes of the tie groups (for tie corrections). */
export function averageRanks(values: ArrayLike<number>): {ranks: Float64Array; ties: number[]} {
  const input = values instanceof Float64Array ? values : Float64Array.from(values);
  const n = input.length;
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  const range = wholeRange(input);
  if (range) {
    // Whole numbers over a narrow range: each value's average rank from the counts below it.
    const counts = new Int32Array(range.max - range.min + 1);
    for (let i = 0; i < n; i++) counts[input[i] - range.min]++;
    const rankOf = new Float64Array(counts.length);
    for (let v = 0, below = 0; v < counts.length; v++) {
      rankOf[v] = (2 * below + 1 + counts[v]) / 2;
      if (counts[v] > 1) ties.push(counts[v]);
      below += counts[v];
    }
    for (let i = 0; i < n; i++) ranks[i] = rankOf[input[i] - range.min];
    return {ranks, ties};
  }
  // Otherwise the order of a radix sort, walked once to give each run of equal values its average rank.
  const order = ascendingOrder(input);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && input[order[end]] === input[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    if (end - start > 1) ties.push(end - start);
    start = end;
  }
  return {ranks, ties};
}

/** min and max when every value is a whole number and the range is not much wider than the count; else null. */
function wholeRange(values: Float64Array): {min: number; max: number} | null {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || Object.is(v, -0)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return n >= 1024 && max - min <= 4 * n ? {min, max} : null;
}

/**
 * The values in ascending order. Whole numbers over a range not much wider than their count (days, counts) are
 * counted into place in linear time; anything else goes through the native sort.
 */
export function sortedCopy(values: Float64Array): Float64Array {
  const range = wholeRange(values);
  if (!range) return values.slice().sort();
  const counts = new Int32Array(range.max - range.min + 1);
  for (let i = 0; i < values.length; i++) counts[values[i] - range.min]++;
  const out = new Float64Array(values.length);
  for (let v = 0, k = 0; v < counts.length; v++) out.fill(v + range.min, k, (k += counts[v]));
  return out;
}

export interface KruskalWallisResult {
  test: "kruskal-wallis";
  /** H corrected for ties (scipy.stats.kruskal). */
  H: number;
  df: number;
  pValue: number;
  /** Effect size ε² = H / (n − 1), between 0 and 1. */
  epsilonSquared: number;
  n: number;
  /** Non-empty groups compared. */
  groups: number;
}

/**
 * Kruskal-Wallis H test that the groups come from the same distribution. Non-finite values are ignored and empty
 * groups skipped; fewer than two groups, or all values equal, give a NaN statistic and p-value.
 */
export function kruskalWallis(groups: readonly (readonly number[])[]): KruskalWallisResult {
  const samples = groups.map(finite).filter((g) => g.length > 0);
  const all = samples.flat();
  const n = all.length;
  const {ranks, ties} = averageRanks(all);
  let sum = 0;
  let offset = 0;
  for (const g of samples) {
    let rankSum = 0;
    for (let i = 0; i < g.length; i++) rankSum += ranks[offset + i];
    sum += (rankSum * rankSum) / g.length;
    offset += g.length;
  }
  const correction = 1 - ties.reduce((s, t) => s + t * t * t - t, 0) / (n * n * n - n);
  const df = samples.length - 1;
  const valid = df >= 1 && correction > 0;
  const H = valid ? ((12 / (n * (n + 1))) * sum - 3 * (n + 1)) / correction : NaN;
  return {
    test: "kruskal-wallis",
    H,
    df,
    pValue: valid ? chiSquareSf(H, df) : NaN,
    epsilonSquared: valid ? H / (n - 1) : NaN,
    n,
    groups: samples.length
  };
}

export type TestResult = ChiSquareResult | WelchResult | KruskalWallisResult;
