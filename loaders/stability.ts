// Stability by bootstrap: refit on resamples, assign every customer to the nearest refitted centroid and compare
// with the reference partition by adjusted Rand index. Near 1: the clusters are a property of the data.
import {adjustedRandIndex} from "./cluster-quality.js";
import {assignAll, fitKMeans} from "./kmeans.js";
import {createRandom} from "./random.js";

export interface Stability {
  bootstraps: number;
  meanAri: number;
  minAri: number;
  aris: number[];
}

export function bootstrapStability(
  points: number[][],
  reference: Int32Array,
  k: number,
  {bootstraps = 10, seed = 7, restarts = 3, sampleSize = Math.min(points.length, 3000)} = {}
): Stability {
  const random = createRandom(seed);
  const aris: number[] = [];
  for (let b = 0; b < bootstraps; b++) {
    const sample = Array.from({length: sampleSize}, () => points[random.integer(0, points.length - 1)]);
    const fit = fitKMeans(sample, k, {restarts, seed: seed + 100 * b});
    aris.push(adjustedRandIndex(reference, assignAll(points, fit.centroids)));
  }
  return {
    bootstraps,
    meanAri: aris.reduce((s, a) => s + a, 0) / aris.length,
    minAri: Math.min(...aris),
    aris
  };
}
