// Gaussian mixture with diagonal covariances fitted by expectation-maximisation in log space, following
// sklearn.mixture.GaussianMixture(covariance_type="diag", init_params="kmeans"): responsibilities start one-hot
// from a seeded k-means fit, every variance gets reg (1e-6) added, and EM stops when the mean log-likelihood per
// point changes by less than tol (1e-4) or after maxIterations (200).
import {fitKMeans} from "./kmeans.js";

export interface GaussianMixture {
  k: number;
  dim: number;
  weights: number[];
  means: number[][];
  variances: number[][];
  /** Total log-likelihood of the training points under the final parameters. */
  logLikelihood: number;
  /** logLikelihood / n, the quantity whose change decides convergence. */
  meanLogLikelihood: number;
  iterations: number;
  converged: boolean;
  /** Component of highest responsibility per training point (ties to the lower index). */
  labels: Int32Array;
  /** −2·logLikelihood + parameters·ln n, with (k − 1) + 2·k·dim free parameters. */
  bic: number;
  parameters: number;
}

export interface GmmOptions {
  seed?: number;
  /** k-means restarts for the initialisation. */
  restarts?: number;
  maxIterations?: number;
  tol?: number;
  reg?: number;
}

export interface GmmPrediction {
  cluster: number;
  /** Posterior probability of each component. */
  probabilities: number[];
  /** log p(x) under the mixture. */
  logDensity: number;
}

type Params = Pick<GaussianMixture, "k" | "dim" | "weights" | "means" | "variances">;

const LOG_2PI = Math.log(2 * Math.PI);
// sklearn adds 10·eps to every component mass so that an emptied component does not divide by zero.
const MASS_FLOOR = 10 * Number.EPSILON;

/** Per component: log w − ½·Σ log(2π·var), the part of the log density that does not depend on x. */
function constants(p: Params): Float64Array {
  return Float64Array.from(p.means, (_, c) => {
    let sum = 0;
    for (let d = 0; d < p.dim; d++) sum += LOG_2PI + Math.log(p.variances[c][d]);
    return Math.log(p.weights[c]) - 0.5 * sum;
  });
}

/** Fills out[c] with log(w_c · N(x | μ_c, diag σ²_c)) and returns their logsumexp, log p(x). */
function logJoint(p: Params, base: Float64Array, x: ArrayLike<number>, out: Float64Array, offset: number): number {
  let max = -Infinity;
  for (let c = 0; c < p.k; c++) {
    const mean = p.means[c];
    const variance = p.variances[c];
    let q = 0;
    for (let d = 0; d < p.dim; d++) q += (x[d] - mean[d]) ** 2 / variance[d];
    const value = base[c] - 0.5 * q;
    out[offset + c] = value;
    if (value > max) max = value;
  }
  if (max === -Infinity) return max;
  let sum = 0;
  for (let c = 0; c < p.k; c++) sum += Math.exp(out[offset + c] - max);
  return max + Math.log(sum);
}

/** E-step: turns resp into responsibilities (in place) and returns the mean log-likelihood. */
function expectation(p: Params, points: readonly ArrayLike<number>[], resp: Float64Array): number {
  const base = constants(p);
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const offset = i * p.k;
    const lse = logJoint(p, base, points[i], resp, offset);
    total += lse;
    for (let c = 0; c < p.k; c++) resp[offset + c] = Math.exp(resp[offset + c] - lse);
  }
  return total / points.length;
}

/** M-step: weights, means and (floored) variances from the responsibilities. */
function maximization(points: readonly ArrayLike<number>[], resp: Float64Array, k: number, reg: number): Params {
  const n = points.length;
  const dim = points[0].length;
  const mass = new Float64Array(k).fill(MASS_FLOOR);
  const means = Array.from({length: k}, () => new Array<number>(dim).fill(0));
  const variances = Array.from({length: k}, () => new Array<number>(dim).fill(0));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      mass[c] += r;
      for (let d = 0; d < dim; d++) means[c][d] += r * points[i][d];
    }
  }
  for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) means[c][d] /= mass[c];
  // Second pass around the new means: more accurate than E[x²] − μ².
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      for (let d = 0; d < dim; d++) variances[c][d] += r * (points[i][d] - means[c][d]) ** 2;
    }
  }
  for (let c = 0; c < k; c++) for (let d = 0; d < dim; d++) variances[c][d] = variances[c][d] / mass[c] + reg;
  return {k, dim, weights: Array.from(mass, (m) => m / n), means, variances};
}

function argmax(values: Float64Array, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (values[offset + c] > values[offset + best]) best = c;
  return best;
}

export function fitGmm(points: number[][], k: number, options: GmmOptions = {}): GaussianMixture {
  const {seed = 1, restarts = 10, maxIterations = 200, tol = 1e-4, reg = 1e-6} = options;
  const n = points.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`gmm: k = ${k} needs between 1 and ${n} clusters`);
  const dim = points[0].length;
  for (let i = 0; i < n; i++) {
    if (points[i].length !== dim) throw new RangeError(`gmm: row ${i} has ${points[i].length} values, not ${dim}`);
    if (!points[i].every(Number.isFinite)) throw new RangeError(`gmm: point ${i} has a non-finite value`);
  }
  const init = fitKMeans(points, k, {seed, restarts});
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + init.labels[i]] = 1;
  let params = maximization(points, resp, k, reg);
  let lowerBound = -Infinity;
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const previous = lowerBound;
    lowerBound = expectation(params, points, resp);
    params = maximization(points, resp, k, reg);
    if (Math.abs(lowerBound - previous) < tol) {
      converged = true;
      break;
    }
  }
  // A last E-step so that labels and likelihood describe the parameters returned.
  const meanLogLikelihood = expectation(params, points, resp);
  const labels = Int32Array.from({length: n}, (_, i) => argmax(resp, i * k, k));
  const parameters = k - 1 + 2 * k * dim;
  const logLikelihood = meanLogLikelihood * n;
  return {
    ...params,
    logLikelihood,
    meanLogLikelihood,
    iterations,
    converged,
    labels,
    bic: -2 * logLikelihood + parameters * Math.log(n),
    parameters
  };
}

/** Scores one new point: the most probable component, the posterior probabilities and log p(x). */
export function predictGmm(model: Params, point: ArrayLike<number>): GmmPrediction {
  if (point.length !== model.dim) throw new RangeError(`gmm: point has ${point.length} values, not ${model.dim}`);
  const joint = new Float64Array(model.k);
  const logDensity = logJoint(model, constants(model), point, joint, 0);
  const probabilities = Array.from(joint, (v) => Math.exp(v - logDensity));
  return {cluster: argmax(joint, 0, model.k), probabilities, logDensity};
}
