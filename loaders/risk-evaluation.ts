// Honest evaluation of the late-payment risk model: a split by registration time, ranking and probability metrics,
// calibration and decile lift tables, the selection rule between algorithms, and the oracle ceiling computed from the
// generator's hidden truth. The truth is read here only (readGeneratorTruth) and reaches nothing but oracleScores.
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {isoDate} from "./registry-schema.js";
import {ALGORITHM_COMPLEXITY, type RiskAlgorithm} from "./risk-models.js";

/** ROC-AUC = Mann-Whitney U / (n₁ n₀), ties counted one half (mid-ranks); null without both classes. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  const order = Array.from({length: n}, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]]) {
        rankSum += midRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision (area under the precision-recall curve as a step sum): Σ over distinct score thresholds, from
 * the highest down, of (recall gained) × (precision at that threshold). Tied scores form one threshold, as in
 * scikit-learn's average_precision_score. Null without positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  const order = Array.from({length: n}, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let total = 0;
  for (let i = 0; i < n; i++) total += labels[i] ? 1 : 0;
  if (total === 0) return null;
  let tp = 0;
  let ap = 0;
  for (let i = 0; i < n;) {
    let j = i;
    let gained = 0;
    while (j < n && scores[order[j]] === scores[order[i]]) gained += labels[order[j++]] ? 1 : 0;
    tp += gained;
    // j rows score at or above this threshold.
    ap += (gained / total) * (tp / j);
    i = j;
  }
  return ap;
}

export function brierScore(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < scores.length; i++) s += (scores[i] - (labels[i] ? 1 : 0)) ** 2;
  return s / scores.length;
}

export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, scores[i]));
    s -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / scores.length;
}

export interface ScoreMetrics {
  rows: number;
  positives: number;
  rate: number;
  auc: number | null;
  prAuc: number | null;
  brier: number;
  logLoss: number;
  meanPredicted: number;
}

export function scoreMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>): ScoreMetrics {
  let positives = 0;
  let predicted = 0;
  for (let i = 0; i < scores.length; i++) {
    positives += labels[i] ? 1 : 0;
    predicted += scores[i];
  }
  return {
    rows: scores.length,
    positives,
    rate: positives / scores.length,
    auc: rocAuc(scores, labels),
    prAuc: averagePrecision(scores, labels),
    brier: brierScore(scores, labels),
    logLoss: logLoss(scores, labels),
    meanPredicted: predicted / scores.length
  };
}

export interface CalibrationBin {
  bin: number;
  /** Predicted-probability interval [lower, upper) (the last bin includes 1). */
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}

/** Reliability table: equal-width bins of predicted probability; empty bins are kept with null rates. */
export function calibrationTable(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const late = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(scores[i] * bins)));
    count[b]++;
    predicted[b] += scores[i];
    late[b] += labels[i] ? 1 : 0;
  }
  return count.map((n, b) => ({
    bin: b + 1,
    lower: b / bins,
    upper: (b + 1) / bins,
    count: n,
    meanPredicted: n ? predicted[b] / n : null,
    observedRate: n ? late[b] / n : null
  }));
}

export interface DecileRow {
  /** 1 = the tenth with the highest predicted risk. */
  decile: number;
  count: number;
  minPredicted: number;
  meanPredicted: number;
  late: number;
  observedRate: number;
  /** observedRate / overall rate. */
  lift: number;
  /** Share of all late installments found in deciles 1…decile. */
  cumulativeCapture: number;
  /** Late rate of deciles 1…decile / overall rate. */
  cumulativeLift: number;
}

/**
 * Decile lift table: rows sorted by predicted risk, highest first (ties in input order), cut into ten groups of
 * equal size (±1).
 */
