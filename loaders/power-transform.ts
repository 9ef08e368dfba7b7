// Yeo-Johnson and Box-Cox power transforms with maximum-likelihood λ, as scipy.stats.yeojohnson_normmax and
// boxcox_normmax(method="mle"): the profile log-likelihood is maximised with Brent's method from the bracket
// (−2, 2). Plus standardisation with a population sd (sklearn StandardScaler), with parameters that can be stored
// and reapplied to new data (sklearn PowerTransformer with standardize=True).

export type PowerMethod = "yeo-johnson" | "box-cox";

export interface StandardizeParams {
  mean: number;
  /** Population standard deviation; 1 when the data are constant, as sklearn does, so nothing divides by 0. */
  sd: number;
}

export interface PowerTransformParams {
  method: PowerMethod;
  lambda: number;
  /** Present when the transformed values are standardised. */
  standardize?: StandardizeParams;
}

export interface PowerTransformOptions {
  method?: PowerMethod;
  /** Default true, as sklearn's PowerTransformer. */
  standardize?: boolean;
  /** Fixed λ instead of the maximum-likelihood one. */
  lambda?: number;
}

// Below this |λ| the limit (logarithm) is used, as scipy does with np.spacing(1).
const LAMBDA_EPS = 2.220446049250313e-16;

/** Yeo-Johnson transform of one value; defined for all real x. */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) {
    const log1p = Math.log1p(x);
    // expm1 keeps accuracy for λ near 0, where (x + 1)^λ − 1 cancels.
    return Math.abs(lambda) < LAMBDA_EPS ? log1p : Math.expm1(lambda * log1p) / lambda;
  }
  const log1p = Math.log1p(-x);
  const mu = 2 - lambda;
  return Math.abs(mu) < LAMBDA_EPS ? -log1p : -Math.expm1(mu * log1p) / mu;
}

/** Box-Cox transform of one value; x must be > 0. */
export function boxCox(x: number, lambda: number): number {
  if (!(x > 0)) throw new RangeError(`boxCox: data must be positive, got ${x}`);
  const log = Math.log(x);
  return Math.abs(lambda) < LAMBDA_EPS ? log : Math.expm1(lambda * log) / lambda;
}

function populationVariance(values: ArrayLike<number>): number {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (values[i] - mean) ** 2;
  return sum / n;
}

function transformAll(values: ArrayLike<number>, lambda: number, f: (x: number, l: number) => number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f(values[i], lambda);
  return out;
}

function checkData(values: ArrayLike<number>, what: string, positive: boolean): void {
  if (values.length < 2) throw new RangeError(`${what}: need at least two values`);
  let distinct = false;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new RangeError(`${what}: value ${i} is ${x}`);
    if (positive && !(x > 0)) throw new RangeError(`${what}: Box-Cox needs positive data, value ${i} is ${x}`);
    if (x !== values[0]) distinct = true;
  }
  if (!distinct) throw new RangeError(`${what}: data are constant, λ is undefined`);
}

/** scipy.stats.yeojohnson_llf: (λ − 1) Σ sign(x) log(1 + |x|) − n/2 · log(var(y)). */
export function yeoJohnsonLogLikelihood(values: ArrayLike<number>, lambda: number): number {
  const n = values.length;
  let logSum = 0;
  for (let i = 0; i < n; i++) logSum += Math.sign(values[i]) * Math.log1p(Math.abs(values[i]));
  const variance = populationVariance(transformAll(values, lambda, yeoJohnson));
  // Overflowing powers at extreme λ give NaN/∞: treat as impossible so the optimiser turns back.
  if (!Number.isFinite(variance)) return -Infinity;
  return (lambda - 1) * logSum - (n / 2) * Math.log(variance);
}

/** scipy.stats.boxcox_llf: (λ − 1) Σ log(x) − n/2 · log(var(y)). */
export function boxCoxLogLikelihood(values: ArrayLike<number>, lambda: number): number {
  const n = values.length;
  let logSum = 0;
  for (let i = 0; i < n; i++) logSum += Math.log(values[i]);
  const variance = populationVariance(transformAll(values, lambda, boxCox));
  if (!Number.isFinite(variance)) return -Infinity;
  return (lambda - 1) * logSum - (n / 2) * Math.log(variance);
}

/** Maximum-likelihood λ for Yeo-Johnson. */
export function yeoJohnsonLambda(values: ArrayLike<number>): number {
  checkData(values, "yeoJohnsonLambda", false);
  return minimize((lambda) => -yeoJohnsonLogLikelihood(values, lambda), -2, 2);
}

