// One-sentence English readings of hypothesis-test results, for analysts who do not read test statistics:
// "Late-payment rates differ by segment (χ² = 41.2, df = 7, p < 0.001); the difference is small (Cramér's V = 0.08)."
//
// Effect sizes are named on three steps, "small" covering everything below a medium effect:
// - Cramér's V: medium from 0.3 / √k, large from 0.5 / √k, k = min(rows, columns) − 1 (Cohen 1988, w = V·√k);
// - Cohen's d: medium from 0.5, large from 0.8 (Cohen 1988);
// - Kruskal-Wallis ε²: medium from 0.08, large from 0.26 (Tomczak & Tomczak 2014).

import type {TestResult} from "./hypothesis.js";

export interface ReadingLabels {
  /** What is compared, as a plural noun phrase: "Late-payment rates", "Bill values". Default "The groups". */
  subject?: string;
  /** What the groups are: "segment", "kind". Default "group". */
  by?: string;
  /** Welch only: names of the two samples in the order given to welchTTest. */
  sampleNames?: readonly [string, string];
  /** Welch only: the samples were log-transformed, so the mean difference is read as a ratio. */
  logScale?: boolean;
}

/** A statistic: one decimal from 10 on, two from 1, three significant digits below. */
function formatStatistic(x: number): string {
  const size = Math.abs(x);
  if (size >= 10) return x.toFixed(1);
  if (size >= 1) return x.toFixed(2);
  return x === 0 ? "0" : x.toPrecision(3);
}

/** Degrees of freedom: whole numbers as they are, Welch's fractional df with one decimal. */
function formatDf(df: number): string {
  return Number.isInteger(df) ? String(df) : df.toFixed(1);
}

/** An effect size with two decimals (two significant digits when it would round to 0.00). */
function formatEffect(x: number): string {
  return Math.abs(x) >= 0.005 || x === 0 ? x.toFixed(2) : x.toPrecision(2);
}

/**
 * "p < 0.001", "p > 0.999" or "p = 0.373"; more decimals when three would round the p-value onto alpha or across
 * it (0.0496 prints as 0.0496, not 0.050).
 */
function formatP(p: number, alpha: number): string {
  if (p < 0.001) return "p < 0.001";
  if (p > 0.999) return "p > 0.999";
  for (let digits = 3; digits < 8; digits++) {
    const shown = Number(p.toFixed(digits));
    if (shown !== alpha && shown < alpha === p < alpha) return `p = ${p.toFixed(digits)}`;
  }
  return `p = ${String(p)}`;
}

function sizeName(value: number, medium: number, large: number): string {
  const size = Math.abs(value);
  return size >= large ? "large" : size >= medium ? "moderate" : "small";
}

/** Lower-case the first letter unless the first word is an acronym ("UF"). */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function percent(alpha: number): string {
  return `${Number((alpha * 100).toPrecision(3))}%`;
}

function welchComparison(test: Extract<TestResult, {test: "welch"}>, labels: ReadingLabels): string {
  const [first, second] = labels.sampleNames ?? ["the first sample", "the second sample"];
  const [high, low] = test.meanDiff >= 0 ? [first, second] : [second, first];
  const gap = Math.abs(test.meanDiff);
  if (labels.logScale) {
    return `the typical value of ${high} is ${formatStatistic(Math.exp(gap))} times that of ${low} (ratio of geometric means)`;
  }
  return `the mean of ${high} is higher by ${formatStatistic(gap)}`;
}

/**
 * One sentence saying whether the groups differ at level alpha, with the statistic, degrees of freedom and
 * p-value, and — when they do — how large the difference is. A test that could not be computed (too little data)
 * says so instead.
 */
export function plainReading(test: TestResult & ReadingLabels, alpha = 0.05): string {
  const subject = test.subject ?? "The groups";
  const by = test.by ?? "group";
  if (!Number.isFinite(test.pValue)) {
    return `There is not enough data to test whether ${lowerFirst(subject)} differ by ${by}.`;
  }
  const p = formatP(test.pValue, alpha);
  let figures: string;
  let effect: string;
  switch (test.test) {
    case "chi-square": {
      const k = Math.min(test.rows, test.columns) - 1;
      const size = sizeName(test.cramersV, 0.3 / Math.sqrt(k), 0.5 / Math.sqrt(k));
      figures = `χ² = ${formatStatistic(test.statistic)}, df = ${formatDf(test.df)}, ${p}`;
      effect = `the difference is ${size} (Cramér's V = ${formatEffect(test.cramersV)})`;
      break;
    }
    case "welch": {
      const size = sizeName(test.cohensD, 0.5, 0.8);
      figures = `t = ${formatStatistic(test.t)}, df = ${formatDf(test.df)}, ${p}`;
      effect = `${welchComparison(test, test)}, a ${size} difference (Cohen's d = ${formatEffect(Math.abs(test.cohensD))})`;
      break;
    }
    case "kruskal-wallis": {
      const size = sizeName(test.epsilonSquared, 0.08, 0.26);
      figures = `H = ${formatStatistic(test.H)}, df = ${formatDf(test.df)}, ${p}`;
      effect = `the difference is ${size} (ε² = ${formatEffect(test.epsilonSquared)})`;
      break;
    }
  }
  const caveat =
    test.test === "chi-square" && test.lowExpected
      ? "; more than 20% of the cells expect fewer than 5 cases, so the p-value is only approximate"
      : "";
  if (!(test.pValue < alpha)) {
    return `${subject} do not differ significantly by ${by} at the ${percent(alpha)} level (${figures})${caveat}.`;
  }
  return `${subject} differ by ${by} (${figures}); ${effect}${caveat}.`;
}
