import {describe, expect, it} from "vitest";
import {createRandom} from "../loaders/random.js";
import {boostingLogit, fitBoosting} from "../loaders/risk-boosting.js";
import {rocAuc} from "../loaders/risk-evaluation.js";
import {
  encodeRiskMatrix,
  fitRiskFeatureSpec,
  riskRows,
  type DesignMatrix,
  type RiskColumn,
  type RiskData
} from "../loaders/risk-features.js";
import {choleskySolve, fitLogistic, logisticLogit, sigmoid} from "../loaders/risk-logistic.js";
import {
  ALGORITHM_COMPLEXITY,
  fitCandidate,
  parameterCount,
  predictMatrix,
  predictRisk,
  riskCandidates,
  type RiskScorer
} from "../loaders/risk-models.js";
import {fitNaiveBayes, naiveBayesLogit} from "../loaders/risk-naive-bayes.js";

function matrix(rows: number[][]): DesignMatrix {
  return {rows: rows.length, cols: rows[0].length, data: Float64Array.from(rows.flat())};
}

/** n rows of k standard normal columns and labels drawn from sigmoid(intercept + x·beta). */
function simulate(n: number, beta: number[], intercept: number, seed: number) {
  const r = createRandom(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = beta.map(() => r.normal());
    rows.push(x);
    y.push(r.bernoulli(sigmoid(intercept + x.reduce((s, v, j) => s + v * beta[j], 0))) ? 1 : 0);
  }
  return {X: matrix(rows), y: Uint8Array.from(y)};
}

describe("Cholesky solve", () => {
  it("solves a symmetric positive definite system", () => {
    const A = Float64Array.of(4, 2, 0.4, 2, 5, 1, 0.4, 1, 3);
    const x = choleskySolve(A, Float64Array.of(1, 2, 3), 3);
    // A·x = b
    expect(4 * x[0] + 2 * x[1] + 0.4 * x[2]).toBeCloseTo(1, 12);
    expect(2 * x[0] + 5 * x[1] + 1 * x[2]).toBeCloseTo(2, 12);
    expect(0.4 * x[0] + 1 * x[1] + 3 * x[2]).toBeCloseTo(3, 12);
  });

  it("refuses a matrix that is not positive definite", () => {
    expect(() => choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toThrow(/positive definite/);
  });
});

describe("L2 logistic regression", () => {
  it("with one indicator and almost no penalty, predicts the two observed rates", () => {
    // x = 0: 2 late of 10; x = 1: 6 late of 10.
    const rows = [...Array(10).fill([0]), ...Array(10).fill([1])];
    const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
    const model = fitLogistic(matrix(rows), y, {lambda: 1e-8});
    expect(sigmoid(logisticLogit(model, [0]))).toBeCloseTo(0.2, 6);
    expect(sigmoid(logisticLogit(model, [1]))).toBeCloseTo(0.6, 6);
    expect(model.mean).toEqual([0.5]);
    expect(model.scale).toEqual([0.5]);
    // On the standardized scale: (logit 0.6 − logit 0.2) × sd.
    expect(model.coefficients[0]).toBeCloseTo((Math.log(0.6 / 0.4) - Math.log(0.2 / 0.8)) * 0.5, 6);
  });

  it("meets the optimality condition of the penalized objective (gradient zero on the standardized scale)", () => {
    const {X, y} = simulate(3000, [1, -0.5, 0.25, 0], -1.5, 3);
    const lambda = 50;
    const m = fitLogistic(X, y, {lambda});
    const gradient = new Array<number>(X.cols + 1).fill(0);
    for (let i = 0; i < X.rows; i++) {
      const x = X.data.subarray(i * X.cols, (i + 1) * X.cols);
      const residual = sigmoid(logisticLogit(m, x)) - y[i];
      for (let j = 0; j < X.cols; j++) gradient[j] += (residual * (x[j] - m.mean[j])) / m.scale[j];
      gradient[X.cols] += residual;
    }
    for (let j = 0; j < X.cols; j++) gradient[j] += lambda * m.coefficients[j];
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-6);
  });

  it("recovers the generating coefficients on enough data, and shrinks them to zero under a huge penalty", () => {
    const beta = [1, -0.5, 0.25];
    const {X, y} = simulate(20_000, beta, -1, 11);
    const m = fitLogistic(X, y, {lambda: 0.01});
    m.coefficients.forEach((c, j) => expect(c / m.scale[j]).toBeCloseTo(beta[j], 1));
    const flat = fitLogistic(X, y, {lambda: 1e12});
    for (const c of flat.coefficients) expect(Math.abs(c)).toBeLessThan(1e-6);
    const rate = y.reduce((s, v) => s + v, 0) / y.length;
    expect(flat.intercept).toBeCloseTo(Math.log(rate / (1 - rate)), 6);
  });

  it("a warm start reaches the same optimum", () => {
    const {X, y} = simulate(2000, [0.8, -0.3], -1, 5);
    const cold = fitLogistic(X, y, {lambda: 1});
    const warm = fitLogistic(X, y, {lambda: 1, init: fitLogistic(X, y, {lambda: 100})});
    warm.coefficients.forEach((c, j) => expect(c).toBeCloseTo(cold.coefficients[j], 7));
  });
});

