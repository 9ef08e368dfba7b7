import {readFileSync} from "node:fs";
import {resolve} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {
  bgNbdLogLikelihood,
  bgNbdTotalLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  probabilityNoPurchases,
  probabilityOfPurchases
} from "../loaders/bgnbd.js";
import type {BgNbdFit, RfmRow} from "../loaders/bgnbd.js";
import {nelderMead} from "../loaders/optimize.js";
import {hyp2f1, logBeta, logGamma, logHyp2f1, logSumExp} from "../loaders/special-functions.js";

// Published figures: ../shared/reference/VECTORS.md, "BG/NBD and Gamma-Gamma on CDNOW".
const SUMMARY = resolve(process.cwd(), "../shared/reference/cdnow/cdnow_customers_summary.csv");

function readSummary(): RfmRow[] {
  const [header, ...lines] = readFileSync(SUMMARY, "utf8").trim().split(/\r?\n/);
  expect(header.split(",")).toEqual(["ID", "frequency", "recency", "T"]);
  return lines.map((line) => {
    const [, frequency, recency, T] = line.split(",").map(Number);
    return {frequency, recency, T};
  });
}

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);
}

describe("special functions", () => {
  it("log-gamma matches factorials, √π and Γ(1/3) to ~1e-14", () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expectRelative(logGamma(11), Math.log(3628800), 1e-14);
    expectRelative(logGamma(1 / 3), Math.log(2.6789385347077475), 1e-14);
    // Γ(−1/2) = −2√π: the reflection branch returns ln|Γ|.
    expectRelative(logGamma(-0.5), Math.log(2 * Math.sqrt(Math.PI)), 1e-14);
    // Stirling-sized arguments: ln Γ(171) = ln 170!, the largest factorial a double holds.
    expectRelative(logGamma(171), 706.5730622457874, 1e-14);
    expect(logGamma(0)).toBe(Infinity);
  });

  it("log-beta is consistent with B(a, 1) = 1/a", () => {
    expect(logBeta(3.7, 1)).toBeCloseTo(-Math.log(3.7), 13);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
  });

  it("logsumexp neither overflows nor underflows", () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logSumExp([])).toBe(-Infinity);
  });

  it("2F1(1, 1; 2; z) equals −ln(1 − z)/z, including near z = 1 and for negative z", () => {
    for (const z of [-5, -0.9, -0.3, 0.1, 0.5, 0.89, 0.93, 0.99, 0.9999]) {
      expectRelative(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-12);
    }
  });

  it("2F1(a, b; b; z) equals (1 − z)^−a", () => {
    for (const [a, b, z] of [
      [0.25, 2.4, 0.5],
      [3.3, 1.7, 0.95],
      [0.7, 5, -2],
      [202.25, 204.4, 0.47]
    ]) {
      expectRelative(hyp2f1(a, b, b, z), (1 - z) ** -a, 1e-12);
    }
  });

  it("2F1 matches arcsin and Gauss's theorem", () => {
    // 2F1(½, ½; 3/2; z²) = arcsin(z)/z
    for (const z of [0.3, 0.9, 0.99]) expectRelative(hyp2f1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z, 1e-12);
    // 2F1(a, b; c; 1) = Γ(c)Γ(c − a − b)/(Γ(c − a)Γ(c − b))
    const gauss = Math.exp(logGamma(3.5) + logGamma(1.2) - logGamma(2.4) - logGamma(2.3));
    expectRelative(hyp2f1(1.1, 1.2, 3.5, 1), gauss, 1e-13);
  });

  it("log 2F1 stays finite where 2F1 overflows a double", () => {
    // (1 − z)^−a with a = 2000: e^1386, far beyond Number.MAX_VALUE.
    expectRelative(logHyp2f1(2000, 3, 3, 0.5), 2000 * Math.LN2, 1e-13);
  });
});

describe("Nelder-Mead", () => {
  it("finds the minimum of the Rosenbrock function deterministically", () => {
    const rosenbrock = ([x, y]: number[]): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
    const first = nelderMead(rosenbrock, [-1.2, 1]);
    expect(first.converged).toBe(true);
    expect(first.x[0]).toBeCloseTo(1, 6);
    expect(first.x[1]).toBeCloseTo(1, 6);
    expect(nelderMead(rosenbrock, [-1.2, 1])).toEqual(first);
  });
});

