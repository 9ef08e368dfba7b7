// L2-regularized logistic regression on standardized features, fitted by Newton's method (IRLS) with step halving.
//
// Objective: Σ log-loss + (λ/2) Σ_j w_j², over standardized columns z_j = (x_j − mean_j) / scale_j; the intercept is
// not penalized. The fit runs on the raw, mostly sparse columns (one-hot indicators) with the equivalent penalty
// λ·scale_j² on the raw coefficients, which gives the same optimum at a fraction of the cost, and the result is
// stored on the standardized scale (the coefficients are then comparable with each other).
import type {DesignMatrix} from "./risk-features.js";

export interface LogisticModel {
  kind: "logistic";
  lambda: number;
  mean: number[];
  scale: number[];
  intercept: number;
  /** On the standardized scale, in column order. */
  coefficients: number[];
  iterations: number;
}

export interface LogisticOptions {
  lambda: number;
  maxIterations?: number;
  /** Start from this model (same columns): a warm start along a λ path. */
  init?: LogisticModel;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function columnStandardization(X: DesignMatrix): {mean: number[]; scale: number[]} {
  const {rows, cols, data} = X;
  const mean = new Array<number>(cols).fill(0);
  const scale = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = data[i * cols + j] - mean[j];
      scale[j] += d * d;
    }
  }
  // A constant column keeps scale 1 (its coefficient is then just penalized to 0).
  for (let j = 0; j < cols; j++) scale[j] = Math.sqrt(scale[j] / rows) || 1;
  return {mean, scale};
}

/** In-place Cholesky solve of the symmetric positive definite system A x = b (A is n×n row-major). */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error("logistic: Hessian not positive definite");
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

// Each row's non-zero columns, so Hessian updates cost nnz² rather than cols².
function sparseRows(X: DesignMatrix): {start: Int32Array; index: Int32Array; value: Float64Array} {
  const {rows, cols, data} = X;
  let nnz = 0;
  for (let k = 0; k < data.length; k++) if (data[k] !== 0) nnz++;
  const start = new Int32Array(rows + 1);
  const index = new Int32Array(nnz);
  const value = new Float64Array(nnz);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    start[i] = at;
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      if (v !== 0) {
        index[at] = j;
        value[at++] = v;
      }
    }
  }
  start[rows] = at;
  return {start, index, value};
}

export function fitLogistic(X: DesignMatrix, y: ArrayLike<number>, options: LogisticOptions): LogisticModel {
  const {lambda, maxIterations = 50} = options;
  const {rows, cols} = X;
  const {mean, scale} = options.init ?? columnStandardization(X);
  const sparse = sparseRows(X);
  const q = cols + 1; // raw coefficients, then the raw intercept
  const penalty = new Float64Array(q);
  for (let j = 0; j < cols; j++) penalty[j] = lambda * scale[j] * scale[j];
  penalty[cols] = 1e-10;

  // Raw parameters: v_j = w_j / scale_j, c = b − Σ v_j mean_j.
  const theta = new Float64Array(q);
  if (options.init) {
    let c = options.init.intercept;
    for (let j = 0; j < cols; j++) {
      theta[j] = options.init.coefficients[j] / scale[j];
      c -= theta[j] * mean[j];
    }
    theta[cols] = c;
  } else {
    let positives = 0;
    for (let i = 0; i < rows; i++) positives += y[i];
    const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / rows));
    theta[cols] = Math.log(rate / (1 - rate));
  }

  const eta = new Float64Array(rows);
  const linear = (t: Float64Array) => {
    for (let i = 0; i < rows; i++) {
      let s = t[cols];
      for (let k = sparse.start[i]; k < sparse.start[i + 1]; k++) s += sparse.value[k] * t[sparse.index[k]];
      eta[i] = s;
    }
  };
  const objective = (t: Float64Array) => {
    linear(t);
    let f = 0;
    for (let i = 0; i < rows; i++) f += softplus(eta[i]) - y[i] * eta[i];
    for (let j = 0; j < q; j++) f += 0.5 * penalty[j] * t[j] * t[j];
    return f;
  };

  let current = objective(theta);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const g = new Float64Array(q);
    const H = new Float64Array(q * q);
    for (let i = 0; i < rows; i++) {
      const p = sigmoid(eta[i]);
      const r = p - y[i];
      const w = Math.max(p * (1 - p), 1e-12);
      const s0 = sparse.start[i];
      const s1 = sparse.start[i + 1];
      for (let a = s0; a < s1; a++) {
        const ja = sparse.index[a];
        const va = sparse.value[a];
        g[ja] += r * va;
        const wa = w * va;
        for (let b = s0; b <= a; b++) H[ja * q + sparse.index[b]] += wa * sparse.value[b];
        H[cols * q + ja] += wa;
      }
      g[cols] += r;
      H[cols * q + cols] += w;
    }
    // Only the lower triangle was filled (indices ascend within a row, the intercept is last): mirror it.
    for (let a = 0; a < q; a++) {
      for (let b = 0; b < a; b++) H[b * q + a] = H[a * q + b];
    }
    for (let j = 0; j < q; j++) {
      g[j] += penalty[j] * theta[j];
      H[j * q + j] += penalty[j];
    }
    const step = choleskySolve(H, g, q);
    let t = 1;
    let next = new Float64Array(q);
    let value = Infinity;
    for (let halving = 0; halving < 30; halving++, t /= 2) {
      next = theta.map((v, j) => v - t * step[j]);
      value = objective(next);
      if (value <= current) break;
    }
    if (!(value <= current)) {
      linear(theta);
      break;
    }
    let change = 0;
    for (let j = 0; j < q; j++) change = Math.max(change, Math.abs(next[j] - theta[j]) * (j < cols ? scale[j] : 1));
    theta.set(next);
    const decrease = current - value;
    current = value;
    if (change < 1e-8 || decrease <= 1e-12 * Math.abs(current)) {
      iterations++;
      break;
    }
  }

  const coefficients = Array.from({length: cols}, (_, j) => theta[j] * scale[j]);
  let intercept = theta[cols];
  for (let j = 0; j < cols; j++) intercept += theta[j] * mean[j];
  return {kind: "logistic", lambda, mean, scale, intercept, coefficients, iterations};
}

/** Log-odds of late30 for one encoded row. */
export function logisticLogit(model: LogisticModel, x: ArrayLike<number>): number {
  let s = model.intercept;
  for (let j = 0; j < model.coefficients.length; j++) {
    s += (model.coefficients[j] * (x[j] - model.mean[j])) / model.scale[j];
  }
  return s;
}
