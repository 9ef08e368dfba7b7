// Ward agglomerative clustering (Euclidean) by the nearest-neighbour chain: O(n²) time and one condensed
// Float64Array of n(n−1)/2 distances. Ward's criterion is reducible, so the chain finds the same hierarchy as
// greedy merging of the closest pair; merges are then sorted by height and numbered as scipy.cluster.hierarchy
// does (points 0..n−1, the i-th merge n + i), so heights equal scipy's linkage(X, "ward") and a cut into k
// clusters equals sklearn's AgglomerativeClustering(n_clusters=k, linkage="ward") up to label names.

export interface WardMerge {
  /** Smaller id of the two clusters merged (a point below n, an earlier merge n + i otherwise). */
  a: number;
  b: number;
  /** Ward distance sqrt(2·nₐ·n_b / (nₐ + n_b)) · ‖cₐ − c_b‖, as scipy reports it. */
  height: number;
  /** Points in the merged cluster. */
  size: number;
}

/** Position of the pair (i, j), i ≠ j, in a condensed upper-triangular matrix of n rows. */
function condensedIndex(n: number, i: number, j: number): number {
  if (i > j) {
    const t = i;
    i = j;
    j = t;
  }
  return n * i - (i * (i + 1)) / 2 + j - i - 1;
}

function squaredDistances(points: readonly ArrayLike<number>[]): Float64Array {
  const n = points.length;
  const dim = n > 0 ? points[0].length : 0;
  for (let i = 0; i < n; i++) {
    if (points[i].length !== dim) throw new RangeError(`ward: row ${i} has ${points[i].length} values, not ${dim}`);
    for (let d = 0; d < dim; d++) {
      if (!Number.isFinite(points[i][d])) throw new RangeError(`ward: point ${i} has non-finite value ${points[i][d]}`);
    }
  }
  const dist = new Float64Array((n * (n - 1)) / 2);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i];
    for (let j = i + 1; j < n; j++) {
      const q = points[j];
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += (p[d] - q[d]) ** 2;
      dist[at++] = sum;
    }
  }
  return dist;
}

interface RawMerge {
  x: number;
  y: number;
  squared: number;
  size: number;
}

/**
 * The nearest-neighbour chain on squared Ward distances, which the Lance-Williams update keeps exact:
 * D(i∪j, m) = ((nᵢ + nₘ)·D(i, m) + (nⱼ + nₘ)·D(j, m) − nₘ·D(i, j)) / (nᵢ + nⱼ + nₘ).
 * Merges come out in chain order, each naming the two slots (point ids) whose clusters joined.
 */
function nearestNeighbourChain(n: number, dist: Float64Array): RawMerge[] {
  const size = new Float64Array(n).fill(1); // 0 marks a slot whose cluster was merged away
  const chain = new Int32Array(n);
  let length = 0;
  const merges: RawMerge[] = [];
  for (let step = 0; step < n - 1; step++) {
    if (length === 0) {
      let first = 0;
      while (size[first] === 0) first++;
      chain[length++] = first;
    }
    let x: number;
    let y: number;
    let best: number;
    for (;;) {
      x = chain[length - 1];
      // Keep the previous chain element on ties, which is what guarantees a reciprocal pair is reached.
      y = length >= 2 ? chain[length - 2] : -1;
      best = length >= 2 ? dist[condensedIndex(n, x, y)] : Infinity;
      for (let i = 0; i < n; i++) {
        if (size[i] === 0 || i === x) continue;
        const d = dist[condensedIndex(n, x, i)];
        if (d < best) {
          best = d;
          y = i;
        }
      }
      if (length >= 2 && y === chain[length - 2]) break;
      chain[length++] = y;
    }
    length -= 2;
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    const nx = size[x];
    const ny = size[y];
    merges.push({x, y, squared: best, size: nx + ny});
    size[x] = 0;
    size[y] = nx + ny; // the merged cluster lives in slot y
    for (let i = 0; i < n; i++) {
      const nz = size[i];
      if (nz === 0 || i === y) continue;
      const iy = condensedIndex(n, i, y);
      dist[iy] = ((nx + nz) * dist[condensedIndex(n, i, x)] + (ny + nz) * dist[iy] - nz * best) / (nx + ny + nz);
    }
  }
  return merges;
}

function find(parent: Int32Array, i: number): number {
  let root = i;
  while (parent[root] !== root) root = parent[root];
  while (parent[i] !== root) {
    const next = parent[i];
    parent[i] = root;
    i = next;
  }
  return root;
}

/** The full Ward hierarchy: n − 1 merges in order of increasing height (scipy's linkage matrix rows). */
export function wardLinkage(points: readonly ArrayLike<number>[]): WardMerge[] {
  const n = points.length;
  const raw = nearestNeighbourChain(n, squaredDistances(points));
  // Stable sort: among equal heights a merge that depends on another stays after it.
  raw.sort((p, q) => p.squared - q.squared);
  const parent = Int32Array.from({length: Math.max(2 * n - 1, 0)}, (_, i) => i);
  return raw.map(({x, y, squared, size}, i) => {
    const rx = find(parent, x);
    const ry = find(parent, y);
    parent[rx] = n + i;
    parent[ry] = n + i;
    return {a: Math.min(rx, ry), b: Math.max(rx, ry), height: Math.sqrt(Math.max(squared, 0)), size};
  });
}

/** Cluster labels from the first n − k merges of a linkage, numbered 0..k−1 by first appearance. */
export function cutLinkage(merges: readonly WardMerge[], n: number, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`ward: k = ${k} needs between 1 and ${n} clusters`);
  const parent = Int32Array.from({length: 2 * n - 1}, (_, i) => i);
  for (let i = 0; i < n - k; i++) {
    parent[merges[i].a] = n + i;
    parent[merges[i].b] = n + i;
  }
  const code = new Map<number, number>();
  const labels = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const root = find(parent, p);
    let c = code.get(root);
    if (c === undefined) {
      c = code.size;
      code.set(root, c);
    }
    labels[p] = c;
  }
  return labels;
}

/** Ward clustering into k clusters; labels 0..k−1 in order of first appearance in points. */
export function wardClustering(points: readonly ArrayLike<number>[], k: number): Int32Array {
  const n = points.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`ward: k = ${k} needs between 1 and ${n} clusters`);
  return cutLinkage(wardLinkage(points), n, k);
}
