// Gradient-boosted trees for a binary target (log-loss), small and deterministic:
// - every column is cut into at most `bins` quantile bins on the training rows; a split is "x ≤ threshold" with a
//   threshold taken from those cut points, so scoring needs only the raw encoded vector;
// - trees are complete binary trees of fixed depth (2 or 3) in heap order, grown level by level with second-order
//   gains (XGBoost's G²/(H+λ)); histograms of a larger child come from the parent minus the smaller child;
// - shrinkage, row subsampling drawn from a seeded stream, and the number of trees chosen by early stopping on the
//   validation log-loss.
import {createRandom} from "./random.js";
import type {DesignMatrix} from "./risk-features.js";
import {sigmoid} from "./risk-logistic.js";

export interface BoostingTree {
  /** Split column per internal node (heap order); −1 = no split (every row goes left). */
  feature: number[];
  threshold: number[];
  /** 2^depth leaf values, already multiplied by the shrinkage. */
  leaf: number[];
}

export interface BoostingModel {
  kind: "boosting";
  depth: number;
  shrinkage: number;
  subsample: number;
  bins: number;
  l2: number;
  minLeaf: number;
  seed: number;
  /** Log-odds before the first tree (the training base rate). */
  base: number;
  trees: BoostingTree[];
}

export interface BoostingOptions {
  depth?: number;
  shrinkage?: number;
  maxTrees?: number;
  subsample?: number;
  bins?: number;
  /** L2 penalty on leaf values (λ of XGBoost). */
  l2?: number;
  /** Fewest training rows in a leaf. */
  minLeaf?: number;
  seed?: number;
  /** Early stopping: rounds without a better validation log-loss before stopping. */
  patience?: number;
  validation?: {X: DesignMatrix; y: ArrayLike<number>};
}

/** Ascending, distinct cut points of one column: at most bins − 1 of them. */
function cutPoints(values: Float64Array, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins) - 1)];
    if (v < sorted[sorted.length - 1] && (cuts.length === 0 || v > cuts[cuts.length - 1])) cuts.push(v);
  }
  // Few distinct values (indicators, small counts): every value below the maximum is a cut.
  if (cuts.length < bins - 1) {
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length && distinct.length < bins; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    }
    if (distinct.length < bins) return distinct.slice(0, -1);
  }
  return cuts;
}

/** Bin of x: the number of cut points strictly below it (so bin ≤ k ⇔ x ≤ cuts[k]). */
function binOf(cuts: readonly number[], x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function binMatrix(X: DesignMatrix, cuts: readonly number[][]): Uint8Array {
  const out = new Uint8Array(X.rows * X.cols);
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < X.cols; j++) out[i * X.cols + j] = binOf(cuts[j], X.data[i * X.cols + j]);
  }
  return out;
}

