/**
 * Special functions for the customer-base models (BG/NBD, Gamma-Gamma): log-gamma, log-beta, logsumexp and the
 * Gauss hypergeometric function 2F1. Everything works in log space where it can, because a customer with hundreds
 * of purchases turns Γ(r + x) and 2F1(r + x, b + x; …) into numbers far beyond the range of a double.
 */

/** A real number stored as sign · e^log, so magnitudes outside the double range survive. sign 0 means zero. */
export interface SignedLog {
  sign: number;
  log: number;
}

// Lanczos approximation with g = 7 and nine coefficients: relative error about 1e-15 for x ≥ 0.5.
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln|Γ(x)|; +Infinity at the poles (0, −1, −2, …). */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection Γ(x)Γ(1 − x) = π / sin(πx) keeps the Lanczos sum on the half-line where it is accurate.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) sum += LANCZOS_COEFFICIENTS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Sign of Γ(x): +1 for x > 0, alternating between the poles on the negative axis; NaN at a pole. */
export function gammaSign(x: number): number {
  if (x > 0) return 1;
  if (Number.isInteger(x)) return NaN;
  return Math.floor(-x) % 2 === 0 ? -1 : 1;
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(e^x + e^y) without overflow. */
export function logAddExp(x: number, y: number): number {
  const max = Math.max(x, y);
  if (max === -Infinity) return -Infinity;
  if (max === Infinity) return Infinity;
  return max + Math.log1p(Math.exp(Math.min(x, y) - max));
}

/** ln Σ e^values without overflow; −Infinity for an empty list. */
export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

const SERIES_EPSILON = 1e-16;
// Rescale the running sum past this size; the scale goes into a log offset (log-space summation).
const RESCALE_ABOVE = 1e200;
const DEFAULT_MAX_TERMS = 200_000;
const FALLBACK_MAX_TERMS = 20_000_000;
// The 1 − z connection formula divides by Γ(c − a − b) poles; too near an integer it cancels badly.
const MIN_DISTANCE_FROM_INTEGER = 1e-2;
const CONNECTION_ABOVE_Z = 0.9;

function toSignedLog(value: number, logScale: number): SignedLog {
  if (value === 0) return {sign: 0, log: -Infinity};
  return {sign: Math.sign(value), log: logScale + Math.log(Math.abs(value))};
}

/** Σ (a)_n (b)_n / ((c)_n n!) zⁿ for |z| < 1, summed with rescaling and a tail bound as stopping rule. */
function hypergeometricSeries(a: number, b: number, c: number, z: number, maxTerms: number): SignedLog {
  let term = 1;
  let sum = 1;
  let logScale = 0;
  // Past this index the term ratio moves monotonically toward z, so it bounds the tail geometrically.
  const monotoneFrom = 2 * Math.max(Math.abs(a), Math.abs(b), Math.abs(c), 1);
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return toSignedLog(sum, logScale); // a or b is a non-positive integer: a polynomial
    if (!Number.isFinite(sum)) return {sign: NaN, log: NaN};
    const size = Math.abs(sum);
    if (size > RESCALE_ABOVE) {
      term /= size;
      sum /= size;
      logScale += Math.log(size);
    }
    const q = Math.max(Math.abs(ratio), Math.abs(z));
    if (n >= monotoneFrom && q < 1 && Math.abs(term) / (1 - q) <= SERIES_EPSILON * Math.abs(sum)) {
      return toSignedLog(sum, logScale);
    }
  }
  throw new Error(`hyp2f1(${a}, ${b}; ${c}; ${z}): series did not converge in ${maxTerms} terms`);
}

function addSigned(x: SignedLog, y: SignedLog): {value: SignedLog; cancellation: number} {
  if (x.sign === 0) return {value: y, cancellation: 1};
  if (y.sign === 0) return {value: x, cancellation: 1};
  const max = Math.max(x.log, y.log);
  const sum = x.sign * Math.exp(x.log - max) + y.sign * Math.exp(y.log - max);
  return {value: toSignedLog(sum, max), cancellation: Math.abs(sum)};
}

/** 1/Γ(x) as a signed log; exactly zero at the poles. */
function reciprocalGamma(x: number): SignedLog {
  if (x <= 0 && Number.isInteger(x)) return {sign: 0, log: -Infinity};
  return {sign: gammaSign(x), log: -logGamma(x)};
}

