// Benchmark plumbing: each measurement is the median of several timed runs after a warm-up, and every result is
// reported next to a reference measured in the same run, as a ratio (machines differ; ratios travel better).
export interface Measurement {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** `before` runs untimed ahead of every call, to put things back where the measured step starts. */
export async function measure(
  fn: () => unknown,
  {runs = 7, warmup = 2, before}: {runs?: number; warmup?: number; before?: () => unknown} = {}
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) {
    await before?.();
    await fn();
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await before?.();
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {median: times[Math.floor(times.length / 2)], min: times[0], max: times.at(-1)!, runs};
}

export interface BenchResult {
  name: string;
  what: string;
  ours: Measurement;
  reference?: {name: string; time: Measurement};
  /** Work done per run, to express throughput (rows, requests…). */
  items?: number;
  itemName?: string;
  goal?: string;
}

export function ratio(result: BenchResult): number | undefined {
  return result.reference ? result.ours.median / result.reference.time.median : undefined;
}

const ms = (m: Measurement) => `${m.median.toFixed(1)} ms (${m.min.toFixed(1)}–${m.max.toFixed(1)})`;

export function markdownRow(r: BenchResult): string {
  const throughput = r.items
    ? `${Math.round((r.items / r.ours.median) * 1000).toLocaleString("en-US")} ${r.itemName}/s`
    : "";
  const reference = r.reference ? `${r.reference.name}: ${ms(r.reference.time)}` : "—";
  const x = ratio(r);
  return `| ${r.name} | ${r.what} | ${ms(r.ours)} | ${throughput} | ${reference} | ${x === undefined ? "—" : `${x.toFixed(2)}×`} | ${r.goal ?? ""} |`;
}

export const tableHeader = [
  "| benchmark | workload | ours (median, min–max) | throughput | reference, same run | ratio | goal |",
  "| --- | --- | --- | --- | --- | --- | --- |"
];
