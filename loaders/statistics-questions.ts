// Analyst questions answered with a hypothesis test, each returning the data behind the test, the result and a
// one-sentence reading: do late-payment rates differ between groups of payers, do bill values differ by kind.

import {chiSquareIndependence, welchTTest} from "./hypothesis.js";
import type {ChiSquareResult, WelchResult} from "./hypothesis.js";
import {plainReading} from "./statistics-reading.js";
import {groupOf} from "./statistics-registry.js";
import type {BillInput, BreakdownKey, BreakdownLookups, InstallmentOutcome} from "./statistics-registry.js";

export interface LateRateTest {
  /** Groups compared (rows of the contingency table), sorted by name. */
  groups: string[];
  /** Late and not-late installments per group, among those due at least 30 days before the observation date. */
  late: number[];
  onTime: number[];
  lateRate: number[];
  result: ChiSquareResult;
  reading: string;
}

const BY_NAMES: Record<BreakdownKey, string> = {
  participant: "participant",
  kind: "kind",
  state: "state",
  uf: "payer's state (UF)",
  segment: "segment"
};

/**
 * Chi-square test of whether the late rate (late30 among installments due at least 30 days before the observation
 * date, canceled bills left out) differs between groups of bills. Installments of one bill or payer are not independent, so with many
 * installments per payer the p-value is optimistic: read the effect size (Cramér's V) first.
 */
export function lateRateByGroupTest(
  bills: readonly BillInput[],
  outcomes: readonly InstallmentOutcome[],
  by: BreakdownKey,
  lookups: BreakdownLookups = {},
  alpha = 0.05
): LateRateTest {
  const groupByBill = new Map<string, string>();
  for (const bill of bills) if (bill.state !== "canceled") groupByBill.set(bill.bill_id, groupOf(bill, by, lookups));
  const counts = new Map<string, {late: number; onTime: number}>();
  for (const outcome of outcomes) {
    if (!outcome.closed) continue;
    const group = groupByBill.get(outcome.bill_id);
    if (group === undefined) continue;
    let entry = counts.get(group);
    if (!entry) counts.set(group, (entry = {late: 0, onTime: 0}));
    if (outcome.late30) entry.late++;
    else entry.onTime++;
  }
  return lateRateTestFromCounts(counts, by, alpha);
}

/** The late-rate test from late and on-time counts per group (the columnar loaders count them themselves). */
export function lateRateTestFromCounts(
  counts: ReadonlyMap<string, {late: number; onTime: number}>,
  by: BreakdownKey,
  alpha = 0.05
): LateRateTest {
  const groups = [...counts.keys()].sort();
  const late = groups.map((g) => counts.get(g)!.late);
  const onTime = groups.map((g) => counts.get(g)!.onTime);
  const result = chiSquareIndependence(groups.map((_, i) => [late[i], onTime[i]]));
  return {
    groups,
    late,
    onTime,
    lateRate: groups.map((_, i) => late[i] / (late[i] + onTime[i])),
    result,
    reading: plainReading({...result, subject: "Late-payment rates", by: BY_NAMES[by]}, alpha)
  };
}

/** Do late-payment rates differ by the payer's segment? (lateRateByGroupTest by "segment".) */
export function lateRateBySegmentTest(
  bills: readonly BillInput[],
  outcomes: readonly InstallmentOutcome[],
  parties: ReadonlyMap<string, {uf: string; segment: string}>,
  alpha = 0.05
): LateRateTest {
  return lateRateByGroupTest(bills, outcomes, "segment", {parties}, alpha);
}

export interface ValueByKindTest {
  /** The two kinds compared, in the order of the test (meanDiff = first − second on the log scale). */
  groups: [string, string];
  /** Bills with a positive value per kind. */
  n: [number, number];
  /** exp(mean(log value)) per kind: the typical bill. */
  geometricMeans: [number, number];
  /** Ratio of the geometric means, first / second. */
  ratio: number;
  result: WelchResult;
  reading: string;
}

/**
 * Welch's t test on log(value) between goods and services bills (canceled bills and non-positive values left
 * out). On the log scale the mean difference is the log of the ratio of the typical (geometric-mean) bill values.
 */
export function valueByKindTest(
  bills: readonly BillInput[],
  alpha = 0.05,
  kinds: readonly [string, string] = ["goods", "services"]
): ValueByKindTest {
  const logs: [number[], number[]] = [[], []];
  for (const bill of bills) {
    if (bill.state === "canceled" || !(bill.value > 0)) continue;
    const k = kinds.indexOf(bill.kind);
    if (k >= 0) logs[k].push(Math.log(bill.value));
  }
  return valueByKindFromLogs(logs, alpha, kinds);
}

/** The value-by-kind test from the log values of each kind's bills. */
export function valueByKindFromLogs(
  logs: readonly [ArrayLike<number>, ArrayLike<number>],
  alpha = 0.05,
  kinds: readonly [string, string] = ["goods", "services"]
): ValueByKindTest {
  const result = welchTTest(Array.from(logs[0]), Array.from(logs[1]));
  return {
    groups: [kinds[0], kinds[1]],
    n: [logs[0].length, logs[1].length],
    geometricMeans: [Math.exp(result.meanA), Math.exp(result.meanB)],
    ratio: Math.exp(result.meanDiff),
    result,
    reading: plainReading(
      {
        ...result,
        subject: "Bill values",
        by: "kind",
        sampleNames: [`${kinds[0]} bills`, `${kinds[1]} bills`],
        logScale: true
      },
      alpha
    )
  };
}