/** Maximum-likelihood λ for Box-Cox; data must be positive. */
export function boxCoxLambda(values: ArrayLike<number>): number {
  checkData(values, "boxCoxLambda", true);
  return minimize((lambda) => -boxCoxLogLikelihood(values, lambda), -2, 2);
}

/** Mean and population sd (ddof = 0), as sklearn StandardScaler. */
export function fitStandardize(values: ArrayLike<number>): StandardizeParams {
  if (values.length === 0) throw new RangeError("fitStandardize: no values");
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  const sd = Math.sqrt(populationVariance(values));
  return {mean, sd: sd > 0 && Number.isFinite(sd) ? sd : 1};
}

export function standardize(values: ArrayLike<number>, params: StandardizeParams): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - params.mean) / params.sd;
  return out;
}

/** Fits λ (unless given) and, by default, standardisation parameters on the transformed values. */
export function fitPowerTransform(
  values: ArrayLike<number>,
  options: PowerTransformOptions = {}
): PowerTransformParams {
  const {method = "yeo-johnson", standardize: scale = true} = options;
  const lambda = options.lambda ?? (method === "box-cox" ? boxCoxLambda(values) : yeoJohnsonLambda(values));
  const params: PowerTransformParams = {method, lambda};
  if (scale) params.standardize = fitStandardize(transformAll(values, lambda, transformOf(method)));
  return params;
}

/** Applies stored parameters, e.g. fitted on a reference period, to any values. */
export function applyPowerTransform(values: ArrayLike<number>, params: PowerTransformParams): Float64Array {
  const transformed = transformAll(values, params.lambda, transformOf(params.method));
  return params.standardize ? standardize(transformed, params.standardize) : transformed;
}

/** Fit and apply in one go. */
export function powerTransform(
  values: ArrayLike<number>,
  options: PowerTransformOptions = {}
): {values: Float64Array; params: PowerTransformParams} {
  const params = fitPowerTransform(values, options);
  return {values: applyPowerTransform(values, params), params};
}

function transformOf(method: PowerMethod): (x: number, lambda: number) => number {
  if (method === "yeo-johnson") return yeoJohnson;
  if (method === "box-cox") return boxCox;
  throw new RangeError(`unknown power transform method ${String(method)}`);
}

const GOLDEN = 1.618033988749895;

/**
 * Minimum of f near the bracket (a, b): downhill golden-ratio expansion to a bracketing triple, then Brent's
 * parabolic/golden-section search (relative tolerance 1.48e-8, scipy.optimize.brent's default).
 */
export function minimize(f: (x: number) => number, a: number, b: number): number {
  const fa = f(a);
  let fb = f(b);
  // Walk downhill: from a to b.
  if (fb > fa) {
    [a, b] = [b, a];
    fb = fa;
  }
  let c = b + GOLDEN * (b - a);
  let fc = f(c);
  for (let i = 0; fb > fc; i++) {
    if (i > 200) throw new RangeError("minimize: no minimum found (function keeps decreasing)");
    // Step on by the golden ratio: simple and robust for the smooth, unimodal likelihoods used here.
    [a, b, fb] = [b, c, fc];
    c = b + GOLDEN * (b - a);
    fc = f(c);
  }
  return brent(f, a, b, c, fb);
}

function brent(f: (x: number) => number, ax: number, bx: number, cx: number, fbx: number): number {
  const CGOLD = 0.3819660112501051;
  const TOL = 1.48e-8;
  const ZEPS = 1e-11;
  let a = Math.min(ax, cx);
  let b = Math.max(ax, cx);
  let x = bx;
  let w = bx;
  let v = bx;
  let fx = fbx;
  let fw = fbx;
  let fv = fbx;
  let d = 0;
  let e = 0;
  for (let iter = 0; iter < 500; iter++) {
    const xm = 0.5 * (a + b);
    const tol1 = TOL * Math.abs(x) + ZEPS;
    const tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    let golden = true;
    if (Math.abs(e) > tol1) {
      // Parabola through x, w, v.
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      const previous = e;
      if (Math.abs(p) < Math.abs(0.5 * q * previous) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = x >= xm ? a - x : b - x;
      d = CGOLD * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      [v, fv, w, fw, x, fx] = [w, fw, x, fx, u, fu];
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        [v, fv, w, fw] = [w, fw, u, fu];
      } else if (fu <= fv || v === x || v === w) {
        [v, fv] = [u, fu];
      }
    }
  }
  return x;
}
