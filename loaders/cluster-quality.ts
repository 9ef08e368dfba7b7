// Clustering quality indices with scikit-learn's definitions (Euclidean distance), checked against the vectors in
// ../shared/reference/VECTORS.md. simple-statistics' silhouette uses other definitions, hence this module.

import {createRandom} from "./random.js";

/** Rows of equal length: number[][] or Float64Array[]. */
export type Points = readonly ArrayLike<number>[];
/** One cluster label per row; any numbers or strings. */
export type Labels = ArrayLike<number> | readonly string[];

export interface SampledSilhouette {
  /** Mean silhouette of the sampled points, each measured against all points. */
  score: number;
  sampleSize: number;
  /** Standard error of the mean, with the finite-population correction; 0 when every point was used. */
  standardError: number;
}

export interface SampledSilhouetteOptions {
  /** Points to sample (default 1000); at or above n the exact score is returned. */
  sampleSize?: number;
  seed?: number;
}

interface Prepared {
  n: number;
  dim: number;
  /** Row-major n × dim. */
  data: Float64Array;
  /** Labels recoded to 0..k-1 in order of first appearance. */
  labels: Int32Array;
  k: number;
  sizes: Int32Array;
}

function encodeLabels(labels: Labels): {codes: Int32Array; k: number; sizes: Int32Array} {
  const codes = new Int32Array(labels.length);
  const index = new Map<number | string, number>();
  const counts: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    let code = index.get(label);
    if (code === undefined) {
      code = counts.length;
      index.set(label, code);
      counts.push(0);
    }
    counts[code]++;
    codes[i] = code;
  }
  return {codes, k: counts.length, sizes: Int32Array.from(counts)};
}

function prepare(points: Points, labels: Labels, what: string): Prepared {
  const n = points.length;
  if (labels.length !== n) throw new RangeError(`${what}: ${n} points but ${labels.length} labels`);
  if (n === 0) throw new RangeError(`${what}: no points`);
  const dim = points[0].length;
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const row = points[i];
    if (row.length !== dim) throw new RangeError(`${what}: row ${i} has ${row.length} values, expected ${dim}`);
    for (let d = 0; d < dim; d++) {
      const x = row[d];
      if (!Number.isFinite(x)) throw new RangeError(`${what}: point ${i} has non-finite value ${x}`);
      data[i * dim + d] = x;
    }
  }
  const {codes, k, sizes} = encodeLabels(labels);
  return {n, dim, data, labels: codes, k, sizes};
}

// scikit-learn requires 2 <= number of clusters <= n - 1 for silhouette, Calinski-Harabasz and Davies-Bouldin.
function checkClusterCount(p: Prepared, what: string): void {
  if (p.k < 2 || p.k > p.n - 1) {
    throw new RangeError(`${what}: number of clusters is ${p.k}; valid values are 2 to n - 1 = ${p.n - 1}`);
  }
}

/** Adds the distance from point i to every other point into its cluster's sum (the sampled silhouette's loop). */
function sumDistances(data: Float64Array, dim: number, i: number, codes: ArrayLike<number>, sums: Float64Array): void {
  const n = data.length / dim;
  if (dim === 3) {
    // The RFM features: the loop unrolled, the hottest code of model health over time.
    const x = data[3 * i];
    const y = data[3 * i + 1];
    const z = data[3 * i + 2];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = data[3 * j] - x;
      const dy = data[3 * j + 1] - y;
      const dz = data[3 * j + 2] - z;
      sums[codes[j]] += Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
    return;
  }
  for (let j = 0; j < n; j++) if (j !== i) sums[codes[j]] += distance(data, dim, i, j);
}

function distance(data: Float64Array, dim: number, i: number, j: number): number {
  let sum = 0;
  const a = i * dim;
  const b = j * dim;
  for (let d = 0; d < dim; d++) {
    const diff = data[a + d] - data[b + d];
    sum += diff * diff;
  }
  return Math.sqrt(sum);
}

/** s = (b − a) / max(a, b) from a point's summed distances to each cluster; singletons and a = b = 0 give 0. */
function silhouetteOf(sums: Float64Array, offset: number, own: number, sizes: Int32Array, k: number): number {
  if (sizes[own] <= 1) return 0;
  const a = sums[offset + own] / (sizes[own] - 1);
  let b = Infinity;
  for (let c = 0; c < k; c++) {
    if (c === own) continue;
    const mean = sums[offset + c] / sizes[c];
    if (mean < b) b = mean;
  }
  const denominator = Math.max(a, b);
  return denominator > 0 ? (b - a) / denominator : 0;
}

/**
 * Silhouette of every point (sklearn.metrics.silhouette_samples). O(n²) distance evaluations, each pair once,
 * and O(n·k) memory for the per-cluster distance sums: fine up to a few thousand points.
 */
export function silhouetteSamples(points: Points, labels: Labels): Float64Array {
  const p = prepare(points, labels, "silhouetteSamples");
  checkClusterCount(p, "silhouetteSamples");
  const {n, dim, data, k, sizes} = p;
  const codes = p.labels;
  const sums = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const ci = codes[i];
    for (let j = i + 1; j < n; j++) {
      const d = distance(data, dim, i, j);
      sums[i * k + codes[j]] += d;
      sums[j * k + ci] += d;
    }
  }
  const result = new Float64Array(n);
  for (let i = 0; i < n; i++) result[i] = silhouetteOf(sums, i * k, codes[i], sizes, k);
  return result;
}

/** Mean silhouette (sklearn.metrics.silhouette_score without sample_size). */
export function silhouetteScore(points: Points, labels: Labels): number {
  const samples = silhouetteSamples(points, labels);
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i];
  return sum / samples.length;
}