describe("BG/NBD", () => {
  const published = {r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752};
  let rows: RfmRow[];
  let fit: BgNbdFit;

  beforeAll(() => {
    rows = readSummary();
    fit = fitBgNbd(rows);
  });

  it("per-customer log-likelihood matches pymc-marketing at x = 0 and x = 200 (a density, so it can be positive)", () => {
    const params = {a: 0.8, b: 2.5, r: 0.25, alpha: 4};
    expect(bgNbdLogLikelihood(params, 0, 0, 40)).toBeCloseTo(-0.59947382, 8);
    expect(bgNbdLogLikelihood(params, 200, 38, 40)).toBeCloseTo(100.7957, 4);
  });

  it("reads the 2,357 CDNOW customers", () => {
    expect(rows).toHaveLength(2357);
  });

  it("reproduces the published r, α, a, b to 1e-4 relative", () => {
    expect(fit.converged).toBe(true);
    expectRelative(fit.r, published.r, 1e-4);
    expectRelative(fit.alpha, published.alpha, 1e-4);
    expectRelative(fit.a, published.a, 1e-4);
    expectRelative(fit.b, published.b, 1e-4);
  });

  it("reproduces the published log-likelihood −9582.43", () => {
    expectRelative(fit.logLikelihood, -9582.43, 1e-3);
    expect(fit.logLikelihood).toBeCloseTo(-9582.43, 2);
    expect(bgNbdTotalLogLikelihood(fit, rows)).toBeCloseTo(fit.logLikelihood, 8);
  });

  it("expects 1.2259 purchases in the next 39 weeks from x = 2, t_x = 30.43, T = 38.86, alive with P = 0.72661", () => {
    expect(conditionalExpectedPurchases(fit, 39, 2, 30.43, 38.86)).toBeCloseTo(1.2259, 4);
    expect(probabilityAlive(fit, 2, 30.43, 38.86)).toBeCloseTo(0.72661, 5);
  });

  it("reproduces the unconditional E[X(t)] curve of Hardie's spreadsheet", () => {
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    // Four decimals as published, except t = 78 where the spreadsheet reads 1.8576 and the exact value is 1.85797.
    times.forEach((t, i) =>
      expect(Math.abs(expectedPurchases(fit, t) - expected[i])).toBeLessThan(i === 5 ? 5e-4 : 5e-5)
    );
    // The exact value at t = 78, from an arbitrary-precision (mpmath) evaluation at these estimates.
    expect(expectedPurchases(fit, 78)).toBeCloseTo(1.85797, 5);
  });

  it("gives P(X(39) = 0) = 0.5737864 with the BTYD rounding of the estimates", () => {
    // The published value uses r = 0.243, α = 4.414, a = 0.793, b = 2.426 (BTYD manual, lifetimes tests).
    const rounded = {r: 0.243, alpha: 4.414, a: 0.793, b: 2.426};
    expect(probabilityNoPurchases(rounded, 39)).toBeCloseTo(0.5737864, 7);
    expect(probabilityOfPurchases(rounded, 2, 10)).toBeCloseTo(1.07869e-7, 11);
    // At the unrounded estimates it is (α/(α + 39))^r = 0.57431.
    expect(probabilityNoPurchases(fit, 39)).toBeCloseTo((fit.alpha / (fit.alpha + 39)) ** fit.r, 14);
  });

  it("P(X(t) = n) is a distribution whose mean is E[X(t)]", () => {
    let total = 0;
    let mean = 0;
    for (let n = 0; n < 400; n++) {
      const p = probabilityOfPurchases(fit, 39, n);
      total += p;
      mean += n * p;
    }
    expect(total).toBeCloseTo(1, 12);
    expect(mean).toBeCloseTo(expectedPurchases(fit, 39), 10);
  });

  it("a customer without repeat purchases is certainly alive, and predictions vanish at t = 0", () => {
    expect(probabilityAlive(fit, 0, 0, 38.86)).toBe(1);
    expect(expectedPurchases(fit, 0)).toBe(0);
    expect(conditionalExpectedPurchases(fit, 0, 2, 30.43, 38.86)).toBe(0);
  });

  it("stays accurate for a customer with thousands of purchases, where 2F1 exceeds the double range", () => {
    // Reference values from an arbitrary-precision (mpmath, 50 digits) evaluation at these estimates.
    const params = {r: 0.2425928813456251, alpha: 4.413530395975445, a: 0.7928861207286211, b: 2.42575326410245};
    expectRelative(conditionalExpectedPurchases(params, 39, 2000, 38.86, 38.86), 1374.3487719143527, 1e-10);
    // Silent for 0.86 weeks after buying every 0.02 weeks: almost surely gone.
    expectRelative(conditionalExpectedPurchases(params, 39, 2000, 38, 38.86), 1.2661181231608221e-11, 1e-9);
    expect(Number.isFinite(bgNbdLogLikelihood(params, 2000, 38, 38.86))).toBe(true);
  });

  it("an L2 penalizer shrinks the parameters", () => {
    const penalized = fitBgNbd(rows, {penalizer: 0.01});
    const norm = (p: {r: number; alpha: number; a: number; b: number}): number =>
      p.r ** 2 + p.alpha ** 2 + p.a ** 2 + p.b ** 2;
    expect(norm(penalized)).toBeLessThan(norm(fit));
    expect(penalized.logLikelihood).toBeLessThan(fit.logLikelihood);
  });

  it("rejects a recency beyond the customer's age", () => {
    expect(() => fitBgNbd([{frequency: 1, recency: 5, T: 4}])).toThrow(RangeError);
  });
});