function multiply(...factors: SignedLog[]): SignedLog {
  let sign = 1;
  let log = 0;
  for (const f of factors) {
    sign *= f.sign;
    log += f.log;
  }
  return sign === 0 ? {sign: 0, log: -Infinity} : {sign, log};
}

/**
 * 2F1 for 0.9 < z < 1 via the 1 − z connection formula (Abramowitz & Stegun 15.3.6); undefined when c − a − b is
 * close to an integer or the two halves cancel, in which case the caller sums the direct series instead.
 */
function connectionFormula(a: number, b: number, c: number, z: number): SignedLog | undefined {
  const d = c - a - b;
  if (Math.abs(d - Math.round(d)) < MIN_DISTANCE_FROM_INTEGER) return undefined;
  const w = 1 - z;
  const gammaC = {sign: gammaSign(c), log: logGamma(c)};
  const first = multiply(
    gammaC,
    {sign: gammaSign(d), log: logGamma(d)},
    reciprocalGamma(c - a),
    reciprocalGamma(c - b),
    hypergeometricSeries(a, b, 1 - d, w, DEFAULT_MAX_TERMS)
  );
  const second = multiply(
    gammaC,
    {sign: gammaSign(-d), log: logGamma(-d)},
    reciprocalGamma(a),
    reciprocalGamma(b),
    {sign: 1, log: d * Math.log(w)},
    hypergeometricSeries(c - a, c - b, 1 + d, w, DEFAULT_MAX_TERMS)
  );
  const {value, cancellation} = addSigned(first, second);
  // Losing more than six digits to cancellation is worse than summing the slow series.
  return cancellation < 1e-6 ? undefined : value;
}

/** 2F1(a, b; c; z) for 0 ≤ z < 1. */
function hyp2f1UnitInterval(a: number, b: number, c: number, z: number): SignedLog {
  if (z <= CONNECTION_ABOVE_Z) return hypergeometricSeries(a, b, c, z, DEFAULT_MAX_TERMS);
  return connectionFormula(a, b, c, z) ?? hypergeometricSeries(a, b, c, z, FALLBACK_MAX_TERMS);
}

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for real z ≤ 1, as sign and log-magnitude. Direct series on
 * [0, 0.9]; the 1 − z connection formula closer to 1; Pfaff's transformation maps z < 0 onto [0, 1).
 */
export function hyp2f1Signed(a: number, b: number, c: number, z: number): SignedLog {
  if ([a, b, c, z].some(Number.isNaN)) return {sign: NaN, log: NaN};
  if (c <= 0 && Number.isInteger(c)) return {sign: NaN, log: NaN};
  if (z === 0) return {sign: 1, log: 0};
  if (z === 1) {
    // Gauss's summation theorem, valid when c − a − b > 0.
    if (c - a - b <= 0) throw new RangeError(`hyp2f1 diverges at z = 1 when c − a − b ≤ 0 (got ${c - a - b})`);
    return multiply(
      {sign: gammaSign(c), log: logGamma(c)},
      {sign: gammaSign(c - a - b), log: logGamma(c - a - b)},
      reciprocalGamma(c - a),
      reciprocalGamma(c - b)
    );
  }
  if (z > 1) throw new RangeError(`hyp2f1 is complex-valued for z > 1 (got ${z})`);
  if (z < 0) {
    // Pfaff: 2F1(a, b; c; z) = (1 − z)^(−a) 2F1(a, c − b; c; z / (z − 1)), with z / (z − 1) in (0, 1).
    const w = z / (z - 1);
    const log1mz = Math.log1p(-z);
    const swap = c - b < 0 && c - a >= 0; // keep the inner parameters non-negative when possible
    const inner = swap ? hyp2f1UnitInterval(c - a, b, c, w) : hyp2f1UnitInterval(a, c - b, c, w);
    return multiply({sign: 1, log: -(swap ? b : a) * log1mz}, inner);
  }
  return hyp2f1UnitInterval(a, b, c, z);
}

/** Gauss hypergeometric function 2F1(a, b; c; z) for real z ≤ 1. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  const {sign, log} = hyp2f1Signed(a, b, c, z);
  return sign === 0 ? 0 : sign * Math.exp(log);
}

/** ln 2F1(a, b; c; z); NaN when the value is not positive. Positive a, b, c and 0 ≤ z < 1 always qualify. */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  const {sign, log} = hyp2f1Signed(a, b, c, z);
  return sign > 0 ? log : NaN;
}
