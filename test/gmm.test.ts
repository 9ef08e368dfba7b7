import {describe, expect, it} from "vitest";
import {fitGmm, predictGmm} from "../loaders/gmm.js";
import {createRandom} from "../loaders/random.js";

/** A seeded draw from 0.3·N((0, 0), diag(1, 1)) + 0.7·N((6, 3), diag(0.25, 4)), with the true component. */
function mixture(seed: number, n: number): {points: number[][]; truth: number[]} {
  const rng = createRandom(seed);
  const truth = Array.from({length: n}, () => (rng.bernoulli(0.3) ? 0 : 1));
  const points = truth.map((c) =>
    c === 0 ? [rng.normal(0, 1), rng.normal(0, 1)] : [rng.normal(6, 0.5), rng.normal(3, 2)]
  );
  return {points, truth};
}

describe("fitGmm", () => {
  const {points, truth} = mixture(42, 3000);
  const model = fitGmm(points, 2, {seed: 1});

  it("recovers the weights, means and variances of a seeded two-component mixture", () => {
    expect(model.converged).toBe(true);
    expect(model.weights[0]).toBeCloseTo(0.3, 1);
    expect(model.weights[1]).toBeCloseTo(0.7, 1);
    const expectedMeans = [
      [0, 0],
      [6, 3]
    ];
    const expectedVariances = [
      [1, 1],
      [0.25, 4]
    ];
    for (let c = 0; c < 2; c++) {
      for (let d = 0; d < 2; d++) {
        expect(Math.abs(model.means[c][d] - expectedMeans[c][d])).toBeLessThan(0.15);
        expect(Math.abs(model.variances[c][d] / expectedVariances[c][d] - 1)).toBeLessThan(0.15);
      }
    }
  });

  it("labels nearly every point with the component that generated it", () => {
    const agree = truth.filter((c, i) => c === model.labels[i]).length;
    expect(agree / truth.length).toBeGreaterThan(0.98);
  });

  it("reports weights summing to one, a likelihood that is n times the mean, and BIC from 2k·dim + k − 1 parameters", () => {
    expect(model.weights[0] + model.weights[1]).toBeCloseTo(1, 12);
    expect(model.logLikelihood).toBeCloseTo(model.meanLogLikelihood * 3000, 6);
    expect(model.parameters).toBe(9);
    expect(model.bic).toBeCloseTo(-2 * model.logLikelihood + 9 * Math.log(3000), 6);
  });

  it("prefers two components to one by BIC on that mixture", () => {
    expect(model.bic).toBeLessThan(fitGmm(points, 1, {seed: 1}).bic);
  });

  it("gives the same fit for the same seed", () => {
    const again = fitGmm(points, 2, {seed: 1});
    expect(again.means).toEqual(model.means);
    expect(Array.from(again.labels)).toEqual(Array.from(model.labels));
    expect(again.iterations).toBe(model.iterations);
  });

  it("keeps variances at the floor of 1e-6 when a component's points coincide", () => {
    const fit = fitGmm([[0], [0], [0], [10], [10], [10]], 2, {seed: 3});
    expect(fit.converged).toBe(true);
    fit.weights.forEach((w) => expect(w).toBeCloseTo(0.5, 12));
    fit.means.forEach((m, c) => expect(m[0]).toBeCloseTo(10 * c, 12));
    fit.variances.forEach((v) => expect(v[0]).toBeCloseTo(1e-6, 15));
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(Array.from(fit.labels)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it("stops after maxIterations without claiming convergence", () => {
    const fit = fitGmm(points, 3, {seed: 1, maxIterations: 1, tol: 1e-12});
    expect(fit.iterations).toBe(1);
    expect(fit.converged).toBe(false);
  });

  it("rejects k outside 1..n and non-finite values", () => {
    expect(() => fitGmm([[0], [1]], 3)).toThrow(RangeError);
    expect(() => fitGmm([[0], [NaN]], 1)).toThrow(RangeError);
  });
});

describe("predictGmm", () => {
  const model = {
    k: 2,
    dim: 1,
    weights: [0.5, 0.5],
    means: [[0], [4]],
    variances: [[1], [1]]
  };

  it("splits a point midway between two equal components fifty-fifty, ties going to the lower index", () => {
    const p = predictGmm(model, [2]);
    expect(p.cluster).toBe(0);
    expect(p.probabilities[0]).toBeCloseTo(0.5, 12);
    // log p(2) = log N(2 | 0, 1), both halves being equal.
    expect(p.logDensity).toBeCloseTo(-0.5 * Math.log(2 * Math.PI) - 2, 12);
  });

  it("assigns a point to the component that makes it most probable", () => {
    const p = predictGmm(model, [3.5]);
    expect(p.cluster).toBe(1);
    // log-odds (3.5² − 0.5²) / 2 = 6.
    expect(p.probabilities[1]).toBeCloseTo(1 / (1 + Math.exp(-6)), 12);
    expect(p.probabilities[0] + p.probabilities[1]).toBeCloseTo(1, 12);
  });

  it("agrees with the training labels of a fitted model", () => {
    const {points} = mixture(8, 400);
    const fit = fitGmm(points, 2, {seed: 2});
    expect(points.map((p) => predictGmm(fit, p).cluster)).toEqual(Array.from(fit.labels));
  });
});