export function decileTable(scores: ArrayLike<number>, labels: ArrayLike<number>, groups = 10): DecileRow[] {
  const n = scores.length;
  const order = Array.from({length: n}, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += labels[i] ? 1 : 0;
  const overall = total / n;
  const rows: DecileRow[] = [];
  let cumLate = 0;
  for (let d = 0; d < groups; d++) {
    const from = Math.floor((d * n) / groups);
    const to = Math.floor(((d + 1) * n) / groups);
    let late = 0;
    let sum = 0;
    let min = Infinity;
    for (let k = from; k < to; k++) {
      const i = order[k];
      late += labels[i] ? 1 : 0;
      sum += scores[i];
      min = Math.min(min, scores[i]);
    }
    const count = to - from;
    cumLate += late;
    const rate = count ? late / count : 0;
    rows.push({
      decile: d + 1,
      count,
      minPredicted: count ? min : 0,
      meanPredicted: count ? sum / count : 0,
      late,
      observedRate: rate,
      lift: overall > 0 ? rate / overall : 0,
      cumulativeCapture: total > 0 ? cumLate / total : 0,
      cumulativeLift: overall > 0 && to > 0 ? cumLate / to / overall : 0
    });
  }
  return rows;
}

export interface TimeSplit {
  train: number[];
  validation: number[];
  test: number[];
  /** First registration instant (ms) of the validation and test parts. */
  validationStart: number;
  testStart: number;
}

/**
 * Splits rows by registration instant: the earliest `fractions[0]` of the rows train, the next `fractions[1]`
 * validate, the rest test. Rows registered at the same instant stay together (in the later part).
 */
export function timeSplit(times: ArrayLike<number>, fractions: readonly [number, number] = [0.6, 0.2]): TimeSplit {
  const n = times.length;
  const sorted = Float64Array.from(times).sort();
  const validationStart = sorted[Math.min(n - 1, Math.floor(fractions[0] * n))];
  const testStart = sorted[Math.min(n - 1, Math.floor((fractions[0] + fractions[1]) * n))];
  const split: TimeSplit = {train: [], validation: [], test: [], validationStart, testStart};
  for (let i = 0; i < n; i++) {
    const t = times[i];
    (t < validationStart ? split.train : t < testStart ? split.validation : split.test).push(i);
  }
  if (!split.train.length || !split.validation.length || !split.test.length) {
    throw new Error(`time split: too few distinct registration instants (${n} rows)`);
  }
  return split;
}

export const SELECTION_TOLERANCE = 0.005;

export interface Selection {
  algorithm: RiskAlgorithm;
  bestAlgorithm: RiskAlgorithm;
  bestAuc: number;
  tolerance: number;
  reason: string;
}

/**
 * The rule: the best validation AUC wins, unless a simpler algorithm (ALGORITHM_COMPLEXITY) is within `tolerance`
 * of it; among those within tolerance the simplest is chosen (then the higher AUC).
 */
export function chooseAlgorithm(
  candidates: readonly {algorithm: RiskAlgorithm; validationAuc: number}[],
  tolerance = SELECTION_TOLERANCE
): Selection {
  if (candidates.length === 0) throw new Error("choose algorithm: no candidates");
  const best = candidates.reduce((a, b) => (b.validationAuc > a.validationAuc ? b : a));
  const eligible = candidates
    .filter((c) => c.validationAuc >= best.validationAuc - tolerance)
    .sort(
      (a, b) =>
        ALGORITHM_COMPLEXITY[a.algorithm] - ALGORITHM_COMPLEXITY[b.algorithm] || b.validationAuc - a.validationAuc
    );
  const chosen = eligible[0];
  const f = (x: number) => x.toFixed(4);
  const reason =
    chosen.algorithm === best.algorithm
      ? `${chosen.algorithm} has the best validation AUC (${f(best.validationAuc)}) and no simpler algorithm is within ${tolerance}`
      : `${chosen.algorithm} (validation AUC ${f(chosen.validationAuc)}) is within ${tolerance} of the best, ` +
        `${best.algorithm} (${f(best.validationAuc)}), and simpler`;
  return {algorithm: chosen.algorithm, bestAlgorithm: best.algorithm, bestAuc: best.validationAuc, tolerance, reason};
}

// ---------------------------------------------------------------------------------------------------------------
// Oracle: the best ranking anyone could get from the generator's hidden parameters.

export interface GeneratorTruth {
  /** Payer party id → hidden late log-odds. */
  payerRiskLogit: Map<string, number>;
  /** "YYYY-MM" → macro shift of the late log-odds for installments due that month. */
  macro: Map<string, number>;
}

/** Reads truth/parties.jsonl and truth/macro.jsonl of a generated registry. Evaluation only: never a feature. */
export async function readGeneratorTruth(truthDir: string): Promise<GeneratorTruth> {
  const lines = async (file: string) =>
    (await readFile(join(truthDir, file), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const payerRiskLogit = new Map<string, number>();
  for (const p of await lines("parties.jsonl")) {
    if (typeof p.risk_logit === "number") payerRiskLogit.set(String(p.party_id), p.risk_logit);
  }
  const macro = new Map<string, number>();
  for (const m of await lines("macro.jsonl")) macro.set(String(m.month), Number(m.factor));
  return {payerRiskLogit, macro};
}

/** Oracle score of installments: the payer's hidden risk log-odds plus the macro factor of the due month. */
export function oracleScores(
  rows: readonly {payer_id: string; due_day: number}[],
  truth: GeneratorTruth
): Float64Array {
  const months = [...truth.macro.keys()].sort();
  return Float64Array.from(rows, (r) => {
    const risk = truth.payerRiskLogit.get(r.payer_id);
    if (risk === undefined) throw new Error(`oracle: no hidden risk for payer ${r.payer_id}`);
    let month = isoDate(r.due_day).slice(0, 7);
    // The generator clamps months outside its window to the first or last factor.
    if (month < months[0]) month = months[0];
    if (month > months[months.length - 1]) month = months[months.length - 1];
    return risk + (truth.macro.get(month) ?? 0);
  });
}