describe("gradient-boosted trees", () => {
  // An interaction no linear model can see: late iff exactly one of x0, x1 is positive.
  function xor(n: number, seed: number) {
    const r = createRandom(seed);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = [r.normal(), r.normal(), r.normal()];
      rows.push(x);
      y.push(r.bernoulli(x[0] > 0 !== x[1] > 0 ? 0.8 : 0.1) ? 1 : 0);
    }
    return {X: matrix(rows), y: Uint8Array.from(y)};
  }

  it("learns an interaction that logistic regression cannot", () => {
    const train = xor(4000, 1);
    const test = xor(2000, 2);
    const trees = fitBoosting(train.X, train.y, {depth: 2, maxTrees: 60, seed: 1});
    const linear = fitLogistic(train.X, train.y, {lambda: 1});
    const score = (f: (x: Float64Array) => number) =>
      Float64Array.from({length: test.X.rows}, (_, i) => f(test.X.data.subarray(i * 3, i * 3 + 3)));
    expect(
      rocAuc(
        score((x) => boostingLogit(trees, x)),
        test.y
      )
    ).toBeGreaterThan(0.8);
    expect(
      rocAuc(
        score((x) => logisticLogit(linear, x)),
        test.y
      )
    ).toBeLessThan(0.6);
  });

  it("is deterministic for a seed; early stopping keeps the best number of trees", () => {
    const train = xor(2000, 3);
    const validation = xor(1000, 4);
    const a = fitBoosting(train.X, train.y, {depth: 3, maxTrees: 200, seed: 9, validation, patience: 10});
    const b = fitBoosting(train.X, train.y, {depth: 3, maxTrees: 200, seed: 9, validation, patience: 10});
    const c = fitBoosting(train.X, train.y, {depth: 3, maxTrees: 200, seed: 10, validation, patience: 10});
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
    expect(a.trees.length).toBeGreaterThan(0);
    expect(a.trees.length).toBeLessThan(200);
    // Complete trees in heap order: 2^depth − 1 splits and 2^depth leaves.
    for (const t of a.trees) {
      expect(t.feature).toHaveLength(7);
      expect(t.leaf).toHaveLength(8);
    }
  });

  it("splits 0/1 indicators like any other column", () => {
    const r = createRandom(5);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const flag = r.bernoulli(0.3) ? 1 : 0;
      rows.push([flag, r.normal()]);
      y.push(r.bernoulli(flag ? 0.5 : 0.05) ? 1 : 0);
    }
    const m = fitBoosting(matrix(rows), y, {depth: 2, maxTrees: 30, seed: 1, subsample: 1});
    expect(m.trees[0].feature[0]).toBe(0);
    expect(m.trees[0].threshold[0]).toBe(0);
    const p1 = sigmoid(boostingLogit(m, [1, 0]));
    const p0 = sigmoid(boostingLogit(m, [0, 0]));
    expect(p1).toBeGreaterThan(0.4);
    expect(p0).toBeLessThan(0.1);
  });
});

