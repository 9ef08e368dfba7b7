// Scoring latency and error counts in the Prometheus text format (version 0.0.4), kept in memory per process.
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class ScoringMetrics {
  private requests = new Map<string, number>();
  private rows = new Map<string, number>();
  private latency = new Map<string, Histogram>();

  observe(endpoint: string, status: number, seconds: number, rows: number): void {
    const key = `${endpoint}\t${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.rows.set(endpoint, (this.rows.get(endpoint) ?? 0) + rows);
    let h = this.latency.get(endpoint);
    if (!h) this.latency.set(endpoint, (h = {counts: buckets.map(() => 0), sum: 0, count: 0}));
    buckets.forEach((b, i) => seconds <= b && h.counts[i]++);
    h.sum += seconds;
    h.count++;
  }

  text(): string {
    const lines = [
      "# HELP grafeno_scoring_requests_total Scoring requests by endpoint and HTTP status.",
      "# TYPE grafeno_scoring_requests_total counter"
    ];
    for (const [key, n] of [...this.requests].sort()) {
      const [endpoint, status] = key.split("\t");
      lines.push(`grafeno_scoring_requests_total{endpoint="${endpoint}",status="${status}"} ${n}`);
    }
    lines.push("# HELP grafeno_scoring_errors_total Scoring requests that failed (4xx and 5xx).");
    lines.push("# TYPE grafeno_scoring_errors_total counter");
    const errors = new Map<string, number>();
    for (const [key, n] of this.requests) {
      const [endpoint, status] = key.split("\t");
      if (Number(status) >= 400) errors.set(endpoint, (errors.get(endpoint) ?? 0) + n);
    }
    for (const endpoint of [...this.latency.keys()].sort()) {
      lines.push(`grafeno_scoring_errors_total{endpoint="${endpoint}"} ${errors.get(endpoint) ?? 0}`);
    }
    lines.push("# HELP grafeno_scoring_rows_total Rows scored.", "# TYPE grafeno_scoring_rows_total counter");
    for (const [endpoint, n] of [...this.rows].sort())
      lines.push(`grafeno_scoring_rows_total{endpoint="${endpoint}"} ${n}`);
    lines.push(
      "# HELP grafeno_scoring_duration_seconds Scoring request latency.",
      "# TYPE grafeno_scoring_duration_seconds histogram"
    );
    for (const [endpoint, h] of [...this.latency].sort()) {
      buckets.forEach((b, i) =>
        lines.push(`grafeno_scoring_duration_seconds_bucket{endpoint="${endpoint}",le="${b}"} ${h.counts[i]}`)
      );
      lines.push(`grafeno_scoring_duration_seconds_bucket{endpoint="${endpoint}",le="+Inf"} ${h.count}`);
      lines.push(`grafeno_scoring_duration_seconds_sum{endpoint="${endpoint}"} ${h.sum}`);
      lines.push(`grafeno_scoring_duration_seconds_count{endpoint="${endpoint}"} ${h.count}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
