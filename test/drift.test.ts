import {describe, expect, it} from "vitest";
import {
  binCounts,
  jensenShannonDistance,
  ksStatistic,
  psiFromProportions,
  psiFromSamples,
  psiStatus
} from "../loaders/drift.js";
import {createRandom} from "../loaders/random.js";

const E = [0.25, 0.25, 0.25, 0.25];
const A = [0.1, 0.2, 0.3, 0.4];
const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => from + i);

describe("population stability index", () => {
  it("gives 0.228217 for E = [.25,.25,.25,.25], A = [.1,.2,.3,.4]", () => {
    const result = psiFromProportions(E, A);
    expect(result.psi).toBeCloseTo(0.228217, 6);
    expect(result.contributions.reduce((s, c) => s + c, 0)).toBe(result.psi);
  });

  it("accepts counts as well as proportions", () => {
    expect(psiFromProportions([25, 25, 25, 25], [10, 20, 30, 40]).psi).toBeCloseTo(0.228217, 6);
  });

  it("is 0 for identical distributions and symmetric in E and A", () => {
    expect(psiFromProportions(A, A).psi).toBe(0);
    expect(psiFromProportions(A, E).psi).toBeCloseTo(psiFromProportions(E, A).psi, 15);
  });

  it("floors an empty bin at epsilon, giving a large but finite term, and leaves other bins untouched", () => {
    const result = psiFromProportions([0.5, 0.5, 0], [0.5, 0.3, 0.2]);
    const epsilon = 1e-4;
    expect(result.contributions[1]).toBeCloseTo((0.3 - 0.5) * Math.log(0.3 / 0.5), 15);
    expect(result.contributions[2]).toBeCloseTo((0.2 - epsilon) * Math.log(0.2 / epsilon), 15);
    expect(Number.isFinite(result.psi)).toBe(true);
    expect(psiFromProportions([0.5, 0.5, 0], [0.5, 0.3, 0.2], {epsilon: 1e-6}).psi).toBeGreaterThan(result.psi);
  });

  it("bins both samples at the expected sample's deciles", () => {
    const expected = range(1, 100);
    const result = psiFromSamples(expected, expected);
    expect(result.psi).toBe(0);
    expect(result.edges).toHaveLength(9);
    expect(result.expected).toEqual(Array.from({length: 10}, () => 0.1));
  });

  it("counts actual values beyond the expected range in the open outer bins", () => {
    const result = psiFromSamples(range(1, 100), range(51, 150), {bins: 4});
    // Quartile edges 25.75, 50.5, 75.25: three quarters of the actual sample lie above 75.25.
    expect(result.edges).toEqual([25.75, 50.5, 75.25]);
    expect(result.actual).toEqual([0, 0, 0.25, 0.75]);
    const manual = psiFromProportions([0.25, 0.25, 0.25, 0.25], [0, 0, 0.25, 0.75]).psi;
    expect(result.psi).toBe(manual);
    expect(psiStatus(result.psi)).toBe("red");
  });

  it("merges repeated quantiles, so heavily tied data get fewer bins", () => {
    const expected = [...Array.from({length: 80}, () => 0), ...range(1, 20)];
    const result = psiFromSamples(expected, expected);
    expect(result.edges[0]).toBe(0);
    expect(new Set(result.edges).size).toBe(result.edges.length);
    expect(result.expected[0]).toBe(0.8);
  });

  it("detects a shift in a large sample but not a resample of the same distribution", () => {
    const rng = createRandom(3);
    const reference = Array.from({length: 20_000}, () => rng.normal());
    const same = Array.from({length: 20_000}, () => rng.normal());
    const shifted = Array.from({length: 20_000}, () => rng.normal(0.5));
    expect(psiStatus(psiFromSamples(reference, same).psi)).toBe("green");
    expect(psiFromSamples(reference, shifted).psi).toBeGreaterThan(0.2);
  });

  it("puts values on an edge in the lower bin (right-closed bins)", () => {
    expect(binCounts([1, 2, 2.5, 3, 4], [2, 3])).toEqual([2, 2, 1]);
  });

  it("rejects mismatched bins, negative proportions and non-finite values", () => {
    expect(() => psiFromProportions([0.5, 0.5], [1])).toThrow(RangeError);
    expect(() => psiFromProportions([1.5, -0.5], [0.5, 0.5])).toThrow(RangeError);
    expect(() => psiFromSamples([1, 2, NaN], [1, 2])).toThrow(RangeError);
    expect(() => psiFromProportions([0, 0], [1, 1])).toThrow(RangeError);
  });
});

describe("psiStatus", () => {
  it.each([
    [0, "green"],
    [0.0999, "green"],
    [0.1, "amber"],
    [0.25, "amber"],
    [0.2501, "red"],
    [3, "red"]
  ] as const)("reads PSI %d as %s", (psi, status) => {
    expect(psiStatus(psi)).toBe(status);
  });

  it("rejects a negative or missing PSI", () => {
    expect(() => psiStatus(-0.1)).toThrow(RangeError);
    expect(() => psiStatus(NaN)).toThrow(RangeError);
  });
});

describe("Jensen-Shannon distance", () => {
  it("gives 0.166930 for the same E and A, with natural logarithms", () => {
    expect(jensenShannonDistance(E, A)).toBeCloseTo(0.16693, 6);
  });

  it("is 0 for identical distributions and sqrt(ln 2) for disjoint ones", () => {
    expect(jensenShannonDistance(A, A)).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 15);
  });

  it("normalises counts and is symmetric", () => {
    expect(jensenShannonDistance([1, 1, 1, 1], [1, 2, 3, 4])).toBeCloseTo(0.16693, 6);
    expect(jensenShannonDistance(A, E)).toBeCloseTo(jensenShannonDistance(E, A), 15);
  });
});

describe("two-sample Kolmogorov-Smirnov", () => {
  it("gives D = 0.4 for [1..5] against [3..7]", () => {
    expect(ksStatistic([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])).toBeCloseTo(0.4, 15);
  });

  it("handles ties across samples, unequal sizes and order", () => {
    // scipy.stats.ks_2samp([1, 1, 2, 2, 3], [2, 2, 2]).statistic = 0.4
    expect(ksStatistic([2, 1, 3, 2, 1], [2, 2, 2])).toBeCloseTo(0.4, 15);
    expect(ksStatistic([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatistic([1, 2], [10, 20, 30])).toBe(1);
  });
});