function logLoss(y: ArrayLike<number>, F: Float64Array): number {
  let s = 0;
  for (let i = 0; i < F.length; i++) s += Math.max(0, F[i]) - y[i] * F[i] + Math.log1p(Math.exp(-Math.abs(F[i])));
  return s / F.length;
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

export function fitBoosting(X: DesignMatrix, y: ArrayLike<number>, options: BoostingOptions = {}): BoostingModel {
  const {
    depth = 3,
    shrinkage = 0.1,
    maxTrees = 300,
    subsample = 0.8,
    bins = 32,
    l2 = 1,
    minLeaf = 20,
    seed = 42,
    patience = 40
  } = options;
  if (bins > 256) throw new RangeError("boosting: at most 256 bins");
  const {rows, cols} = X;
  const random = createRandom(seed);
  const column = new Float64Array(rows);
  const cuts: number[][] = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) column[i] = X.data[i * cols + j];
    cuts.push(cutPoints(column, bins));
  }
  const binned = binMatrix(X, cuts);
  let positives = 0;
  for (let i = 0; i < rows; i++) positives += y[i];
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / rows));
  const base = Math.log(rate / (1 - rate));
  const F = new Float64Array(rows).fill(base);
  const g = new Float64Array(rows);
  const h = new Float64Array(rows);

  const validation = options.validation;
  const vBinned = validation ? binMatrix(validation.X, cuts) : null;
  const vF = validation ? new Float64Array(validation.X.rows).fill(base) : null;
  let bestLoss = validation ? logLoss(validation.y, vF!) : Infinity;
  let bestCount = 0;

  const stride = bins * 3; // per column: (Σg, Σh, count) per bin
  const internal = (1 << depth) - 1;
  const trees: BoostingTree[] = [];
  const splitBins: number[][] = [];

  // Two-bin columns (the 0/1 indicators, most of them) are sparse: only their "1" bin is counted row by row, and
  // the "0" bin is the node total minus it. Dense columns are counted in full.
  const dense: number[] = [];
  const twoBin: number[] = [];
  for (let j = 0; j < cols; j++) (cuts[j].length === 1 ? twoBin : dense).push(j);
  const onStart = new Int32Array(rows + 1);
  const onColumns: number[] = [];
  for (let i = 0; i < rows; i++) {
    onStart[i] = onColumns.length;
    for (const j of twoBin) if (binned[i * cols + j] === 1) onColumns.push(j);
  }
  onStart[rows] = onColumns.length;
  const on = Int32Array.from(onColumns);
  const denseColumns = Int32Array.from(dense);
  const twoBinColumns = Int32Array.from(twoBin);

  const layout: HistogramLayout = {cols, stride, binned, dense: denseColumns, twoBin: twoBinColumns, onStart, on};
  const histogram = (members: Int32Array): Float64Array => buildHistogram(layout, members, g, h);

  const bestSplit = (hist: Float64Array): Split | null => {
    let G = 0;
    let H = 0;
    let N = 0;
    for (let b = 0; b < bins; b++) {
      G += hist[b * 3];
      H += hist[b * 3 + 1];
      N += hist[b * 3 + 2];
    }
    const parent = (G * G) / (H + l2);
    let best: Split | null = null;
    for (let j = 0; j < cols; j++) {
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 0; b < cuts[j].length; b++) {
        const at = j * stride + b * 3;
        gl += hist[at];
        hl += hist[at + 1];
        nl += hist[at + 2];
        if (nl < minLeaf) continue;
        if (N - nl < minLeaf) break;
        const gr = G - gl;
        const hr = H - hl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
        if (gain > 1e-9 && (!best || gain > best.gain)) best = {feature: j, bin: b, gain};
      }
    }
    return best;
  };

  for (let t = 0; t < maxTrees; t++) {
    for (let i = 0; i < rows; i++) {
      const p = sigmoid(F[i]);
      g[i] = p - y[i];
      h[i] = Math.max(p * (1 - p), 1e-12);
    }
    const sample = new Int32Array(rows);
    let taken = 0;
    for (let i = 0; i < rows; i++) if (random.next() < subsample) sample[taken++] = i;
    // Nodes in heap order: members and histogram of each.
    const members: (Int32Array | null)[] = new Array(2 * internal + 1).fill(null);
    const hists: (Float64Array | null)[] = new Array(2 * internal + 1).fill(null);
    members[0] = sample.slice(0, taken);
    hists[0] = histogram(members[0]);
    const feature = new Array<number>(internal).fill(-1);
    const threshold = new Array<number>(internal).fill(0);
    const splitBin = new Array<number>(internal).fill(Infinity);
    for (let node = 0; node < internal; node++) {
      const rowsHere = members[node]!;
      const split = rowsHere.length >= 2 * minLeaf ? bestSplit(hists[node]!) : null;
      let left = rowsHere;
      let right = new Int32Array(0);
      if (split) {
        feature[node] = split.feature;
        threshold[node] = cuts[split.feature][split.bin];
        splitBin[node] = split.bin;
        const l = new Int32Array(rowsHere.length);
        const r = new Int32Array(rowsHere.length);
        let nl = 0;
        let nr = 0;
        for (let m = 0; m < rowsHere.length; m++) {
          const i = rowsHere[m];
          if (binned[i * cols + split.feature] <= split.bin) l[nl++] = i;
          else r[nr++] = i;
        }
        left = l.subarray(0, nl);
        right = r.subarray(0, nr);
      }
      members[2 * node + 1] = left;
      members[2 * node + 2] = right;
      // The smaller child is counted, the larger one is the parent minus it.
      const parentHist = hists[node]!;
      const smallIsLeft = left.length <= right.length;
      const small = histogram(smallIsLeft ? left : right);
      const large = parentHist.map((v, k) => v - small[k]);
      hists[2 * node + 1] = smallIsLeft ? small : large;
      hists[2 * node + 2] = smallIsLeft ? large : small;
      hists[node] = null;
    }
    const leaf: number[] = [];
    for (let k = 0; k <= internal; k++) {
      const hist = hists[internal + k]!;
      let G = 0;
      let H = 0;
      for (let b = 0; b < bins; b++) {
        G += hist[b * 3];
        H += hist[b * 3 + 1];
      }
      leaf.push(members[internal + k]!.length === 0 ? 0 : (-G / (H + l2)) * shrinkage);
    }
    const tree = {feature, threshold, leaf};
    trees.push(tree);
    splitBins.push(splitBin);
    for (let i = 0; i < rows; i++) F[i] += leaf[leafIndexBinned(feature, splitBin, binned, i * cols, depth)];
    if (validation) {
      for (let i = 0; i < vF!.length; i++) {
        vF![i] += leaf[leafIndexBinned(feature, splitBin, vBinned!, i * cols, depth)];
      }
      const loss = logLoss(validation.y, vF!);
      if (loss < bestLoss - 1e-12) {
        bestLoss = loss;
        bestCount = trees.length;
      } else if (trees.length - bestCount >= patience) break;
    }
  }
  return {
    kind: "boosting",
    depth,
    shrinkage,
    subsample,
    bins,
    l2,
    minLeaf,
    seed,
    base,
    trees: validation ? trees.slice(0, bestCount) : trees
  };
}

