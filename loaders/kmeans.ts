// k-means++ through ml-kmeans, with seeded restarts keeping the lowest within-cluster sum of squares (ml-kmeans
// has no n_init, and without a seed it is not deterministic).
import {kmeans} from "ml-kmeans";

export interface KMeansFit {
  k: number;
  labels: Int32Array;
  centroids: number[][];
  sse: number;
  restarts: number;
  seed: number;
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += (a[j] - b[j]) ** 2;
  return sum;
}

/** Index of the nearest centroid; ties go to the lower index so assignment is deterministic. */
export function nearestCentroid(point: ArrayLike<number>, centroids: readonly ArrayLike<number>[]): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(point, centroids[c]);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

export function assignAll(points: readonly ArrayLike<number>[], centroids: readonly ArrayLike<number>[]): Int32Array {
  return Int32Array.from(points, (p) => nearestCentroid(p, centroids));
}

export function withinSse(points: readonly ArrayLike<number>[], labels: Int32Array, centroids: number[][]): number {
  let sse = 0;
  for (let i = 0; i < points.length; i++) sse += squaredDistance(points[i], centroids[labels[i]]);
  return sse;
}

/**
 * Orders clusters canonically (by first coordinate, then the next) so that the same partition always gets the
 * same ids, whatever the restart that found it.
 */
function canonical(centroids: number[][]): number[][] {
  return [...centroids].sort((a, b) => {
    for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j] - b[j];
    return 0;
  });
}

/** Lloyd iterations on all points from given centroids (a fit on a sample), instead of fresh restarts. */
export function refineKMeans(points: number[][], start: number[][], maxIterations = 100): KMeansFit {
  const result = kmeans(points, start.length, {initialization: start, maxIterations, tolerance: 1e-6});
  const centroids = canonical(result.centroids.map((c) => [...c]));
  const labels = assignAll(points, centroids);
  return {k: start.length, labels, centroids, sse: withinSse(points, labels, centroids), restarts: 1, seed: 0};
}

export function fitKMeans(
  points: number[][],
  k: number,
  {restarts = 10, seed = 1, maxIterations = 100}: {restarts?: number; seed?: number; maxIterations?: number} = {}
): KMeansFit {
  if (k < 1 || k > points.length) throw new RangeError(`k = ${k} needs between 1 and ${points.length} clusters`);
  let best: KMeansFit | undefined;
  for (let r = 0; r < restarts; r++) {
    const result = kmeans(points, k, {initialization: "kmeans++", seed: seed + r, maxIterations, tolerance: 1e-6});
    const centroids = canonical(result.centroids.map((c) => [...c]));
    // Labels from the final centroids, the same rule scoring uses.
    const labels = assignAll(points, centroids);
    const sse = withinSse(points, labels, centroids);
    if (!best || sse < best.sse - 1e-9) best = {k, labels, centroids, sse, restarts, seed};
  }
  return best!;
}
