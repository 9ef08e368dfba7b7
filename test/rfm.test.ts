import {readFileSync} from "node:fs";
import {describe, expect, it} from "vitest";
import {createRandom} from "../loaders/random.js";
import {clvSummary, segmentationRfm} from "../loaders/rfm.js";
import type {PurchaseEvent} from "../loaders/rfm.js";

const CDNOW = new URL("../../shared/reference/cdnow/", import.meta.url);

const utc = (day: string) => new Date(`${day}T00:00:00Z`);

/** CDNOW_sample.txt: master id, sample id, YYYYMMDD, number of CDs, dollar value; keyed by sample id. */
function readCdnowSample(): PurchaseEvent[] {
  const text = readFileSync(new URL("CDNOW_sample.txt", CDNOW), "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [, sampleId, date, , dollars] = line.trim().split(/\s+/);
      const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
      return {customer: String(Number(sampleId)), date: ms, amount: Number(dollars)};
    });
}

function readCdnowSummary(): Map<string, {frequency: number; recency: number; T: number}> {
  const [header, ...lines] = readFileSync(new URL("cdnow_customers_summary.csv", CDNOW), "utf8").trim().split("\n");
  expect(header.trim()).toBe("ID,frequency,recency,T");
  return new Map(
    lines.map((line) => {
      const [id, frequency, recency, T] = line.trim().split(",");
      return [id, {frequency: Number(frequency), recency: Number(recency), T: Number(T)}];
    })
  );
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function byCustomer<T extends {customer: string}>(rows: T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.customer, row]));
}

describe("clvSummary", () => {
  // lifetimes' own test: observation end 2015-02-07.
  const lifetimesEvents: PurchaseEvent[] = [
    {customer: "1", date: utc("2015-02-01"), amount: 1},
    {customer: "1", date: utc("2015-02-06"), amount: 1},
    {customer: "2", date: utc("2015-01-01"), amount: 1},
    {customer: "3", date: utc("2015-01-01"), amount: 1},
    {customer: "3", date: utc("2015-01-02"), amount: 1},
    {customer: "3", date: utc("2015-01-05"), amount: 1}
  ];

  it("reproduces lifetimes' frequency, recency and T for three customers", () => {
    const rows = clvSummary(lifetimesEvents, {observationEnd: utc("2015-02-07"), period: "day"});
    expect(rows.map(({customer, frequency, recency, T}) => ({customer, frequency, recency, T}))).toEqual([
      {customer: "1", frequency: 1, recency: 5, T: 6},
      {customer: "2", frequency: 0, recency: 0, T: 37},
      {customer: "3", frequency: 2, recency: 4, T: 37}
    ]);
  });

  it("averages the repeat-period totals and leaves out the first purchase", () => {
    const events: PurchaseEvent[] = [
      {customer: "a", date: utc("2020-01-01"), amount: 3},
      {customer: "a", date: utc("2020-01-05"), amount: 1},
      {customer: "a", date: utc("2020-01-09"), amount: 8},
      // Totals 10, 20, 25 given out of order: the first purchase (10) is still the one excluded.
      {customer: "b", date: utc("2020-01-09"), amount: 25},
      {customer: "b", date: utc("2020-01-01"), amount: 10},
      {customer: "b", date: utc("2020-01-05"), amount: 20},
      {customer: "c", date: utc("2020-01-03"), amount: 99}
    ];
    const rows = byCustomer(clvSummary(events, {observationEnd: utc("2020-01-31"), period: "day"}));
    expect(rows.get("a")?.monetaryValue).toBe(4.5);
    expect(rows.get("b")?.monetaryValue).toBe(22.5);
    expect(rows.get("c")?.monetaryValue).toBe(0);
  });

  it("merges purchases on the same UTC day into one period with the amounts summed", () => {
    const events: PurchaseEvent[] = [
      {customer: "a", date: Date.parse("2020-01-01T09:00:00Z"), amount: 5},
      {customer: "a", date: Date.parse("2020-01-03T08:00:00Z"), amount: 4},
      {customer: "a", date: Date.parse("2020-01-03T23:59:59Z"), amount: 6},
      {customer: "a", date: Date.parse("2020-01-01T22:00:00Z"), amount: 7}
    ];
    const [row] = clvSummary(events, {observationEnd: utc("2020-01-10")});
    expect(row).toEqual({customer: "a", frequency: 1, recency: 2, T: 9, monetaryValue: 10});
  });

  it("keeps every purchase on the observation end day and none after it", () => {
    const events: PurchaseEvent[] = [
      {customer: "a", date: utc("2020-01-01"), amount: 1},
      {customer: "a", date: Date.parse("2020-01-10T18:00:00Z"), amount: 2},
      {customer: "a", date: utc("2020-01-11"), amount: 4},
      {customer: "late", date: utc("2020-01-12"), amount: 4}
    ];
    const rows = clvSummary(events, {observationEnd: utc("2020-01-10")});
    expect(rows).toEqual([{customer: "a", frequency: 1, recency: 9, T: 9, monetaryValue: 2}]);
  });

  it("expresses recency and T in the given unit", () => {
    const rows = clvSummary(lifetimesEvents, {observationEnd: utc("2015-02-07"), period: "day", unit: 7});
    expect(rows[2].recency).toBeCloseTo(4 / 7, 15);
    expect(rows[2].T).toBeCloseTo(37 / 7, 15);
  });

  it("reproduces cdnow_customers_summary.csv row for row from CDNOW_sample.txt", () => {
    const expected = readCdnowSummary();
    const rows = clvSummary(readCdnowSample(), {observationEnd: utc("1997-09-30"), period: "day", unit: 7});
    expect(expected.size).toBe(2357);
    expect(rows).toHaveLength(2357);
    const differences = rows.filter((row) => {
      const want = expected.get(row.customer);
      return (
        want === undefined ||
        row.frequency !== want.frequency ||
        round2(row.recency) !== want.recency ||
        round2(row.T) !== want.T
      );
    });
    expect(differences).toEqual([]);
  });

  it("finds the 946 CDNOW repeat customers that Gamma-Gamma is fitted on, spending about $35 a period", () => {
    const rows = clvSummary(readCdnowSample(), {observationEnd: utc("1997-09-30"), unit: 7});
    const repeaters = rows.filter((row) => row.frequency > 0);
    expect(repeaters).toHaveLength(946);
    const mean = repeaters.reduce((sum, row) => sum + row.monetaryValue, 0) / repeaters.length;
    expect(mean).toBeGreaterThan(30);
    expect(mean).toBeLessThan(40);
  });

  it("gives identical results whatever the row order", () => {
    const events = readCdnowSample();
    const shuffled = createRandom(11).shuffle([...events]);
    const options = {observationEnd: utc("1997-09-30"), unit: 7};
    expect(clvSummary(shuffled, options)).toEqual(clvSummary(events, options));
  });

  it("gives identical figures when customers are renamed", () => {
    const events = readCdnowSample();
    const rename = (id: string) => `customer-${(Number(id) * 7919) % 10007}`;
    const options = {observationEnd: utc("1997-09-30"), unit: 7};
    const original = clvSummary(events, options);
    const renamedEvents = events.map((e) => ({...e, customer: rename(e.customer)}));
    const renamed = byCustomer(clvSummary(renamedEvents, options));
    for (const row of original) {
      expect(renamed.get(rename(row.customer))).toEqual({...row, customer: rename(row.customer)});
    }
  });

  it("accepts Date objects and epoch milliseconds alike", () => {
    const asDates = lifetimesEvents;
    const asMs = lifetimesEvents.map((e) => ({...e, date: (e.date as Date).getTime()}));
    const options = {observationEnd: utc("2015-02-07")};
    expect(clvSummary(asMs, {observationEnd: utc("2015-02-07").getTime()})).toEqual(clvSummary(asDates, options));
  });

  it("rejects invalid dates and amounts instead of producing NaN", () => {
    const end = {observationEnd: utc("2020-01-01")};
    expect(() => clvSummary([{customer: "a", date: new Date("nope"), amount: 1}], end)).toThrow(RangeError);
    expect(() => clvSummary([{customer: "a", date: 0, amount: NaN}], end)).toThrow(RangeError);
    expect(() => clvSummary([], {observationEnd: utc("2020-01-01"), unit: 0})).toThrow(RangeError);
  });
});

