// Quintile scores for segmentation RFM (see ../shared/reference/VECTORS.md), written to agree with pandas:
// bin edges are numpy's linear-interpolation quantiles, bins are right-closed with the lowest edge included,
// as pd.qcut(x, q, labels=[1..q]).

export interface RfmValues {
  /** Days since the last purchase: lower is better. */
  recency: number;
  frequency: number;
  monetary: number;
}

export interface RfmScores {
  /** 5 = most recent. */
  r: number;
  /** Quintile of rank(frequency, method="first"). */
  f: number;
  m: number;
}

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: value ${i} is ${values[i]}, expected finite`);
  }
}

/** numpy.quantile(sorted, p) with the default "linear" method; sorted must be ascending and non-empty. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError("quantileSorted: empty input");
  const position = (n - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const t = position - below;
  const a = sorted[below];
  const b = sorted[above];
  // numpy's _lerp: interpolate from the nearer end, which keeps the result monotone and exact at the ends.
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The q + 1 bin edges of pd.qcut(values, q) (pandas 3): quantiles at linspace(0, 1, q + 1), each probability that
 * is not exact in binary (i · (1/q) ≠ i after multiplying back by q) nudged up to the next double first.
 */
export function qcutEdges(values: ArrayLike<number>, q = 5): number[] {
  if (!Number.isInteger(q) || q < 1) throw new RangeError(`qcutEdges: q must be a positive integer, got ${q}`);
  checkFinite(values, "qcutEdges");
  const sorted = Float64Array.from(values).sort();
  const step = 1 / q;
  const edges: number[] = [];
  for (let i = 0; i <= q; i++) {
    const linspace = i === q ? 1 : i * step;
    edges.push(quantileSorted(sorted, q * linspace !== i ? nextUp(linspace) : linspace));
  }
  return edges;
}

const bits = new DataView(new ArrayBuffer(8));

/** The next double above a positive finite x (numpy.nextafter(x, 1) for 0 < x < 1). */
function nextUp(x: number): number {
  bits.setFloat64(0, x);
  bits.setBigUint64(0, bits.getBigUint64(0) + 1n);
  return bits.getFloat64(0);
}

/**
 * Labels 1..q as pd.qcut(values, q, labels=[1..q]): value x gets the first bin whose right edge is >= x.
 * pandas raises when edges repeat (many equal values); here such a value simply lands in the lowest bin that
 * contains it, which is where pandas' own searchsorted would put it, and the empty bins are skipped.
 */
export function qcutLabels(values: ArrayLike<number>, q = 5): number[] {
  if (values.length === 0) return [];
  const edges = qcutEdges(values, q);
  const labels: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    // First index e in 1..q with edges[e] >= x (binary search; edges are non-decreasing).
    let lo = 1;
    let hi = q;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] >= x) hi = mid;
      else lo = mid + 1;
    }
    labels[i] = lo;
  }
  return labels;
}

/**
 * 1-based ranks as pandas rank(method="first"): ties are ranked in input order (earlier row, lower rank).
 * Inputs from ./rfm.ts are ordered by customer id, so ties are broken by customer id there.
 */
export function rankFirst(values: ArrayLike<number>): number[] {
  checkFinite(values, "rankFirst");
  const n = values.length;
  const order = Array.from({length: n}, (_, i) => i);
  // Array.prototype.sort is stable, so equal values keep input order.
  order.sort((a, b) => values[a] - values[b]);
  const ranks: number[] = new Array(n);
  for (let r = 0; r < n; r++) ranks[order[r]] = r + 1;
  return ranks;
}

/** Recency quintile reversed: the most recent fifth scores q. */
export function recencyScores(recency: ArrayLike<number>, q = 5): number[] {
  return qcutLabels(recency, q).map((label) => q + 1 - label);
}

/** Frequency quintile on rank(method="first"), so heavy ties (many one-time buyers) still fill every bin. */
export function frequencyScores(frequency: ArrayLike<number>, q = 5): number[] {
  return qcutLabels(rankFirst(frequency), q);
}

export function monetaryScores(monetary: ArrayLike<number>, q = 5): number[] {
  return qcutLabels(monetary, q);
}

/** R, F and M quintile scores for each row, in row order. */
export function rfmScores(rows: readonly RfmValues[]): RfmScores[] {
  const r = recencyScores(rows.map((row) => row.recency));
  const f = frequencyScores(rows.map((row) => row.frequency));
  const m = monetaryScores(rows.map((row) => row.monetary));
  return rows.map((_, i) => ({r: r[i], f: f[i], m: m[i]}));
}
