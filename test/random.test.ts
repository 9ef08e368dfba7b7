import {describe, expect, it} from "vitest";
import {createRandom, logFactorial, xoshiro128StarStar} from "../loaders/random.js";

function mean(values: number[]): number {
  return values.reduce((sum, x) => sum + x, 0) / values.length;
}

function variance(values: number[]): number {
  const m = mean(values);
  return values.reduce((sum, x) => sum + (x - m) ** 2, 0) / (values.length - 1);
}

function draw(n: number, f: () => number): number[] {
  return Array.from({length: n}, f);
}

describe("xoshiro128StarStar", () => {
  it("reproduces the reference output of xoshiro128** from state [1, 2, 3, 4]", () => {
    const next = xoshiro128StarStar(1, 2, 3, 4);
    expect(Array.from({length: 10}, next)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804
    ]);
  });
});

describe("createRandom", () => {
  it("gives the same stream for the same seed, across every helper", () => {
    const run = (seed: number) => {
      const rng = createRandom(seed);
      return [
        ...draw(5, () => rng.next()),
        ...draw(5, () => rng.normal()),
        ...draw(5, () => rng.gamma(0.7, 2)),
        ...draw(5, () => rng.poisson(3)),
        ...draw(5, () => rng.poisson(40)),
        ...draw(5, () => rng.lognormal(1, 0.5)),
        rng.choice(["a", "b", "c"], [1, 2, 3]),
        ...rng.sampleIndices(10, 4),
        ...rng.shuffle([1, 2, 3, 4, 5])
      ];
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it("keeps a fixed stream for a fixed seed, so stored fixtures stay valid", () => {
    const rng = createRandom(12345);
    const first = draw(3, () => rng.nextUint32());
    const again = createRandom(12345);
    expect(first).toEqual(draw(3, () => again.nextUint32()));
    // Pinned values: a change to the generator or the seeding must be deliberate.
    expect(first).toEqual([518667457, 440444462, 4232892992]);
  });

  it("gives unrelated streams for neighbouring seeds", () => {
    const one = createRandom(1);
    const two = createRandom(2);
    const a = draw(1000, () => one.next());
    const b = draw(1000, () => two.next());
    const ma = mean(a);
    const mb = mean(b);
    const cov = a.reduce((sum, x, i) => sum + (x - ma) * (b[i] - mb), 0) / 999;
    expect(Math.abs(cov / Math.sqrt(variance(a) * variance(b)))).toBeLessThan(0.1);
  });

  it("forks deterministic child streams that differ from the parent", () => {
    const parent1 = createRandom(7);
    const parent2 = createRandom(7);
    const child1 = parent1.fork();
    const child2 = parent2.fork();
    expect(draw(10, () => child1.next())).toEqual(draw(10, () => child2.next()));
    expect(draw(10, () => parent1.next())).not.toEqual(draw(10, () => child1.next()));
  });

  it("draws uniforms in [0, 1) with mean 1/2 and variance 1/12", () => {
    const rng = createRandom(1);
    const values = draw(100_000, () => rng.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean(values)).toBeCloseTo(0.5, 2);
    expect(variance(values)).toBeCloseTo(1 / 12, 2);
    const u = draw(1000, () => rng.uniform(-3, 5));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...u)).toBeLessThan(5);
  });

  it("draws integers in [min, max] including both ends", () => {
    const rng = createRandom(2);
    const values = draw(10_000, () => rng.integer(1, 6));
    expect(new Set(values)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(() => rng.integer(3, 1)).toThrow(RangeError);
  });

  it("draws normals with the requested mean and sd", () => {
    const rng = createRandom(3);
    const values = draw(100_000, () => rng.normal(10, 2));
    expect(mean(values)).toBeCloseTo(10, 1);
    expect(Math.sqrt(variance(values))).toBeCloseTo(2, 1);
  });

  it("draws lognormals whose logarithm has the requested mean and sd", () => {
    const rng = createRandom(4);
    const logs = draw(100_000, () => Math.log(rng.lognormal(3, 0.5)));
    expect(mean(logs)).toBeCloseTo(3, 1);
    expect(Math.sqrt(variance(logs))).toBeCloseTo(0.5, 1);
  });

  it("draws gammas with mean kθ and variance kθ², also for shape below 1", () => {
    const rng = createRandom(5);
    for (const [shape, scale] of [
      [0.5, 2],
      [3, 1.5],
      [20, 0.1]
    ]) {
      const values = draw(100_000, () => rng.gamma(shape, scale));
      expect(mean(values) / (shape * scale)).toBeCloseTo(1, 1);
      expect(variance(values) / (shape * scale * scale)).toBeCloseTo(1, 1);
      expect(Math.min(...values)).toBeGreaterThan(0);
    }
  });

  it("draws Poisson counts with mean and variance λ, for small and large λ", () => {
    const rng = createRandom(6);
    for (const lambda of [0.3, 4, 12, 250]) {
      const values = draw(50_000, () => rng.poisson(lambda));
      expect(values.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
      expect(mean(values) / lambda).toBeCloseTo(1, 1);
      expect(variance(values) / lambda).toBeCloseTo(1, 1);
    }
    expect(rng.poisson(0)).toBe(0);
  });

  it("chooses items in proportion to their weights and never a zero-weight item", () => {
    const rng = createRandom(8);
    const counts = {a: 0, b: 0, c: 0, d: 0};
    for (let i = 0; i < 60_000; i++) counts[rng.choice(["a", "b", "c", "d"] as const, [1, 2, 3, 0])]++;
    expect(counts.d).toBe(0);
    expect(counts.a / 10_000).toBeCloseTo(1, 1);
    expect(counts.b / 20_000).toBeCloseTo(1, 1);
    expect(counts.c / 30_000).toBeCloseTo(1, 1);
    expect(() => rng.choice([], [])).toThrow(RangeError);
    expect(() => rng.weightedIndex([0, 0])).toThrow(RangeError);
  });

  it("samples distinct indices and shuffles to a permutation", () => {
    const rng = createRandom(9);
    const sample = Array.from(rng.sampleIndices(100, 30));
    expect(new Set(sample).size).toBe(30);
    expect(sample.every((i) => i >= 0 && i < 100)).toBe(true);
    const shuffled = rng.shuffle(Array.from({length: 50}, (_, i) => i));
    expect([...shuffled].sort((x, y) => x - y)).toEqual(Array.from({length: 50}, (_, i) => i));
  });

  it("computes ln(k!) exactly by table and by Stirling's series", () => {
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 12);
    let exact = 0;
    for (let i = 1; i <= 100; i++) exact += Math.log(i);
    expect(logFactorial(100)).toBeCloseTo(exact, 9);
  });
});