interface HistogramLayout {
  cols: number;
  stride: number;
  binned: Uint8Array;
  dense: Int32Array;
  twoBin: Int32Array;
  onStart: Int32Array;
  on: Int32Array;
}

// Per column and bin: Σ gradient, Σ hessian, rows. A top-level function with everything passed in keeps the hot loop
// free of closure-context loads.
function buildHistogram(layout: HistogramLayout, members: Int32Array, g: Float64Array, h: Float64Array): Float64Array {
  const {cols, stride, binned, dense, twoBin, onStart, on} = layout;
  const hist = new Float64Array(cols * stride);
  const denseCount = dense.length;
  let G = 0;
  let H = 0;
  for (let m = 0; m < members.length; m++) {
    const i = members[m];
    const gi = g[i];
    const hi = h[i];
    G += gi;
    H += hi;
    const rowBase = i * cols;
    for (let k = 0; k < denseCount; k++) {
      const j = dense[k];
      const at = j * stride + binned[rowBase + j] * 3;
      hist[at] += gi;
      hist[at + 1] += hi;
      hist[at + 2] += 1;
    }
    const end = onStart[i + 1];
    for (let k = onStart[i]; k < end; k++) {
      const at = on[k] * stride + 3;
      hist[at] += gi;
      hist[at + 1] += hi;
      hist[at + 2] += 1;
    }
  }
  for (let k = 0; k < twoBin.length; k++) {
    const at = twoBin[k] * stride;
    hist[at] = G - hist[at + 3];
    hist[at + 1] = H - hist[at + 4];
    hist[at + 2] = members.length - hist[at + 5];
  }
  return hist;
}

function leafIndexBinned(
  feature: readonly number[],
  splitBin: readonly number[],
  binned: Uint8Array,
  rowBase: number,
  depth: number
): number {
  let node = 0;
  for (let level = 0; level < depth; level++) {
    const f = feature[node];
    node = f < 0 || binned[rowBase + f] <= splitBin[node] ? 2 * node + 1 : 2 * node + 2;
  }
  return node - ((1 << depth) - 1);
}

/** Log-odds of late30 for one encoded row. */
export function boostingLogit(model: BoostingModel, x: ArrayLike<number>): number {
  let s = model.base;
  const internal = (1 << model.depth) - 1;
  for (const tree of model.trees) {
    let node = 0;
    for (let level = 0; level < model.depth; level++) {
      const f = tree.feature[node];
      node = f < 0 || x[f] <= tree.threshold[node] ? 2 * node + 1 : 2 * node + 2;
    }
    s += tree.leaf[node - internal];
  }
  return s;
}
