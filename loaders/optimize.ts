/**
 * Derivative-free minimisation for the small maximum-likelihood fits (BG/NBD, Gamma-Gamma): Nelder-Mead with
 * restarts. Deterministic: the simplex is built from fixed steps, so the same data give the same estimates.
 */

export interface MinimizeOptions {
  /** Iteration cap for each simplex run. Default 5,000. */
  maxIterations?: number;
  /** Fresh simplexes started from the best point after a run converges. Default 8. */
  maxRestarts?: number;
  /** Edge length of the initial simplex along each axis. Default 0.5 (×1.65 on a log-parameter). */
  initialStep?: number;
  /** A run stops when every vertex lies within this distance of the best one, per coordinate… Default 1e-10. */
  xTolerance?: number;
  /** …and the objective spread is below fTolerance · max(1, |f(best)|). Default 1e-13. */
  fTolerance?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  /** Simplex iterations over all runs. */
  iterations: number;
  evaluations: number;
  restarts: number;
  /** True when a run met both tolerances and a restart from its optimum found nothing better. */
  converged: boolean;
}

interface RunResult {
  x: number[];
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

// Standard coefficients: reflection 1, expansion 2, contraction ½, shrink ½.
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

function combine(base: number[], toward: number[], t: number): number[] {
  // base + t · (toward − base)
  return base.map((b, i) => b + t * (toward[i] - b));
}

function runSimplex(
  f: (x: number[]) => number,
  start: number[],
  step: number,
  maxIterations: number,
  xTolerance: number,
  fTolerance: number
): RunResult {
  const n = start.length;
  let evaluations = 0;
  // NaN or ±Infinity (a parameter out of range) ranks as the worst possible value.
  const evaluate = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const points: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] += step;
    points.push(p);
  }
  const values = points.map(evaluate);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    const sortedPoints = order.map((i) => points[i]);
    const sortedValues = order.map((i) => values[i]);
    points.splice(0, points.length, ...sortedPoints);
    values.splice(0, values.length, ...sortedValues);

    const best = points[0];
    const spread = values[n] - values[0];
    let size = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(points[i][j] - best[j]));
    if (size <= xTolerance && spread <= fTolerance * Math.max(1, Math.abs(values[0]))) {
      converged = true;
      break;
    }
    iterations++;

    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += points[i][j] / n;
    const worst = points[n];
    const reflected = combine(centroid, worst, -1);
    const fReflected = evaluate(reflected);

    if (fReflected < values[0]) {
      const expanded = combine(centroid, worst, -EXPAND);
      const fExpanded = evaluate(expanded);
      if (fExpanded < fReflected) {
        points[n] = expanded;
        values[n] = fExpanded;
      } else {
        points[n] = reflected;
        values[n] = fReflected;
      }
      continue;
    }
    if (fReflected < values[n - 1]) {
      points[n] = reflected;
      values[n] = fReflected;
      continue;
    }
    // Contract outside (toward the reflected point) or inside (toward the worst), whichever side is better.
    const outside = fReflected < values[n];
    const contracted = outside ? combine(centroid, reflected, CONTRACT) : combine(centroid, worst, CONTRACT);
    const fContracted = evaluate(contracted);
    if (outside ? fContracted <= fReflected : fContracted < values[n]) {
      points[n] = contracted;
      values[n] = fContracted;
      continue;
    }
    for (let i = 1; i <= n; i++) {
      points[i] = combine(best, points[i], SHRINK);
      values[i] = evaluate(points[i]);
    }
  }
  const bestIndex = values.indexOf(Math.min(...values));
  return {x: points[bestIndex], value: values[bestIndex], iterations, evaluations, converged};
}

/**
 * Minimise f from x0 with Nelder-Mead. A collapsed simplex can stall away from the optimum, so after each
 * converged run a fresh simplex is built around the best point; the search ends when that no longer helps.
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  options: MinimizeOptions = {}
): MinimizeResult {
  const maxIterations = options.maxIterations ?? 5000;
  const maxRestarts = options.maxRestarts ?? 8;
  const initialStep = options.initialStep ?? 0.5;
  const xTolerance = options.xTolerance ?? 1e-10;
  const fTolerance = options.fTolerance ?? 1e-13;

  let x = x0.slice();
  let value = Infinity;
  let iterations = 0;
  let evaluations = 0;
  let converged = false;
  let restarts = 0;
  for (let run = 0; run <= maxRestarts; run++) {
    const result = runSimplex(f, x, initialStep, maxIterations, xTolerance, fTolerance);
    iterations += result.iterations;
    evaluations += result.evaluations;
    const improvement = value - result.value;
    if (result.value <= value) {
      x = result.x;
      value = result.value;
    }
    restarts = run;
    if (run > 0 && result.converged && improvement <= fTolerance * Math.max(1, Math.abs(value))) {
      converged = true;
      break;
    }
  }
  return {x, value, iterations, evaluations, restarts, converged};
}

/**
 * Minimise f over strictly positive parameters by searching their logarithms: positivity holds without
 * constraints, and parameters of very different scales (0.24 and 4.4) get comparable steps.
 */
export function minimizePositive(
  f: (params: number[]) => number,
  initial: readonly number[],
  options: MinimizeOptions = {}
): MinimizeResult {
  if (initial.some((p) => !(p > 0) || !Number.isFinite(p))) {
    throw new RangeError(`minimizePositive needs finite positive starting values (got ${initial.join(", ")})`);
  }
  const result = nelderMead((logs) => f(logs.map(Math.exp)), initial.map(Math.log), options);
  return {...result, x: result.x.map(Math.exp)};
}
