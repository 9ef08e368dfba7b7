// Reads the scoring API's Prometheus text (/api/metrics) into what the model-health page shows: requests, errors
// and latency quantiles estimated from the histogram buckets (linear within a bucket, as Prometheus does).
export interface ScoringHealth {
  requests: number;
  errors: number;
  rows: number;
  p50: number | null;
  p99: number | null;
}

function labels(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

function quantile(buckets: [number, number][], q: number): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (!total) return null;
  const rank = q * total;
  let previous: [number, number] = [0, 0];
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return previous[0];
      const inBucket = count - previous[1];
      return previous[0] + (le - previous[0]) * (inBucket ? (rank - previous[1]) / inBucket : 1);
    }
    previous = [le, count];
  }
  return previous[0];
}

export function scoringHealth(text: string): ScoringHealth {
  let requests = 0;
  let errors = 0;
  let rows = 0;
  const buckets: [number, number][] = [];
  for (const line of text.split("\n")) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const [, name, rawLabels, rawValue] = m;
    const value = Number(rawValue);
    const l = labels(rawLabels);
    if (name === "grafeno_scoring_requests_total") requests += value;
    else if (name === "grafeno_scoring_errors_total") errors += value;
    else if (name === "grafeno_scoring_rows_total") rows += value;
    else if (name === "grafeno_scoring_duration_seconds_bucket") {
      const le = l.le === "+Inf" ? Infinity : Number(l.le);
      const existing = buckets.find((b) => b[0] === le);
      if (existing) existing[1] += value;
      else buckets.push([le, value]);
    }
  }
  buckets.sort((a, b) => a[0] - b[0]);
  return {requests, errors, rows, p50: quantile(buckets, 0.5), p99: quantile(buckets, 0.99)};
}
