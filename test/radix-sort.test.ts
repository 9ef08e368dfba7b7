import {describe, expect, it} from "vitest";
import {ascendingOrder} from "../loaders/radix-sort.js";
import {averageRanks} from "../loaders/hypothesis.js";
import {createRandom} from "../loaders/random.js";

function comparatorOrder(values: Float64Array): number[] {
  return Array.from(values, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
}

describe("ascendingOrder", () => {
  it("orders negatives, zeros, fractions and huge values like a comparator sort, keeping ties stable", () => {
    const random = createRandom(7);
    const values = Float64Array.from({length: 5000}, () => {
      const kind = random.next();
      if (kind < 0.1) return 0;
      if (kind < 0.2) return Math.round(random.next() * 10) - 5;
      return (random.next() - 0.5) * 10 ** Math.floor(random.next() * 12 - 4);
    });
    expect(Array.from(ascendingOrder(values))).toEqual(comparatorOrder(values));
  });

  it("puts -0 before +0 and leaves an empty input empty", () => {
    expect(Array.from(ascendingOrder(Float64Array.of(0, -0, -1)))).toEqual([2, 1, 0]);
    expect(ascendingOrder(new Float64Array(0))).toHaveLength(0);
  });
});

describe("averageRanks on large inputs", () => {
  it("gives the same ranks and tie groups on the counting path (whole numbers) as on the sorting path", () => {
    const random = createRandom(11);
    const whole = Float64Array.from({length: 4096}, () => Math.floor(random.next() * 300));
    // The same order with a fractional offset takes the radix path.
    const fractional = whole.map((v) => v + 0.5);
    const a = averageRanks(whole);
    const b = averageRanks(fractional);
    expect(Array.from(a.ranks)).toEqual(Array.from(b.ranks));
    expect(a.ties).toEqual(b.ties);
    expect(a.ranks.reduce((s, r) => s + r, 0)).toBe((4096 * 4097) / 2);
  });
});
