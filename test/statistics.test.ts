import {describe as group, expect, it} from "vitest";
import {
  billFeatures,
  breakdown,
  correlationMatrix,
  dayOf,
  describe,
  installmentOutcomes,
  lateRateBySegmentTest,
  monthlySeries,
  valueByKindTest
} from "../loaders/statistics.js";
import type {BillInput, InstallmentInput} from "../loaders/statistics.js";

// A registry small enough to check by hand; observation date 2024-06-30.
const OBSERVATION = "2024-06-30";
const bill = (
  bill_id: string,
  participant_id: string,
  payer_id: string,
  kind: string,
  state: string,
  registered_at: string,
  value: number
): BillInput => ({bill_id, participant_id, payer_id, kind, state, registered_at, value});
const BILLS: BillInput[] = [
  bill("B1", "P1", "A", "goods", "active", "2024-01-10T12:00:00.000Z", 300),
  bill("B2", "P1", "B", "services", "finished", "2024-01-20T09:30:00.000Z", 100),
  bill("B3", "P2", "A", "goods", "canceled", "2024-03-05T15:00:00.000Z", 50),
  bill("B4", "P2", "C", "services", "active", "2024-03-15T10:00:00.000Z", 550),
  bill("B5", "P1", "B", "goods", "active", "2024-06-02T23:59:59.000Z", 1000)
];
const installment = (bill_id: string, number: number, due_date: string, paid_at: string | null): InstallmentInput => ({
  bill_id,
  number,
  due_date,
  paid_at
});
const INSTALLMENTS: InstallmentInput[] = [
  installment("B1", 1, "2024-02-10", "2024-02-10"), // on time
  installment("B1", 2, "2024-03-11", "2024-04-20"), // paid 40 days late
  installment("B1", 3, "2024-04-10", null), // open 81 days: late
  installment("B2", 1, "2024-02-19", "2024-02-25"), // 6 days late: not late30
  installment("B2", 2, "2024-08-01", "2024-06-01"), // paid early, not due yet
  installment("B3", 1, "2024-04-05", null), // canceled bill
  installment("B4", 1, "2024-06-15", null), // open 15 days: outcome unknown
  installment("B4", 2, "2024-07-15", "2024-07-01"), // paid after the observation date: open as of it
  installment("B4", 3, "2024-05-20", "2024-06-30"), // paid on the observation date, 41 days late
  installment("B4", 4, "2024-06-10", "2024-06-12") // paid, but its 30-day window is still open
];
const PARTIES = new Map([
  ["A", {uf: "SP", segment: "retail"}],
  ["B", {uf: "RJ", segment: "industry"}]
]);
const OUTCOMES = installmentOutcomes(INSTALLMENTS, OBSERVATION);

