// Comparing k-means with Ward agglomerative clustering and a diagonal Gaussian mixture (issue 4, item 7). All three
// run on the same points — a seeded sample of at most `sample` customers, because Ward needs O(n²) memory and time
// and an exact silhouette costs O(n²) too — and are scored with the same indices: silhouette, Calinski-Harabasz and
// Davies-Bouldin from cluster-quality.ts, fit time, and what the method costs to keep: its parameter count and
// whether it can score a new customer on its own. Each row is one experiment-log record once the caller adds the
// data checksum and the date of the run.
import {calinskiHarabasz, daviesBouldin, silhouetteScore} from "./cluster-quality.js";
import {fitGmm} from "./gmm.js";
import {fitKMeans} from "./kmeans.js";
import {createRandom} from "./random.js";
import {wardClustering} from "./ward.js";

export type ClusterMethod = "k-means" | "ward" | "gmm";

export interface MethodRow {
  method: ClusterMethod;
  /** Hyperparameters of the run, including n, the points it was fitted and scored on. */
  params: Record<string, number | string | boolean>;
  /** NaN when the method left fewer than two non-empty clusters. */
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  /** Wall-clock fit time in milliseconds (not the scoring). */
  ms: number;
  /** Whether the fitted model assigns a customer it has not seen. */
  scoresNewCustomers: boolean;
  /** Numbers a deployed model must store to assign customers. */
  parameters: number;
  note: string;
}

export interface CompareOptions {
  seed: number;
  /** Largest number of points compared (default 2000); above it a seeded sample is used by every method. */
  sample?: number;
  /** k-means restarts, for k-means itself and for the mixture's initialisation (default 10). */
  restarts?: number;
}

export interface MethodChoice {
  method: ClusterMethod;
  reason: string;
}

function score(points: number[][], labels: Int32Array) {
  if (new Set(labels).size < 2) return {silhouette: NaN, calinskiHarabasz: NaN, daviesBouldin: NaN};
  return {
    silhouette: silhouetteScore(points, labels),
    calinskiHarabasz: calinskiHarabasz(points, labels),
    daviesBouldin: daviesBouldin(points, labels)
  };
}

function timed<T>(fit: () => T): {value: T; ms: number} {
  const start = performance.now();
  const value = fit();
  return {value, ms: performance.now() - start};
}

/** The points every method sees: all of them up to `limit`, otherwise a seeded sample in original order. */
export function comparisonSample(points: number[][], limit: number, seed: number): number[][] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`compare: sample must be an integer >= 2`);
  if (points.length <= limit) return points;
  const chosen = createRandom(seed).sampleIndices(points.length, limit).sort();
  return Array.from(chosen, (i) => points[i]);
}

export function compareClusterMethods(points: number[][], k: number, options: CompareOptions): MethodRow[] {
  const {seed, sample = 2000, restarts = 10} = options;
  const data = comparisonSample(points, sample, seed);
  const n = data.length;
  if (!Number.isInteger(k) || k < 2 || k > n - 1) throw new RangeError(`compare: k = ${k} needs 2 to n − 1 = ${n - 1}`);
  const dim = data[0].length;

  const kmeans = timed(() => fitKMeans(data, k, {seed, restarts}));
  const ward = timed(() => wardClustering(data, k));
  const gmm = timed(() => fitGmm(data, k, {seed, restarts}));

  return [
    {
      method: "k-means",
      params: {k, n, restarts, seed, init: "k-means++"},
      ...score(data, kmeans.value.labels),
      ms: kmeans.ms,
      scoresNewCustomers: true,
      parameters: k * dim,
      note: `${k} centroids; a new customer goes to the nearest one`
    },
    {
      method: "ward",
      params: {k, n, linkage: "ward", metric: "euclidean"},
      ...score(data, ward.value),
      ms: ward.ms,
      scoresNewCustomers: false,
      parameters: k * dim,
      note:
        `no model of its own: O(n²) memory and time on the sample; scoring a new customer needs an added ` +
        `nearest-centroid rule over its ${k} cluster means, which is k-means' rule without its optimisation`
    },
    {
      method: "gmm",
      params: {k, n, covariance: "diag", reg: 1e-6, tol: 1e-4, seed, restarts, iterations: gmm.value.iterations},
      ...score(data, gmm.value.labels),
      ms: gmm.ms,
      scoresNewCustomers: true,
      parameters: gmm.value.parameters,
      note:
        `${k} weights, means and diagonal variances (${gmm.value.converged ? "converged" : "not converged"} after ` +
        `${gmm.value.iterations} EM iterations, BIC ${gmm.value.bic.toFixed(1)}); a new customer goes to the most ` +
        `probable component; the fit time includes its k-means initialisation`
    }
  ];
}

/**
 * The rule: the best silhouette wins, unless the simplest method that can score new customers (fewest
 * parameters; k-means before the mixture on a tie) is within `margin` (0.02) of it — then the simpler method wins,
 * because the difference is within what another sample or seed would change and it is cheaper to keep and explain.
 * Rows without a silhouette are ignored; equal silhouettes keep table order.
 */
export function chooseMethod(rows: readonly MethodRow[], {margin = 0.02} = {}): MethodChoice {
  const valid = rows.filter((r) => Number.isFinite(r.silhouette));
  if (valid.length === 0) throw new RangeError("chooseMethod: no method produced a silhouette");
  let best = valid[0];
  for (const r of valid) if (r.silhouette > best.silhouette) best = r;
  let simplest: MethodRow | undefined;
  for (const r of valid) if (r.scoresNewCustomers && (!simplest || r.parameters < simplest.parameters)) simplest = r;
  const fmt = (r: MethodRow) => `${r.method} (silhouette ${r.silhouette.toFixed(3)}, ${r.parameters} parameters)`;
  // The 1e-12 slack keeps a gap of exactly `margin` (0.52 − 0.50 in binary) on the simpler side.
  if (simplest && best.silhouette - simplest.silhouette <= margin + 1e-12) {
    const reason =
      simplest === best
        ? `${fmt(best)} has the best silhouette and is the simplest method that scores new customers`
        : `${fmt(simplest)} is within ${margin} of the best, ${fmt(best)}, and is the simplest method that scores ` +
          `new customers, so it wins`;
    return {method: simplest.method, reason};
  }
  const lead = simplest ? ` leads ${fmt(simplest)} by more than ${margin}` : " has the best silhouette";
  const caveat = best.scoresNewCustomers
    ? ""
    : "; scoring new customers needs a nearest-centroid rule over its clusters";
  return {method: best.method, reason: `${fmt(best)}${lead}${caveat}`};
}
