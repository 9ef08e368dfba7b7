// The late-payment risk algorithms behind one interface: the candidate configurations compared on the validation
// set, and predictRisk, the one scoring function used by the evaluation, the loaders and the scoring API.
import {encodeRiskFeatures, type DesignMatrix, type RiskFeatureRow, type RiskFeatureSpec} from "./risk-features.js";
import {boostingLogit, fitBoosting, type BoostingModel} from "./risk-boosting.js";
import {fitLogistic, logisticLogit, sigmoid, type LogisticModel} from "./risk-logistic.js";
import {fitNaiveBayes, naiveBayesLogit, type NaiveBayesModel} from "./risk-naive-bayes.js";

export type RiskEstimator = LogisticModel | BoostingModel | NaiveBayesModel;
export type RiskAlgorithm = RiskEstimator["kind"];

/**
 * Simplicity order used by the selection rule (lower is simpler): logistic regression has one hyperparameter, a
 * proper-scoring objective (calibrated by construction) and readable coefficients; naive Bayes has no optimizer but
 * its independence assumption makes its probabilities overconfident; boosting has hundreds of trees.
 */
export const ALGORITHM_COMPLEXITY: Record<RiskAlgorithm, number> = {logistic: 1, "naive-bayes": 2, boosting: 3};

/** What scoring needs: the feature encodings and the fitted estimator (the saved artifact satisfies it). */
export interface RiskScorer {
  features: RiskFeatureSpec;
  estimator: RiskEstimator;
}

export function riskLogit(estimator: RiskEstimator, x: ArrayLike<number>): number {
  switch (estimator.kind) {
    case "logistic":
      return logisticLogit(estimator, x);
    case "boosting":
      return boostingLogit(estimator, x);
    case "naive-bayes":
      return naiveBayesLogit(estimator, x);
  }
}

/** P(late30) of one installment from its raw point-in-time features. */
export function predictRisk(model: RiskScorer, row: RiskFeatureRow): number {
  return sigmoid(riskLogit(model.estimator, encodeRiskFeatures(model.features, row)));
}

/** P(late30) of every row of an encoded matrix (the same arithmetic as predictRisk). */
export function predictMatrix(estimator: RiskEstimator, X: DesignMatrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++)
    out[i] = sigmoid(riskLogit(estimator, X.data.subarray(i * X.cols, (i + 1) * X.cols)));
  return out;
}

export type RiskParams = Record<string, number>;

export interface Candidate {
  algorithm: RiskAlgorithm;
  params: RiskParams;
}

export const LOGISTIC_LAMBDAS = [10_000, 1_000, 100, 10, 1, 0.1];

/** The configurations compared on the validation set, in a fixed order. */
export function riskCandidates(seed: number): Candidate[] {
  return [
    ...LOGISTIC_LAMBDAS.map((lambda) => ({algorithm: "logistic" as const, params: {lambda}})),
    {algorithm: "naive-bayes", params: {alpha: 1, varSmoothing: 1e-9}},
    ...[2, 3].map((depth) => ({
      algorithm: "boosting" as const,
      params: {depth, shrinkage: 0.1, maxTrees: 300, subsample: 0.8, bins: 32, l2: 1, minLeaf: 20, seed}
    }))
  ];
}

export interface FitContext {
  spec: RiskFeatureSpec;
  /** Early stopping set (boosting); without it boosting grows exactly params.maxTrees trees. */
  validation?: {X: DesignMatrix; y: ArrayLike<number>};
  /** Warm start for logistic regression along the λ path. */
  warm?: LogisticModel;
}

export function fitCandidate(
  candidate: Candidate,
  X: DesignMatrix,
  y: ArrayLike<number>,
  ctx: FitContext
): RiskEstimator {
  const p = candidate.params;
  switch (candidate.algorithm) {
    case "logistic":
      return fitLogistic(X, y, {lambda: p.lambda, init: ctx.warm});
    case "naive-bayes":
      return fitNaiveBayes(X, y, ctx.spec.columns, {alpha: p.alpha, varSmoothing: p.varSmoothing});
    case "boosting":
      return fitBoosting(X, y, {
        depth: p.depth,
        shrinkage: p.shrinkage,
        maxTrees: p.maxTrees,
        subsample: p.subsample,
        bins: p.bins,
        l2: p.l2,
        minLeaf: p.minLeaf,
        seed: p.seed,
        validation: ctx.validation
      });
  }
}

/** Size of a fitted estimator in free parameters (reported next to its metrics). */
export function parameterCount(estimator: RiskEstimator): number {
  switch (estimator.kind) {
    case "logistic":
      return estimator.coefficients.length + 1;
    case "naive-bayes":
      return 1 + 4 * estimator.gaussian.length + 2 * estimator.bernoulli.length;
    case "boosting":
      return 1 + estimator.trees.reduce((s, t) => s + 2 * t.feature.filter((f) => f >= 0).length + t.leaf.length, 0);
  }
}