describe("naive Bayes", () => {
  it("matches the hand-computed Gaussian and Bernoulli log-likelihood ratio", () => {
    // Column 0 numeric, column 1 binary. On time (y = 0): x0 = 1, 3; x1 = 0, 1. Late (y = 1): x0 = 4, 6, 8; x1 = 1, 1, 0.
    const X = matrix([
      [1, 0],
      [3, 1],
      [4, 1],
      [6, 1],
      [8, 0]
    ]);
    const y = [0, 0, 1, 1, 1];
    const columns: RiskColumn[] = [
      {name: "x0", kind: "numeric"},
      {name: "x1", kind: "binary"}
    ];
    const m = fitNaiveBayes(X, y, columns, {alpha: 1, varSmoothing: 0});
    // Means 2 and 6, variances (population) 1 and 8/3; Bernoulli (1 + 1)/(2 + 2) = 0.5 and (2 + 1)/(3 + 2) = 0.6.
    expect(m.gaussian[0].mean).toEqual([2, 6]);
    expect(m.gaussian[0].variance[1]).toBeCloseTo(8 / 3, 12);
    expect(m.bernoulli[0].p).toEqual([0.5, 0.6]);
    const x = [5, 1];
    const logNormal = (v: number, mu: number, s2: number) =>
      -0.5 * Math.log(2 * Math.PI * s2) - (v - mu) ** 2 / (2 * s2);
    const expected = Math.log(3 / 2) + logNormal(5, 6, 8 / 3) - logNormal(5, 2, 1) + Math.log(0.6) - Math.log(0.5);
    expect(naiveBayesLogit(m, x)).toBeCloseTo(expected, 12);
    const expected0 = Math.log(3 / 2) + logNormal(5, 6, 8 / 3) - logNormal(5, 2, 1) + Math.log(0.4) - Math.log(0.5);
    expect(naiveBayesLogit(m, [5, 0])).toBeCloseTo(expected0, 12);
  });
});

describe("predictRisk: one scoring function for evaluation and the API", () => {
  // A small registry: two payers with different habits, so every algorithm has something to fit.
  function registry(): RiskData {
    const r = createRandom(21);
    const bills: RiskData["bills"][number][] = [];
    const installments: RiskData["installments"][number][] = [];
    for (let i = 0; i < 400; i++) {
      const payer = r.bernoulli(0.5) ? "P1" : "P2";
      const day = 19_000 + i;
      const id = `B${i}`;
      bills.push({
        bill_id: id,
        participant_id: r.bernoulli(0.5) ? "X1" : "X2",
        assignor_id: "A1",
        payer_id: payer,
        kind: r.bernoulli(0.3) ? "services" : "goods",
        ballast: "nfe_key",
        state: "active",
        registered_at: day * 86_400_000 + 43_200_000,
        value: Math.round(r.lognormal(7, 1) * 100) / 100
      });
      const late = r.bernoulli(payer === "P1" ? 0.4 : 0.05);
      installments.push({
        bill_id: id,
        number: 1,
        due_date: (day + 30) * 86_400_000,
        value: bills[i].value,
        paid_at: late ? null : (day + 30) * 86_400_000
      });
    }
    return {
      bills,
      installments,
      parties: new Map([
        ["P1", {uf: "SP", segment: "retail", person_type: "PJ"}],
        ["P2", {uf: "MG", segment: "retail", person_type: "PJ"}]
      ])
    };
  }

  it("gives, for every algorithm, exactly the probabilities of the matrix path, also after a JSON round trip", () => {
    const rows = riskRows(registry());
    const y = rows.map((r) => (r.paid_day === null ? 1 : 0));
    const spec = fitRiskFeatureSpec(rows, y, {minCategoryRows: 1});
    const X = encodeRiskMatrix(spec, rows);
    for (const candidate of riskCandidates(7).filter((c) => c.params.lambda !== 0.1)) {
      const estimator = fitCandidate(
        candidate.algorithm === "boosting" ? {...candidate, params: {...candidate.params, maxTrees: 20}} : candidate,
        X,
        y,
        {spec}
      );
      const model: RiskScorer = {features: spec, estimator};
      const restored = JSON.parse(JSON.stringify(model)) as RiskScorer;
      const batch = predictMatrix(estimator, X);
      rows.forEach((r, i) => {
        expect(predictRisk(model, r.features)).toBe(batch[i]);
        expect(predictRisk(restored, r.features)).toBe(batch[i]);
      });
      expect(rocAuc(batch, y)).toBeGreaterThan(0.6);
      expect(parameterCount(estimator)).toBeGreaterThan(1);
    }
  });

  it("candidates come in a fixed order with a complexity for each algorithm", () => {
    const candidates = riskCandidates(42);
    expect(candidates.map((c) => c.algorithm)).toEqual([
      ...Array(6).fill("logistic"),
      "naive-bayes",
      "boosting",
      "boosting"
    ]);
    expect(ALGORITHM_COMPLEXITY.logistic).toBeLessThan(ALGORITHM_COMPLEXITY["naive-bayes"]);
    expect(ALGORITHM_COMPLEXITY["naive-bayes"]).toBeLessThan(ALGORITHM_COMPLEXITY.boosting);
  });
});
