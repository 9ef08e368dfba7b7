import {describe, expect, it} from "vitest";
import {chooseMethod, compareClusterMethods, comparisonSample, type MethodRow} from "../loaders/cluster-comparison.js";
import {createRandom} from "../loaders/random.js";

function blobs(seed: number, perBlob: number): number[][] {
  const rng = createRandom(seed);
  const centers = [
    [0, 0, 0],
    [6, 0, 0],
    [0, 6, 6]
  ];
  return centers.flatMap((c) => Array.from({length: perBlob}, () => c.map((x) => rng.normal(x, 0.7))));
}

function row(method: MethodRow["method"], silhouette: number, parameters: number, scores = true): MethodRow {
  return {
    method,
    params: {k: 3},
    silhouette,
    calinskiHarabasz: 100,
    daviesBouldin: 0.5,
    ms: 1,
    scoresNewCustomers: scores,
    parameters,
    note: ""
  };
}

describe("compareClusterMethods", () => {
  const points = blobs(21, 150);
  const rows = compareClusterMethods(points, 3, {seed: 4});

  it("scores k-means, Ward and the Gaussian mixture on the same points with the same metrics", () => {
    expect(rows.map((r) => r.method)).toEqual(["k-means", "ward", "gmm"]);
    for (const r of rows) {
      expect(r.params.n).toBe(450);
      expect(r.params.k).toBe(3);
      expect(r.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("gives all three methods a high silhouette on well-separated seeded blobs", () => {
    for (const r of rows) {
      expect(r.silhouette).toBeGreaterThan(0.7);
      expect(r.daviesBouldin).toBeLessThan(0.5);
      expect(r.calinskiHarabasz).toBeGreaterThan(1000);
    }
    // They find the same three blobs, so the scores coincide.
    expect(rows[1].silhouette).toBeCloseTo(rows[0].silhouette, 6);
    expect(rows[2].silhouette).toBeCloseTo(rows[0].silhouette, 6);
  });

  it("states that k-means and the mixture score new customers and Ward does not, with their parameter counts", () => {
    expect(rows.map((r) => r.scoresNewCustomers)).toEqual([true, false, true]);
    // 3 centroids × 3 features; the mixture adds 9 variances and 2 free weights.
    expect(rows.map((r) => r.parameters)).toEqual([9, 9, 20]);
    expect(rows[1].note).toMatch(/nearest-centroid rule/);
  });

  it("picks k-means when the methods tie", () => {
    expect(chooseMethod(rows).method).toBe("k-means");
  });

  it("gives the same metrics for the same seed", () => {
    const again = compareClusterMethods(points, 3, {seed: 4});
    const strip = (rs: MethodRow[]) => rs.map(({ms: _ms, ...r}) => r);
    expect(strip(again)).toEqual(strip(rows));
  });

  it("compares every method on one seeded sample of at most `sample` points", () => {
    const many = blobs(2, 400);
    const sampled = compareClusterMethods(many, 3, {seed: 1, sample: 300});
    expect(sampled.map((r) => r.params.n)).toEqual([300, 300, 300]);
    const chosen = comparisonSample(many, 300, 1);
    expect(chosen).toHaveLength(300);
    expect(new Set(chosen).size).toBe(300);
    expect(comparisonSample(many, 300, 1)).toEqual(chosen);
    expect(comparisonSample(many, 5000, 1)).toBe(many);
  });

  it("rejects k outside 2..n − 1", () => {
    expect(() => compareClusterMethods(points, 1, {seed: 1})).toThrow(RangeError);
    expect(() => compareClusterMethods(points.slice(0, 3), 3, {seed: 1})).toThrow(RangeError);
  });
});

describe("chooseMethod", () => {
  it("keeps k-means when a richer method is better by no more than 0.02", () => {
    const choice = chooseMethod([row("k-means", 0.5, 9), row("ward", 0.51, 9, false), row("gmm", 0.52, 20)]);
    expect(choice.method).toBe("k-means");
    expect(choice.reason).toMatch(/within 0.02 of the best, gmm/);
  });

  it("takes the mixture when its silhouette leads k-means by more than 0.02", () => {
    const choice = chooseMethod([row("k-means", 0.5, 9), row("ward", 0.49, 9, false), row("gmm", 0.55, 20)]);
    expect(choice).toEqual({method: "gmm", reason: expect.stringMatching(/leads k-means/)});
  });

  it("takes Ward when it is clearly best, noting that new customers then need a nearest-centroid rule", () => {
    const choice = chooseMethod([row("k-means", 0.4, 9), row("ward", 0.5, 9, false), row("gmm", 0.41, 20)]);
    expect(choice.method).toBe("ward");
    expect(choice.reason).toMatch(/nearest-centroid rule/);
  });

  it("honours a custom margin and ignores methods without a silhouette", () => {
    expect(chooseMethod([row("k-means", 0.5, 9), row("gmm", 0.52, 20)], {margin: 0.01}).method).toBe("gmm");
    expect(chooseMethod([row("k-means", 0.5, 9), row("gmm", NaN, 20)]).method).toBe("k-means");
    expect(() => chooseMethod([row("gmm", NaN, 20)])).toThrow(RangeError);
  });
});
