// Choosing k: every k from 2 to 10 is fitted and scored on silhouette (higher is better), Calinski-Harabasz
// (higher) and Davies-Bouldin (lower). The chosen k has the best mean rank over the three within the actionable
// range (3 to 8 by default: two groups are too coarse to act on, more than eight too many for a team to own);
// ties go to the smaller k. The reason is kept in words for the model page.
import {calinskiHarabasz, daviesBouldin, silhouetteSampled, silhouetteScore} from "./cluster-quality.js";
import {fitKMeans, type KMeansFit} from "./kmeans.js";

export interface KScore {
  k: number;
  sse: number;
  silhouette: number;
  silhouetteSampleSize: number;
  silhouetteError: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  meanRank: number;
}

export interface Selection {
  k: number;
  reason: string;
  scores: KScore[];
  fit: KMeansFit;
}

/** Exact silhouette up to this many points; a seeded sample with its standard error above. */
export const exactSilhouetteLimit = 3000;

export function scorePartition(points: number[][], labels: Int32Array, seed = 1) {
  const exact = points.length <= exactSilhouetteLimit;
  const sampled = exact ? undefined : silhouetteSampled(points, labels, {sampleSize: 2000, seed});
  return {
    silhouette: exact ? silhouetteScore(points, labels) : sampled!.score,
    silhouetteSampleSize: exact ? points.length : sampled!.sampleSize,
    silhouetteError: exact ? 0 : sampled!.standardError,
    calinskiHarabasz: calinskiHarabasz(points, labels),
    daviesBouldin: daviesBouldin(points, labels)
  };
}

function ranks(values: number[], higherIsBetter: boolean): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => (higherIsBetter ? b[0] - a[0] : a[0] - b[0]));
  const out = new Array<number>(values.length);
  order.forEach(([, i], rank) => (out[i] = rank + 1));
  return out;
}

export function selectK(
  points: number[][],
  {kMin = 2, kMax = 10, restarts = 10, seed = 1, chooseMin = 3, chooseMax = 8} = {}
): Selection {
  const fits: KMeansFit[] = [];
  const partial: Omit<KScore, "meanRank">[] = [];
  for (let k = kMin; k <= Math.min(kMax, points.length - 1); k++) {
    const fit = fitKMeans(points, k, {restarts, seed});
    fits.push(fit);
    partial.push({k, sse: fit.sse, ...scorePartition(points, fit.labels, seed)});
  }
  const rs = ranks(
    partial.map((s) => s.silhouette),
    true
  );
  const rc = ranks(
    partial.map((s) => s.calinskiHarabasz),
    true
  );
  const rd = ranks(
    partial.map((s) => s.daviesBouldin),
    false
  );
  const scores = partial.map((s, i) => ({...s, meanRank: (rs[i] + rc[i] + rd[i]) / 3}));
  const candidates = scores.map((_, i) => i).filter((i) => scores[i].k >= chooseMin && scores[i].k <= chooseMax);
  if (candidates.length === 0) candidates.push(...scores.map((_, i) => i));
  let best = candidates[0];
  for (const i of candidates) if (scores[i].meanRank < scores[best].meanRank - 1e-12) best = i;
  const s = scores[best];
  const reason =
    `k = ${s.k} has the best mean rank (${s.meanRank.toFixed(2)}) over silhouette ${s.silhouette.toFixed(3)} ` +
    `(rank ${rs[best]}), Calinski-Harabasz ${s.calinskiHarabasz.toFixed(1)} (rank ${rc[best]}) and ` +
    `Davies-Bouldin ${s.daviesBouldin.toFixed(3)} (rank ${rd[best]}) among k = ${scores[0].k}…${scores.at(-1)!.k}, ` +
    `chosen within the actionable range k = ${chooseMin}…${chooseMax}`;
  return {k: s.k, reason, scores, fit: fits[best]};
}
