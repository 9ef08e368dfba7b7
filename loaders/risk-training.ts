// Trains, compares and evaluates the late-payment risk model on one registry snapshot, and builds the versioned
// artifact. Pure apart from the optional onRun callback: same data, observation date and seed → same artifact.
//
// Steps: point-in-time feature rows → installments decided at the observation date → 60/20/20 split by
// registration time → encodings learned on the training part → every candidate fitted on train and scored on
// validation (hyperparameters by validation log-loss) → algorithm chosen by validation AUC (chooseAlgorithm) →
// each algorithm's best configuration refitted on train + validation and scored once on test → oracle on test.
import {createHash} from "node:crypto";
import {isoDate} from "./registry-schema.js";
import {
  DAY_MS,
  encodeRiskMatrix,
  fitRiskFeatureSpec,
  riskDataChecksum,
  riskOutcomes,
  riskRows,
  type RiskData,
  type RiskFeatureSpec,
  type RiskRow
} from "./risk-features.js";
import {
  calibrationTable,
  chooseAlgorithm,
  decileTable,
  oracleScores,
  rocAuc,
  scoreMetrics,
  timeSplit,
  type CalibrationBin,
  type DecileRow,
  type GeneratorTruth,
  type ScoreMetrics,
  type Selection
} from "./risk-evaluation.js";
import {
  fitCandidate,
  parameterCount,
  predictMatrix,
  riskCandidates,
  type Candidate,
  type RiskAlgorithm,
  type RiskEstimator,
  type RiskParams,
  type RiskScorer
} from "./risk-models.js";
import type {LogisticModel} from "./risk-logistic.js";

export const RISK_MODEL_NAME = "risk-late-payment";

export interface AlgorithmResult {
  algorithm: RiskAlgorithm;
  params: RiskParams;
  parameters: number;
  validation: ScoreMetrics;
  test: ScoreMetrics;
}

export interface RiskModelArtifact extends RiskScorer {
  schema: "grafeno.risk-model";
  schemaVersion: 1;
  name: typeof RISK_MODEL_NAME;
  modelVersion: string;
  codeVersion: string;
  target: string;
  observationDate: string;
  seed: number;
  /** Registration dates (inclusive) of the rows the saved estimator was fitted on (train + validation). */
  trainingWindow: {start: string; end: string};
  split: {
    fractions: [number, number, number];
    train: {start: string; end: string; rows: number};
    validation: {start: string; end: string; rows: number};
    test: {start: string; end: string; rows: number};
  };
  algorithm: RiskAlgorithm;
  params: RiskParams;
  selection: Selection & {rule: string};
  metrics: {
    algorithms: AlgorithmResult[];
    chosen: ScoreMetrics;
    oracle: {auc: number | null; ratio: number | null} | null;
  };
  calibration: CalibrationBin[];
  deciles: DecileRow[];
  dataChecksum: string;
}

export interface RunRecord {
  stage: "validation" | "test";
  algorithm: RiskAlgorithm;
  params: RiskParams;
  metrics: ScoreMetrics;
  parameters: number;
  ms: number;
}

export interface RiskTrainOptions {
  /** Epoch ms (start of the observation day). */
  observationDate: number;
  seed?: number;
  codeVersion?: string;
  /** Generator truth: only for the oracle AUC on the test rows. */
  truth?: GeneratorTruth;
  onRun?: (run: RunRecord) => void;
}

export interface RiskTrainResult {
  model: RiskModelArtifact;
  runs: RunRecord[];
  /** Test rows with the chosen model's scores (for reports). */
  test: {rows: RiskRow[]; labels: Uint8Array; scores: Float64Array};
}

const iso = (ms: number) => isoDate(Math.floor(ms / DAY_MS));

function pick<T>(items: readonly T[], index: readonly number[]): T[] {
  return index.map((i) => items[i]);
}

function labelsOf(labels: Uint8Array, index: readonly number[]): Uint8Array {
  return Uint8Array.from(index, (i) => labels[i]);
}

function window(rows: readonly RiskRow[]) {
  let start = Infinity;
  let end = -Infinity;
  for (const r of rows) {
    start = Math.min(start, r.registered_ms);
    end = Math.max(end, r.registered_ms);
  }
  return {start: iso(start), end: iso(end), rows: rows.length};
}

