import {describe, expect, it} from "vitest";
import {
  adjustedRandIndex,
  calinskiHarabasz,
  daviesBouldin,
  silhouetteSampled,
  silhouetteSamples,
  silhouetteScore
} from "../loaders/cluster-quality.js";
import {createRandom} from "../loaders/random.js";

const TOLERANCE = 1e-9;

function expectClose(actual: number, expected: number, tolerance = TOLERANCE): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

// VECTORS.md, scikit-learn definitions.
const vectors = [
  {
    X: [
      [0, 1],
      [1, 1],
      [3, 4]
    ],
    labels: [0, 0, 1],
    silhouette: 0.4956492138,
    calinskiHarabasz: 20.3333333,
    daviesBouldin: 0.1280368799
  },
  {
    X: [
      [1, 2],
      [1, 4],
      [1, 0],
      [10, 2],
      [10, 4],
      [10, 0]
    ],
    labels: [0, 0, 0, 1, 1, 1],
    silhouette: 0.7133477792,
    calinskiHarabasz: 30.375,
    daviesBouldin: 0.2962962963
  },
  {
    X: [
      [1, 2],
      [1, 4],
      [1, 0],
      [4, 2],
      [4, 4],
      [4, 0]
    ],
    labels: [0, 0, 0, 1, 1, 1],
    silhouette: 0.2871407975,
    calinskiHarabasz: 3.375,
    daviesBouldin: 0.8888888889
  }
];

/** Three Gaussian blobs in 3-D. */
function blobs(n: number, seed: number): {X: number[][]; labels: number[]} {
  const rng = createRandom(seed);
  const centers = [
    [0, 0, 0],
    [4, 0, 1],
    [0, 5, -2]
  ];
  const labels = Array.from({length: n}, () => rng.integer(0, 2));
  const X = labels.map((label) => centers[label].map((c) => rng.normal(c, 1.2)));
  return {X, labels};
}

describe("silhouette", () => {
  it.each(vectors)("reproduces scikit-learn's silhouette_score $silhouette", ({X, labels, silhouette}) => {
    expectClose(silhouetteScore(X, labels), silhouette);
  });

  it("scores each point as (b − a) / max(a, b), and a singleton as 0", () => {
    const samples = silhouetteSamples(vectors[0].X, vectors[0].labels);
    const b0 = Math.hypot(3, 3);
    const b1 = Math.hypot(2, 3);
    expectClose(samples[0], (b0 - 1) / b0, 1e-15);
    expectClose(samples[1], (b1 - 1) / b1, 1e-15);
    expect(samples[2]).toBe(0);
  });

  it("does not depend on label names, label order or typed rows", () => {
    const {X, labels} = vectors[1];
    const renamed = labels.map((l) => (l === 0 ? "high" : "low"));
    expect(silhouetteScore(X, renamed)).toBe(silhouetteScore(X, labels));
    const typed = X.map((row) => Float64Array.from(row));
    expect(silhouetteScore(typed, labels)).toBe(silhouetteScore(X, labels));
  });

  it("gives 0 to points whose own and nearest cluster are both at distance 0", () => {
    const X = [[1], [1], [1], [1]];
    expect(Array.from(silhouetteSamples(X, [0, 0, 1, 1]))).toEqual([0, 0, 0, 0]);
  });

  it("needs between 2 and n − 1 clusters, as scikit-learn", () => {
    expect(() => silhouetteScore([[0], [1], [2]], [0, 0, 0])).toThrow(RangeError);
    expect(() => silhouetteScore([[0], [1], [2]], [0, 1, 2])).toThrow(RangeError);
    expect(() => silhouetteScore([[0], [1, 2]], [0, 1])).toThrow(RangeError);
    expect(() => silhouetteScore([[0], [1]], [0])).toThrow(RangeError);
  });

  it("scores 5,000 well-separated points exactly", () => {
    const {X, labels} = blobs(5000, 1);
    const score = silhouetteScore(X, labels);
    expect(score).toBeGreaterThan(0.3);
    expect(score).toBeLessThan(1);
  });
});

