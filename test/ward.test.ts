import {describe, expect, it} from "vitest";
import {adjustedRandIndex} from "../loaders/cluster-quality.js";
import {createRandom} from "../loaders/random.js";
import {cutLinkage, wardClustering, wardLinkage} from "../loaders/ward.js";

/** Greedy Ward by definition: merge the pair with the smallest 2·nₐ·n_b/(nₐ+n_b)·‖cₐ − c_b‖², O(n³). */
function naiveWardHeights(points: number[][]): number[] {
  const clusters = points.map((p) => ({size: 1, centroid: [...p]}));
  const heights: number[] = [];
  while (clusters.length > 1) {
    let best = {a: 0, b: 1, cost: Infinity};
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        const ca = clusters[a];
        const cb = clusters[b];
        const squared = ca.centroid.reduce((s, x, d) => s + (x - cb.centroid[d]) ** 2, 0);
        const cost = ((2 * ca.size * cb.size) / (ca.size + cb.size)) * squared;
        if (cost < best.cost) best = {a, b, cost};
      }
    }
    const ca = clusters[best.a];
    const cb = clusters[best.b];
    const size = ca.size + cb.size;
    const centroid = ca.centroid.map((x, d) => (x * ca.size + cb.centroid[d] * cb.size) / size);
    clusters.splice(best.b, 1);
    clusters[best.a] = {size, centroid};
    heights.push(Math.sqrt(best.cost));
  }
  return heights;
}

function blobs(seed: number, centers: number[][], perBlob: number, sd: number): number[][] {
  const rng = createRandom(seed);
  return centers.flatMap((c) => Array.from({length: perBlob}, () => c.map((x) => rng.normal(x, sd))));
}

describe("wardLinkage", () => {
  it("merges [0, 1, 5, 6, 20] as scipy's linkage(X, 'ward') does, with heights worked out by hand", () => {
    // {0,1} and {5,6} join at 1; they join each other at sqrt(2·2·2/4)·5 = sqrt(50); 20 joins last at
    // sqrt(2·4·1/5)·17 = sqrt(462.4).
    const merges = wardLinkage([[0], [1], [5], [6], [20]]);
    expect(merges.map(({a, b, size}) => [a, b, size])).toEqual([
      [0, 1, 2],
      [2, 3, 2],
      [5, 6, 4],
      [4, 7, 5]
    ]);
    const heights = merges.map((m) => m.height);
    [1, 1, Math.sqrt(50), Math.sqrt(462.4)].forEach((h, i) => expect(heights[i]).toBeCloseTo(h, 12));
  });

  it("gives the same merge heights as greedy merging by Ward's definition on random 3-D points", () => {
    const rng = createRandom(7);
    const points = Array.from({length: 60}, () => [rng.normal(), rng.normal(), rng.normal()]);
    const heights = wardLinkage(points).map((m) => m.height);
    const expected = naiveWardHeights(points);
    expect(heights).toHaveLength(59);
    heights.forEach((h, i) => expect(Math.abs(h - expected[i])).toBeLessThan(1e-9));
  });

  it("has squared heights summing to twice the total sum of squares, since each merge adds height²/2 to the SSE", () => {
    const rng = createRandom(3);
    const points = Array.from({length: 200}, () => [rng.normal(0, 2), rng.uniform(-1, 1)]);
    const mean = [0, 1].map((d) => points.reduce((s, p) => s + p[d], 0) / points.length);
    const total = points.reduce((s, p) => s + (p[0] - mean[0]) ** 2 + (p[1] - mean[1]) ** 2, 0);
    const sum = wardLinkage(points).reduce((s, m) => s + m.height ** 2 / 2, 0);
    expect(Math.abs(sum - total) / total).toBeLessThan(1e-10);
  });

  it("lists heights in non-decreasing order with cluster ids numbered like scipy", () => {
    const merges = wardLinkage(
      blobs(
        11,
        [
          [0, 0],
          [4, 4]
        ],
        30,
        1
      )
    );
    merges.forEach((m, i) => {
      if (i > 0) expect(m.height).toBeGreaterThanOrEqual(merges[i - 1].height);
      expect(m.a).toBeLessThan(m.b);
      expect(m.b).toBeLessThan(60 + i);
    });
    expect(merges.at(-1)!.size).toBe(60);
  });
});

describe("wardClustering", () => {
  it("cuts [0, 1, 5, 6, 20] into {0, 1, 5, 6} | {20} for k = 2 and {0, 1} | {5, 6} | {20} for k = 3", () => {
    const points = [[0], [1], [5], [6], [20]];
    expect(Array.from(wardClustering(points, 2))).toEqual([0, 0, 0, 0, 1]);
    expect(Array.from(wardClustering(points, 3))).toEqual([0, 0, 1, 1, 2]);
  });

  it("numbers clusters by first appearance, so the same partition always gets the same labels", () => {
    expect(Array.from(wardClustering([[20], [0], [6], [1], [5]], 3))).toEqual([0, 1, 2, 1, 2]);
  });

  it("separates two well-separated blobs exactly", () => {
    const points = blobs(
      5,
      [
        [0, 0, 0],
        [10, 10, 10]
      ],
      50,
      1
    );
    const labels = wardClustering(points, 2);
    expect(Array.from(labels)).toEqual([...new Array(50).fill(0), ...new Array(50).fill(1)]);
  });

  it("finds the same partition whatever the row order", () => {
    const points = blobs(
      9,
      [
        [0, 0],
        [5, 0],
        [0, 5]
      ],
      40,
      1
    );
    const order = createRandom(1).shuffle(points.map((_, i) => i));
    const shuffled = wardClustering(
      order.map((i) => points[i]),
      3
    );
    const direct = wardClustering(points, 3);
    expect(
      adjustedRandIndex(
        Array.from(order, (i) => direct[i]),
        shuffled
      )
    ).toBe(1);
  });

  it("puts every point in one cluster for k = 1 and in its own for k = n", () => {
    const points = [[0], [3], [7]];
    expect(Array.from(wardClustering(points, 1))).toEqual([0, 0, 0]);
    expect(Array.from(cutLinkage(wardLinkage(points), 3, 3))).toEqual([0, 1, 2]);
  });

  it("rejects k outside 1..n and rows of different length", () => {
    expect(() => wardClustering([[0], [1]], 3)).toThrow(RangeError);
    expect(() => wardClustering([[0], [1]], 0)).toThrow(RangeError);
    expect(() => wardClustering([[0, 1], [1]], 1)).toThrow(RangeError);
  });
});