describe("segmentationRfm", () => {
  const events: PurchaseEvent[] = [
    {customer: "b", date: utc("2024-03-01"), amount: 10},
    {customer: "a", date: Date.parse("2024-03-10T15:00:00Z"), amount: 5},
    {customer: "a", date: utc("2024-01-01"), amount: 20},
    {customer: "a", date: Date.parse("2024-03-10T09:00:00Z"), amount: 2.5},
    {customer: "b", date: utc("2024-04-02"), amount: 100}
  ];

  it("counts every event, sums amounts and measures recency in days to the observation date", () => {
    expect(segmentationRfm(events, {observationDate: utc("2024-04-01")})).toEqual([
      {
        customer: "a",
        recency: 22,
        frequency: 3,
        monetary: 27.5,
        first: utc("2024-01-01"),
        last: new Date("2024-03-10T15:00:00Z")
      },
      // The purchase of 2024-04-02 is after the observation date and ignored.
      {customer: "b", recency: 31, frequency: 1, monetary: 10, first: utc("2024-03-01"), last: utc("2024-03-01")}
    ]);
  });

  it("gives identical results whatever the row order", () => {
    const cdnow = readCdnowSample();
    const options = {observationDate: utc("1998-07-01")};
    expect(segmentationRfm(createRandom(5).shuffle([...cdnow]), options)).toEqual(segmentationRfm(cdnow, options));
  });

  it("agrees with clvSummary on the CDNOW customers' history", () => {
    const cdnow = readCdnowSample();
    const seg = segmentationRfm(cdnow, {observationDate: utc("1997-09-30")});
    const clv = byCustomer(clvSummary(cdnow, {observationEnd: utc("1997-09-30")}));
    for (const row of seg) {
      const c = clv.get(row.customer)!;
      expect(row.recency).toBe(c.T - c.recency);
      expect(row.frequency).toBeGreaterThanOrEqual(c.frequency + 1);
    }
  });
});