describe("sampled silhouette", () => {
  const {X, labels} = blobs(3000, 2);
  const exact = silhouetteScore(X, labels);

  it("estimates the exact score within a few standard errors", () => {
    const estimate = silhouetteSampled(X, labels, {sampleSize: 400, seed: 9});
    expect(estimate.sampleSize).toBe(400);
    expect(estimate.standardError).toBeGreaterThan(0);
    expect(estimate.standardError).toBeLessThan(0.02);
    expect(Math.abs(estimate.score - exact)).toBeLessThan(4 * estimate.standardError);
  });

  it("is reproducible for a seed and varies across seeds", () => {
    expect(silhouetteSampled(X, labels, {sampleSize: 200, seed: 1})).toEqual(
      silhouetteSampled(X, labels, {sampleSize: 200, seed: 1})
    );
    expect(silhouetteSampled(X, labels, {sampleSize: 200, seed: 1}).score).not.toBe(
      silhouetteSampled(X, labels, {sampleSize: 200, seed: 2}).score
    );
  });

  it("falls back to the exact score, with standard error 0, when the sample covers every point", () => {
    expect(silhouetteSampled(vectors[1].X, vectors[1].labels, {sampleSize: 10})).toEqual({
      score: silhouetteScore(vectors[1].X, vectors[1].labels),
      sampleSize: 6,
      standardError: 0
    });
  });
});

describe("Calinski-Harabasz", () => {
  it.each(vectors)("reproduces scikit-learn's calinski_harabasz_score $calinskiHarabasz", (v) => {
    expectClose(calinskiHarabasz(v.X, v.labels), v.calinskiHarabasz, 1e-7);
  });

  it("gives exactly 61/3 on the first vector, the 7-digit figure of VECTORS.md", () => {
    expectClose(calinskiHarabasz(vectors[0].X, vectors[0].labels), 61 / 3, 1e-12);
  });

  it("returns 1 when every cluster is a single repeated point, as scikit-learn", () => {
    expect(
      calinskiHarabasz(
        [
          [0, 0],
          [0, 0],
          [5, 5]
        ],
        [0, 0, 1]
      )
    ).toBe(1);
  });
});

describe("Davies-Bouldin", () => {
  it.each(vectors)("reproduces scikit-learn's davies_bouldin_score $daviesBouldin", (v) => {
    expectClose(daviesBouldin(v.X, v.labels), v.daviesBouldin);
  });

  it("returns 0 when all clusters have zero spread, as scikit-learn", () => {
    expect(daviesBouldin([[0], [0], [3], [3]], [0, 0, 1, 1])).toBe(0);
  });
});

describe("adjusted Rand index", () => {
  it.each([
    [[0, 0, 1, 1], [0, 0, 1, 1], 1],
    [[0, 0, 1, 2], [0, 0, 1, 1], 0.5714285714],
    [[0, 0, 0, 0], [0, 1, 2, 3], 0],
    [[0, 0, 1, 1], [0, 1, 0, 1], -0.5],
    [[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2], 8 / 33]
  ])("scores %j against %j as %d", (a, b, expected) => {
    expectClose(adjustedRandIndex(a, b), expected);
  });

  it("is symmetric and ignores label names", () => {
    const a = [0, 0, 0, 1, 1, 1];
    const b = [0, 0, 1, 1, 2, 2];
    expect(adjustedRandIndex(b, a)).toBe(adjustedRandIndex(a, b));
    expect(adjustedRandIndex(["x", "x", "x", "y", "y", "y"], [7, 7, 3, 3, 9, 9])).toBe(adjustedRandIndex(a, b));
  });

  it("is 1 for identical partitions, including a single cluster", () => {
    expect(adjustedRandIndex([5, 5, 5], [1, 1, 1])).toBe(1);
    expect(adjustedRandIndex([], [])).toBe(1);
  });

  it("rejects label lists of different length", () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(RangeError);
  });
});
