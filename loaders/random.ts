// Seeded pseudo-random numbers for reproducible samples and synthetic data.
// Generator: xoshiro128** (Blackman & Vigna), state seeded through splitmix32 so that nearby seeds
// (0, 1, 2, ...) give unrelated streams. Not cryptographic.

export interface Random {
  /** The seed this stream was created with. */
  readonly seed: number;
  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform double in [min, max). */
  uniform(min?: number, max?: number): number;
  /** Uniform integer in [min, max], both ends included. */
  integer(min: number, max: number): number;
  /** true with probability p. */
  bernoulli(p: number): boolean;
  /** Normal deviate (Box-Muller; the second value of each pair is kept for the next call). */
  normal(mean?: number, sd?: number): number;
  /** exp(normal(mu, sigma)): mu and sigma are the mean and sd of the logarithm. */
  lognormal(mu?: number, sigma?: number): number;
  /** Exponential deviate with the given rate (mean 1 / rate). */
  exponential(rate?: number): number;
  /** Gamma deviate with shape k and scale θ (mean kθ), Marsaglia-Tsang. */
  gamma(shape: number, scale?: number): number;
  /** Poisson deviate with mean lambda. */
  poisson(lambda: number): number;
  /** Index drawn with probability proportional to weights[i]. */
  weightedIndex(weights: ArrayLike<number>): number;
  /** One item, uniformly or proportionally to weights (same length as items). */
  choice<T>(items: readonly T[], weights?: ArrayLike<number>): T;
  /** Shuffles array in place (Fisher-Yates) and returns it. */
  shuffle<T>(array: T[]): T[];
  /** k distinct indices from [0, n), in random order (partial Fisher-Yates). */
  sampleIndices(n: number, k: number): Int32Array;
  /** An independent child stream, seeded from this one: lets each part of a generator own its stream. */
  fork(): Random;
}

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`createRandom: seed must be a finite number, got ${seed}`);
  // Fold both 32-bit halves of integer seeds (and fractional seeds) into the splitmix state.
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  const frac = Math.floor((seed - Math.floor(seed)) * TWO_32) >>> 0;
  const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d) ^ Math.imul(frac, 0x165667b1));
  const nextUint32 = xoshiro128StarStar(mix(), mix(), mix(), mix());
  let spare = NaN; // second Box-Muller value

  function next(): number {
    const a = nextUint32() >>> 5; // 27 bits
    const b = nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_53;
  }

  // (0, 1]: safe for logarithms.
  const open = () => 1 - next();

  function normal(mean = 0, sd = 1): number {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return mean + sd * z;
    }
    const radius = Math.sqrt(-2 * Math.log(open()));
    const angle = 2 * Math.PI * next();
    spare = radius * Math.sin(angle);
    return mean + sd * radius * Math.cos(angle);
  }

  function gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !(scale > 0)) throw new RangeError(`gamma: shape and scale must be > 0`);
    if (shape < 1) {
      // Boost: G(k) = G(k + 1) · U^(1/k).
      return gamma(shape + 1, scale) * Math.pow(open(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = normal();
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = open();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v * scale;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  function poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`poisson: lambda must be >= 0`);
    if (lambda === 0) return 0;
    if (lambda < 10) {
      // Knuth: multiply uniforms until the product drops below e^-λ.
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = open();
      while (p > limit) {
        k++;
        p *= open();
      }
      return k;
    }
    return poissonPtrs(lambda, next);
  }

  function weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weightedIndex: weight ${i} is ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError("weightedIndex: weights must have a positive sum");
    let target = next() * total;
    for (let i = 0; i < weights.length; i++) {
      target -= weights[i];
      if (target < 0) return i;
    }
    // Rounding can leave target at ~0 after the loop: return the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }

  function integer(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`integer: need integers min <= max, got ${min}, ${max}`);
    }
    return min + Math.floor(next() * (max - min + 1));
  }

  function sampleIndices(n: number, k: number): Int32Array {
    if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError(`sampleIndices: need integers 0 <= k <= n, got n=${n}, k=${k}`);
    }
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(next() * (n - i));
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    return pool.slice(0, k);
  }

  return {
    seed,
    nextUint32,
    next,
    uniform: (min = 0, max = 1) => min + (max - min) * next(),
    integer,
    bernoulli: (p) => next() < p,
    normal,
    lognormal: (mu = 0, sigma = 1) => Math.exp(normal(mu, sigma)),
    exponential: (rate = 1) => -Math.log(open()) / rate,
    gamma,
    poisson,
    weightedIndex,
    choice<T>(items: readonly T[], weights?: ArrayLike<number>): T {
      if (items.length === 0) throw new RangeError("choice: no items");
      if (weights === undefined) return items[Math.floor(next() * items.length)];
      if (weights.length !== items.length) throw new RangeError("choice: weights and items differ in length");
      return items[weightedIndex(weights)];
    },
    shuffle<T>(array: T[]): T[] {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = array[i];
        array[i] = array[j];
        array[j] = t;
      }
      return array;
    },
    sampleIndices,
    fork: () => createRandom(nextUint32() * TWO_32 + nextUint32())
  };
}

/**
 * The raw xoshiro128** generator from a 128-bit state (four 32-bit words, not all zero): each call returns the
 * next unsigned 32-bit output.
 */
export function xoshiro128StarStar(a: number, b: number, c: number, d: number): () => number {
  let s0 = a | 0;
  let s1 = b | 0;
  let s2 = c | 0;
  let s3 = d | 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// Hörmann's PTRS (transformed rejection with squeeze) for λ >= 10: constant expected time.
function poissonPtrs(lambda: number, next: () => number): number {
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = next() - 0.5;
    const v = next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) {
      return k;
    }
  }
}

const LOG_FACTORIALS: number[] = [0];
for (let i = 1; i < 32; i++) LOG_FACTORIALS[i] = LOG_FACTORIALS[i - 1] + Math.log(i);

/** ln(k!) exact by table below 32, Stirling series above (error < 1e-14 there). */
export function logFactorial(k: number): number {
  if (k < 32) return LOG_FACTORIALS[k];
  const x = k + 1;
  const x2 = x * x;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    (1 / (12 * x)) * (1 - (1 / (30 * x2)) * (1 - 2 / (7 * x2)))
  );
}
