// Naive Bayes for a binary target: Gaussian likelihoods for the continuous columns, Bernoulli likelihoods (Laplace
// smoothed) for the 0/1 indicators, classes independent given the label. The log-odds is a sum of per-column terms.
import type {DesignMatrix, RiskColumn} from "./risk-features.js";

export interface NaiveBayesModel {
  kind: "naive-bayes";
  alpha: number;
  varSmoothing: number;
  /** log P(late) − log P(on time) in the training rows. */
  priorLogOdds: number;
  /** Per numeric column: class means and variances, [on time, late]. */
  gaussian: {column: number; mean: [number, number]; variance: [number, number]}[];
  /** Per binary column: P(x = 1 | class), [on time, late]. */
  bernoulli: {column: number; p: [number, number]}[];
}

export interface NaiveBayesOptions {
  /** Laplace pseudo-count of the Bernoulli columns. */
  alpha?: number;
  /** Added to every variance, as a share of the largest column variance (scikit-learn's var_smoothing). */
  varSmoothing?: number;
}

export function fitNaiveBayes(
  X: DesignMatrix,
  y: ArrayLike<number>,
  columns: readonly RiskColumn[],
  options: NaiveBayesOptions = {}
): NaiveBayesModel {
  const {alpha = 1, varSmoothing = 1e-9} = options;
  const {rows, cols, data} = X;
  const n = [0, 0];
  const sum = [new Float64Array(cols), new Float64Array(cols)];
  for (let i = 0; i < rows; i++) {
    const c = y[i] ? 1 : 0;
    n[c]++;
    for (let j = 0; j < cols; j++) sum[c][j] += data[i * cols + j];
  }
  if (n[0] === 0 || n[1] === 0) throw new Error("naive Bayes: both classes are needed");
  const mean = [sum[0].map((s) => s / n[0]), sum[1].map((s) => s / n[1])];
  const sq = [new Float64Array(cols), new Float64Array(cols)];
  let largest = 0;
  for (let i = 0; i < rows; i++) {
    const c = y[i] ? 1 : 0;
    for (let j = 0; j < cols; j++) {
      const d = data[i * cols + j] - mean[c][j];
      sq[c][j] += d * d;
    }
  }
  const variance = [sq[0].map((s) => s / n[0]), sq[1].map((s) => s / n[1])];
  for (let j = 0; j < cols; j++) largest = Math.max(largest, variance[0][j], variance[1][j]);
  const epsilon = varSmoothing * (largest || 1);
  const gaussian: NaiveBayesModel["gaussian"] = [];
  const bernoulli: NaiveBayesModel["bernoulli"] = [];
  columns.forEach((col, j) => {
    if (col.kind === "numeric") {
      gaussian.push({
        column: j,
        mean: [mean[0][j], mean[1][j]],
        variance: [variance[0][j] + epsilon, variance[1][j] + epsilon]
      });
    } else {
      // The mean of a 0/1 column is the share of ones.
      const p = (c: number) => (sum[c][j] + alpha) / (n[c] + 2 * alpha);
      bernoulli.push({column: j, p: [p(0), p(1)]});
    }
  });
  return {kind: "naive-bayes", alpha, varSmoothing, priorLogOdds: Math.log(n[1] / n[0]), gaussian, bernoulli};
}

/** Log-odds of late30 for one encoded row. */
export function naiveBayesLogit(model: NaiveBayesModel, x: ArrayLike<number>): number {
  let s = model.priorLogOdds;
  for (const {column, mean, variance} of model.gaussian) {
    const v = x[column];
    s +=
      -0.5 * Math.log(variance[1] / variance[0]) -
      (v - mean[1]) ** 2 / (2 * variance[1]) +
      (v - mean[0]) ** 2 / (2 * variance[0]);
  }
  for (const {column, p} of model.bernoulli) {
    s += x[column] > 0.5 ? Math.log(p[1] / p[0]) : Math.log((1 - p[1]) / (1 - p[0]));
  }
  return s;
}