group("describe", () => {
  it("gives count, missing, mean, sample sd and numpy-style quantiles of [1, 2, 3, 4, 10] by hand", () => {
    const d = describe([1, 2, null, 3, 4, NaN, 10]);
    expect([d.count, d.missing, d.mean, d.min, d.max]).toEqual([5, 2, 4, 1, 10]);
    expect(d.sd).toBeCloseTo(Math.sqrt(50 / 4), 14); // squared deviations 9 + 4 + 1 + 0 + 36
    expect([d.p25, d.median, d.p75]).toEqual([2, 3, 4]);
    expect(d.p05).toBeCloseTo(1.2, 14); // position 0.2 between 1 and 2
    expect(d.p95).toBeCloseTo(8.8, 14); // position 3.8 between 4 and 10
  });

  it("gives pandas' skew and kurt: G1 = 5·√4/3 · 180/50^1.5 and G2 = 5·6·4·1394/(3·2·50²) − 3·4²/(3·2)", () => {
    const d = describe([1, 2, 3, 4, 10]);
    expect(d.skewness).toBeCloseTo(((5 * 2) / 3) * (180 / 50 ** 1.5), 13);
    expect(d.skewness).toBeCloseTo(1.697056274847714, 13); // pandas
    expect(d.kurtosis).toBeCloseTo(3.152, 13);
    const e = describe([2.5, -1, 7, 7, 3.25, 11, 0, 4]);
    expect(e.skewness).toBeCloseTo(0.40020225659606884, 13);
    expect(e.kurtosis).toBeCloseTo(-0.3503775111115221, 13);
    expect(e.sd).toBeCloseTo(3.971859720943974, 13);
  });

  it("leaves undefined figures null: empty input, one value, or a constant sample's shape", () => {
    expect(describe([]).mean).toBeNull();
    expect(describe([null, NaN]).missing).toBe(2);
    expect(describe([7]).sd).toBeNull();
    expect(describe([1, 2, 3]).kurtosis).toBeNull();
    const flat = describe([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect([flat.skewness, flat.kurtosis]).toEqual([null, null]);
  });
});

group("bill features", () => {
  it("count installments and measure tenor and first due from the registration day", () => {
    const features = billFeatures(BILLS, INSTALLMENTS);
    expect(features.map((f) => [f.bill_id, f.value, f.installments, f.tenor_days, f.days_to_first_due])).toEqual([
      ["B1", 300, 3, 91, 31],
      ["B2", 100, 2, 194, 30],
      ["B3", 50, 1, 31, 31],
      ["B4", 550, 4, 122, 66],
      ["B5", 1000, 0, null, null]
    ]);
  });
});

group("installment outcomes", () => {
  it("measure delay, knowledge, lateness and settlement as of the observation date", () => {
    const rows = OUTCOMES.map((o) => [
      `${o.bill_id}#${o.number}`,
      o.delay_days,
      o.matured,
      o.known,
      o.closed,
      o.late30,
      o.settled
    ]);
    expect(rows).toEqual([
      ["B1#1", 0, true, true, true, false, true],
      ["B1#2", 40, true, true, true, true, true],
      ["B1#3", 81, true, true, true, true, false],
      ["B2#1", 6, true, true, true, false, true],
      ["B2#2", -61, false, true, false, false, true],
      ["B3#1", 86, true, true, true, true, false],
      ["B4#1", 15, true, false, false, false, false],
      ["B4#2", -15, false, false, false, false, false],
      ["B4#3", 41, true, true, true, true, true],
      ["B4#4", 2, true, true, false, false, true]
    ]);
  });

  it("treat a payment after the observation date as not made, and draw the 30-day line at day 30", () => {
    expect(OUTCOMES[7].paid_at).toBeNull();
    const edge = installmentOutcomes(
      [installment("X", 1, "2024-05-31", null), installment("X", 2, "2024-05-31", "2024-06-30")],
      OBSERVATION
    );
    expect(edge.map((o) => [o.delay_days, o.known, o.closed, o.late30])).toEqual([
      [30, true, true, true], // still open at the end of day 30: it will be paid on day 31 at the earliest
      [30, true, true, false] // paid on day 30: not more than 30 days late
    ]);
  });

  it("read epoch milliseconds (raw Arrow dates) the same as ISO strings", () => {
    const ms = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
    const asNumbers = INSTALLMENTS.map((i) => ({
      ...i,
      due_date: ms(i.due_date as string),
      paid_at: i.paid_at === null ? null : ms(i.paid_at as string)
    }));
    expect(installmentOutcomes(asNumbers, ms(OBSERVATION))).toEqual(OUTCOMES);
    expect(dayOf("2024-01-10T23:59:59.999Z")).toBe(dayOf("2024-01-10"));
    expect(() => dayOf("2024-02-30")).toThrow(RangeError);
  });
});

group("monthly series", () => {
  it("counts registrations, settlement and late rates per month, with empty months in between", () => {
    const series = monthlySeries(BILLS, OUTCOMES);
    const view = series.map((m) => [m.month, m.bills, m.value, m.due, m.settlement_rate, m.closed, m.late_rate]);
    expect(view).toEqual([
      ["2024-01", 2, 400, 0, null, 0, null],
      ["2024-02", 0, 0, 2, 1, 2, 0],
      ["2024-03", 2, 600, 1, 1, 1, 1],
      ["2024-04", 0, 0, 1, 0, 1, 1], // B3's canceled installment is not owed
      ["2024-05", 0, 0, 1, 1, 1, 1],
      ["2024-06", 1, 1000, 2, 0.5, 0, null] // no June installment is 30 days past due yet
    ]);
  });

  it("does not depend on row order", () => {
    expect(monthlySeries([...BILLS].reverse(), [...OUTCOMES].reverse())).toEqual(monthlySeries(BILLS, OUTCOMES));
  });
});

group("breakdowns", () => {
  it("by participant: bills, value, share of value and rates, largest value first", () => {
    const rows = breakdown(BILLS, OUTCOMES, "participant");
    expect(rows.map((r) => [r.group, r.bills, r.value, r.value_share, r.settlement_rate, r.late_rate])).toEqual([
      ["P1", 3, 1400, 0.7, 0.75, 0.5],
      ["P2", 2, 600, 0.3, 2 / 3, 1]
    ]);
  });

  it("by the payer's segment, with payers missing from the lookup grouped as unknown", () => {
    const rows = breakdown(BILLS, OUTCOMES, "segment", {parties: PARTIES});
    expect(rows.map((r) => [r.group, r.bills, r.value, r.due, r.settled, r.closed, r.late])).toEqual([
      ["industry", 2, 1100, 1, 1, 1, 0],
      ["unknown", 1, 550, 3, 2, 1, 1],
      ["retail", 2, 350, 3, 2, 3, 2]
    ]);
    expect(breakdown(BILLS, OUTCOMES, "uf", {parties: PARTIES}).map((r) => r.group)).toEqual(["RJ", "unknown", "SP"]);
    expect(() => breakdown(BILLS, OUTCOMES, "uf")).toThrow(/lookups.parties/);
  });

  it("by state, where canceled bills keep their value but have no rates", () => {
    const rows = breakdown(BILLS, OUTCOMES, "state");
    expect(rows.map((r) => [r.group, r.value, r.late_rate])).toEqual([
      ["active", 1850, 0.75], // B1: 2 late of 3 closed, B4: 1 of 1 (B4#3)
      ["finished", 100, 0],
      ["canceled", 50, null]
    ]);
    expect(breakdown(BILLS, OUTCOMES, "kind").map((r) => r.group)).toEqual(["goods", "services"]);
  });
});

group("correlation matrix", () => {
  const columns = {a: [1, 2, 3, 4, 5, 6], b: [2, 1, 4, 3, 7, 5], c: [6, 5, 4, 3, 2, 1], d: [1, NaN, 2, 8, 3, 4]};

  it("lists every ordered pair with pandas' Pearson r over complete pairs", () => {
    const cells = correlationMatrix(columns);
    expect(cells).toHaveLength(16);
    const r = (x: string, y: string) => cells.find((c) => c.x === x && c.y === y)!;
    expect(r("a", "a")).toEqual({x: "a", y: "a", r: 1, n: 6});
    expect(r("a", "c").r).toBeCloseTo(-1, 15);
    expect(r("a", "b").r).toBeCloseTo(0.7917946548886297, 14);
    expect(r("b", "d")).toMatchObject({n: 5});
    expect(r("b", "d").r).toBeCloseTo(-0.028862169108151682, 14);
    expect(r("d", "b").r).toBe(r("b", "d").r);
  });

  it("gives Spearman's rho (average ranks) on request, and null for a constant column", () => {
    const cells = correlationMatrix(columns, "spearman");
    const r = (x: string, y: string) => cells.find((c) => c.x === x && c.y === y)!.r;
    expect(r("a", "b")).toBeCloseTo(0.8285714285714286, 14);
    expect(r("a", "d")).toBeCloseTo(0.7, 14);
    expect(correlationMatrix({x: [1, 2, 3], k: [4, 4, 4]}).map((c) => c.r)).toEqual([1, null, null, null]);
  });
});

group("analyst questions", () => {
  it("late rates by segment: χ² = 20/9 on [[0, 1], [2, 1], [1, 0]], p = e^(−10/9), read in plain words", () => {
    const test = lateRateBySegmentTest(BILLS, OUTCOMES, PARTIES);
    expect(test.groups).toEqual(["industry", "retail", "unknown"]);
    expect([test.late, test.onTime]).toEqual([
      [0, 2, 1],
      [1, 1, 0]
    ]);
    expect(test.result.statistic).toBeCloseTo(20 / 9, 14);
    expect(test.result.pValue).toBeCloseTo(Math.exp(-10 / 9), 14);
    expect(test.reading).toBe(
      "Late-payment rates do not differ significantly by segment at the 5% level (χ² = 2.22, df = 2, p = 0.329); " +
        "more than 20% of the cells expect fewer than 5 cases, so the p-value is only approximate."
    );
  });

  it("bill value by kind: Welch on log values, goods typically √(300000 / 55000) = 2.34 times services", () => {
    const test = valueByKindTest(BILLS);
    expect(test.n).toEqual([2, 2]); // B3 is canceled
    expect(test.ratio).toBeCloseTo(Math.sqrt(300000 / 55000), 13);
    expect(test.geometricMeans[0]).toBeCloseTo(Math.sqrt(300000), 10);
    expect(test.result.t).toBeCloseTo(0.8128512464565185, 12); // scipy
    expect(test.result.pValue).toBeCloseTo(0.5097918052172064, 10);
    expect(test.reading).toBe(
      "Bill values do not differ significantly by kind at the 5% level (t = 0.813, df = 1.8, p = 0.510)."
    );
  });
});
