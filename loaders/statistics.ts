// Descriptive statistics and correlations for the statistics page, and the one entry point to the registry
// statistics (statistics-registry.ts) and the analyst questions answered by hypothesis tests
// (statistics-questions.ts). Pure, deterministic functions of their inputs.

import {averageRanks, sortedCopy} from "./hypothesis.js";
import {quantileSorted} from "./scores.js";

export * from "./statistics-registry.js";
export * from "./statistics-questions.js";

export interface Description {
  /** Values that are finite numbers. */
  count: number;
  /** null, undefined, NaN and ±Infinity. */
  missing: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null below two values. */
  sd: number | null;
  min: number | null;
  p05: number | null;
  p25: number | null;
  median: number | null;
  p75: number | null;
  p95: number | null;
  max: number | null;
  /** Adjusted Fisher-Pearson sample skewness G1, as pandas Series.skew(); null below three values or if constant. */
  skewness: number | null;
  /** Excess kurtosis G2, as pandas Series.kurt(); null below four values or if constant. */
  kurtosis: number | null;
}

/**
 * count, mean, sample sd, quantiles (linear interpolation, as numpy and pandas), skewness and excess kurtosis of
 * the finite values. Skewness and kurtosis of a constant sample are undefined (null; NaN in pandas 3).
 */
export function describe(values: ArrayLike<number | null | undefined>): Description {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const xs = new Float64Array(n);
  for (let i = 0, k = 0; i < values.length; i++) if (Number.isFinite(values[i])) xs[k++] = values[i] as number;
  const missing = values.length - n;
  if (n === 0) {
    return {
      count: 0,
      missing,
      ...{mean: null, sd: null, min: null, p05: null, p25: null, median: null, p75: null, p95: null, max: null},
      ...{skewness: null, kurtosis: null}
    };
  }
  const sorted = sortedCopy(xs);
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const q = (p: number) => quantileSorted(sorted, p);
  // A sum of squares at the level of the summation's rounding noise (deviations of n·ε·max|x|) is a constant
  // column: 0.1 seven times leaves m2 ≈ 1e-33, not 0.
  const noise = n * Number.EPSILON * Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]));
  const flat = m2 <= noise * noise * n;
  return {
    count: n,
    missing,
    mean,
    sd: n >= 2 ? Math.sqrt(m2 / (n - 1)) : null,
    min: sorted[0],
    p05: q(0.05),
    p25: q(0.25),
    median: q(0.5),
    p75: q(0.75),
    p95: q(0.95),
    max: sorted[n - 1],
    skewness: n < 3 || flat ? null : ((n * Math.sqrt(n - 1)) / (n - 2)) * (m3 / m2 ** 1.5),
    kurtosis:
      n < 4 || flat
        ? null
        : (n * (n + 1) * (n - 1) * m4) / ((n - 2) * (n - 3) * m2 * m2) - (3 * (n - 1) ** 2) / ((n - 2) * (n - 3))
  };
}

export type CorrelationMethod = "pearson" | "spearman";

export interface CorrelationCell {
  x: string;
  y: string;
  /** Correlation coefficient; null when fewer than two pairs or a column is constant over them. */
  r: number | null;
  /** Pairs where both values are finite (pairwise deletion, as pandas DataFrame.corr). */
  n: number;
}

function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const n = x.length;
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Pearson or Spearman (Pearson on average ranks) correlation of two columns over their complete pairs. */
export function correlation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  method: CorrelationMethod = "pearson"
): {r: number | null; n: number} {
  if (x.length !== y.length) throw new RangeError(`correlation: columns of length ${x.length} and ${y.length}`);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i]);
      ys.push(y[i]);
    }
  }
  if (method === "spearman") return {r: pearson(averageRanks(xs).ranks, averageRanks(ys).ranks), n: xs.length};
  return {r: pearson(xs, ys), n: xs.length};
}

/**
 * The correlation matrix in long form, one cell per ordered pair of columns (diagonal included, so a heatmap can
 * draw it directly), rows in column order. Columns must have equal lengths; non-finite values drop their pair.
 */
export function correlationMatrix(
  columns: Readonly<Record<string, ArrayLike<number>>>,
  method: CorrelationMethod = "pearson"
): CorrelationCell[] {
  const names = Object.keys(columns);
  const cells: CorrelationCell[] = [];
  const cache = new Map<string, {r: number | null; n: number}>();
  // Complete columns (the usual case) have the same pairs for every cell: rank each column once, not per pair.
  const length = names.length ? columns[names[0]].length : 0;
  const complete = names.every(
    (name) => columns[name].length === length && Array.prototype.every.call(columns[name], Number.isFinite)
  );
  const ranked =
    complete && method === "spearman"
      ? Object.fromEntries(names.map((name) => [name, averageRanks(columns[name]).ranks]))
      : null;
  const pair = (x: string, y: string) =>
    ranked ? {r: pearson(ranked[x], ranked[y]), n: ranked[x].length} : correlation(columns[x], columns[y], method);
  names.forEach((x, i) =>
    names.forEach((y, j) => {
      const key = i <= j ? `${i},${j}` : `${j},${i}`;
      let value = cache.get(key);
      if (!value) cache.set(key, (value = pair(x, y)));
      // A column with itself correlates perfectly unless it is constant or nearly empty.
      cells.push({x, y, r: i === j && value.r !== null ? 1 : value.r, n: value.n});
    })
  );
  return cells;
}