export function trainRiskModel(data: RiskData, options: RiskTrainOptions): RiskTrainResult {
  const {observationDate, seed = 42, codeVersion = "0.1.0"} = options;
  const all = riskRows(data);
  const outcomes = riskOutcomes(all, observationDate);
  const rows: RiskRow[] = [];
  const flags: number[] = [];
  all.forEach((r, i) => {
    if (outcomes[i].status === "closed") {
      rows.push(r);
      flags.push(outcomes[i].late30 ? 1 : 0);
    }
  });
  const labels = Uint8Array.from(flags);
  const split = timeSplit(Float64Array.from(rows, (r) => r.registered_ms));
  const trainRows = pick(rows, split.train);
  const validationRows = pick(rows, split.validation);
  const testRows = pick(rows, split.test);
  const fitIndex = [...split.train, ...split.validation];
  const fitRows = pick(rows, fitIndex);
  const yTrain = labelsOf(labels, split.train);
  const yValidation = labelsOf(labels, split.validation);
  const yTest = labelsOf(labels, split.test);
  const yFit = labelsOf(labels, fitIndex);

  const spec: RiskFeatureSpec = fitRiskFeatureSpec(trainRows, yTrain);
  const XTrain = encodeRiskMatrix(spec, trainRows);
  const XValidation = encodeRiskMatrix(spec, validationRows);
  const XTest = encodeRiskMatrix(spec, testRows);
  const XFit = encodeRiskMatrix(spec, fitRows);

  const runs: RunRecord[] = [];
  const record = (run: RunRecord) => {
    runs.push(run);
    options.onRun?.(run);
  };

  // 1. Every candidate on train → validation; the best configuration of each algorithm by validation log-loss.
  const best = new Map<RiskAlgorithm, {candidate: Candidate; estimator: RiskEstimator; metrics: ScoreMetrics}>();
  let warm: LogisticModel | undefined;
  for (const candidate of riskCandidates(seed)) {
    const start = performance.now();
    const estimator = fitCandidate(candidate, XTrain, yTrain, {
      spec,
      validation: {X: XValidation, y: yValidation},
      warm
    });
    if (estimator.kind === "logistic") warm = estimator;
    const metrics = scoreMetrics(predictMatrix(estimator, XValidation), yValidation);
    const params =
      estimator.kind === "boosting" ? {...candidate.params, trees: estimator.trees.length} : candidate.params;
    record({
      stage: "validation",
      algorithm: candidate.algorithm,
      params,
      metrics,
      parameters: parameterCount(estimator),
      ms: performance.now() - start
    });
    const current = best.get(candidate.algorithm);
    if (!current || metrics.logLoss < current.metrics.logLoss) {
      best.set(candidate.algorithm, {candidate: {algorithm: candidate.algorithm, params}, estimator, metrics});
    }
  }
  const selection = chooseAlgorithm(
    [...best.values()].map((b) => ({algorithm: b.candidate.algorithm, validationAuc: b.metrics.auc ?? 0}))
  );

  // 2. Each algorithm's best configuration refitted on train + validation, scored once on test.
  const results: AlgorithmResult[] = [];
  let chosen: {estimator: RiskEstimator; scores: Float64Array; params: RiskParams} | null = null;
  for (const [algorithm, b] of best) {
    const start = performance.now();
    const params = b.candidate.params;
    // Boosting keeps the tree count early stopping found; no test data steers anything.
    const refit: Candidate =
      algorithm === "boosting" ? {algorithm, params: {...params, maxTrees: params.trees}} : b.candidate;
    const estimator = fitCandidate(refit, XFit, yFit, {spec});
    const scores = predictMatrix(estimator, XTest);
    const metrics = scoreMetrics(scores, yTest);
    record({
      stage: "test",
      algorithm,
      params,
      metrics,
      parameters: parameterCount(estimator),
      ms: performance.now() - start
    });
    results.push({algorithm, params, parameters: parameterCount(estimator), validation: b.metrics, test: metrics});
    if (algorithm === selection.algorithm) chosen = {estimator, scores, params};
  }
  if (!chosen) throw new Error(`risk training: no fit for ${selection.algorithm}`);

  const chosenMetrics = scoreMetrics(chosen.scores, yTest);
  let oracle: RiskModelArtifact["metrics"]["oracle"] = null;
  if (options.truth) {
    const auc = rocAuc(oracleScores(testRows, options.truth), yTest);
    oracle = {auc, ratio: auc !== null && chosenMetrics.auc !== null ? chosenMetrics.auc / auc : null};
  }
  const body: Omit<RiskModelArtifact, "modelVersion"> = {
    schema: "grafeno.risk-model",
    schemaVersion: 1,
    name: RISK_MODEL_NAME,
    codeVersion,
    target:
      "late30: installment paid more than 30 days after its due date, or unpaid at the observation date; only " +
      "installments of bills not canceled whose due date + 30 days is on or before the observation date",
    observationDate: iso(observationDate),
    seed,
    trainingWindow: {start: window(fitRows).start, end: window(fitRows).end},
    split: {
      fractions: [0.6, 0.2, 0.2],
      train: window(trainRows),
      validation: window(validationRows),
      test: window(testRows)
    },
    algorithm: selection.algorithm,
    params: chosen.params,
    selection: {
      ...selection,
      rule:
        "Highest validation ROC-AUC, unless a simpler algorithm (logistic < naive Bayes < boosting) is within " +
        `${selection.tolerance} AUC of it. Hyperparameters within an algorithm: lowest validation log-loss.`
    },
    features: spec,
    estimator: chosen.estimator,
    metrics: {algorithms: results, chosen: chosenMetrics, oracle},
    calibration: calibrationTable(chosen.scores, yTest),
    deciles: decileTable(chosen.scores, yTest),
    dataChecksum: riskDataChecksum(data)
  };
  const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 12);
  const model: RiskModelArtifact = {...body, modelVersion: `${RISK_MODEL_NAME}-${digest}`};
  return {model, runs, test: {rows: testRows, labels: yTest, scores: chosen.scores}};
}