/**
 * Silhouette estimated from a seeded random sample of points, each scored against all n points: an unbiased
 * estimate of the exact score (unlike sklearn's sample_size, which scores the sample against itself only).
 * Cost O(sampleSize · n).
 */
export function silhouetteSampled(
  points: Points,
  labels: Labels,
  options: SampledSilhouetteOptions = {}
): SampledSilhouette {
  const {sampleSize = 1000, seed = 0} = options;
  if (!Number.isInteger(sampleSize) || sampleSize < 2) {
    throw new RangeError(`silhouetteSampled: sampleSize must be an integer >= 2, got ${sampleSize}`);
  }
  if (sampleSize >= points.length) {
    return {score: silhouetteScore(points, labels), sampleSize: points.length, standardError: 0};
  }
  const p = prepare(points, labels, "silhouetteSampled");
  checkClusterCount(p, "silhouetteSampled");
  const {n, dim, data, k, sizes} = p;
  const codes = p.labels;
  const chosen = createRandom(seed).sampleIndices(n, sampleSize);
  const sums = new Float64Array(k);
  let mean = 0;
  let m2 = 0;
  for (let s = 0; s < sampleSize; s++) {
    const i = chosen[s];
    sums.fill(0);
    sumDistances(data, dim, i, codes, sums);
    const value = silhouetteOf(sums, 0, codes[i], sizes, k);
    // Welford's running variance.
    const delta = value - mean;
    mean += delta / (s + 1);
    m2 += delta * (value - mean);
  }
  const variance = m2 / (sampleSize - 1);
  const correction = (n - sampleSize) / (n - 1);
  return {score: mean, sampleSize, standardError: Math.sqrt((variance / sampleSize) * correction)};
}

function centroids(p: Prepared): Float64Array {
  const {n, dim, data, labels, k, sizes} = p;
  const result = new Float64Array(k * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) result[labels[i] * dim + d] += data[i * dim + d];
  for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) result[c * dim + d] /= sizes[c];
  return result;
}

/** Calinski-Harabasz: between- over within-cluster dispersion, times (n − k) / (k − 1); 1 when within is 0. */
export function calinskiHarabasz(points: Points, labels: Labels): number {
  const p = prepare(points, labels, "calinskiHarabasz");
  checkClusterCount(p, "calinskiHarabasz");
  const {n, dim, data, k, sizes} = p;
  const centers = centroids(p);
  const overall = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) overall[d] += data[i * dim + d];
  for (let d = 0; d < dim; d++) overall[d] /= n;
  let between = 0;
  for (let c = 0; c < k; c++) {
    let squared = 0;
    for (let d = 0; d < dim; d++) squared += (centers[c * dim + d] - overall[d]) ** 2;
    between += sizes[c] * squared;
  }
  let within = 0;
  for (let i = 0; i < n; i++) {
    const c = p.labels[i];
    for (let d = 0; d < dim; d++) within += (data[i * dim + d] - centers[c * dim + d]) ** 2;
  }
  return within === 0 ? 1 : (between * (n - k)) / (within * (k - 1));
}

/** Davies-Bouldin: mean over clusters of the worst (s_i + s_j) / d(c_i, c_j); lower is better. */
export function daviesBouldin(points: Points, labels: Labels): number {
  const p = prepare(points, labels, "daviesBouldin");
  checkClusterCount(p, "daviesBouldin");
  const {n, dim, data, k, sizes} = p;
  const centers = centroids(p);
  const spread = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = p.labels[i];
    let squared = 0;
    for (let d = 0; d < dim; d++) squared += (data[i * dim + d] - centers[c * dim + d]) ** 2;
    spread[c] += Math.sqrt(squared);
  }
  for (let c = 0; c < k; c++) spread[c] /= sizes[c];
  const between = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) between[a * k + b] = distance(centers, dim, a, b);
  // sklearn returns 0 when all spreads or all centroid distances are ~0 (np.allclose with atol 1e-8).
  const allNearZero = (values: Float64Array) => values.every((v) => Math.abs(v) <= 1e-8);
  if (allNearZero(spread) || allNearZero(between)) return 0;
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (b === a) continue;
      const d = between[a * k + b];
      // Coincident centroids count as infinitely far apart, as in sklearn.
      const ratio = d === 0 ? 0 : (spread[a] + spread[b]) / d;
      if (ratio > worst) worst = ratio;
    }
    total += worst;
  }
  return total / k;
}

/**
 * Adjusted Rand index (sklearn.metrics.adjusted_rand_score) from the pair confusion matrix; symmetric,
 * 1 for identical partitions up to renaming, about 0 for chance agreement, may be negative.
 */
export function adjustedRandIndex(labelsTrue: Labels, labelsPred: Labels): number {
  const n = labelsTrue.length;
  if (labelsPred.length !== n) throw new RangeError(`adjustedRandIndex: ${n} true labels but ${labelsPred.length}`);
  const a = encodeLabels(labelsTrue);
  const b = encodeLabels(labelsPred);
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = a.codes[i] * b.k + b.codes[i];
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  // Ordered-pair counts, as sklearn.metrics.cluster.pair_confusion_matrix.
  let sumSquares = 0;
  let rowDot = 0; // Σ n_ij · (size of pred cluster j)
  let colDot = 0; // Σ n_ij · (size of true cluster i)
  for (const [key, count] of cells) {
    const i = Math.floor(key / b.k);
    const j = key - i * b.k;
    sumSquares += count * count;
    rowDot += count * b.sizes[j];
    colDot += count * a.sizes[i];
  }
  const tp = sumSquares - n;
  const fp = rowDot - sumSquares;
  const fn = colDot - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
