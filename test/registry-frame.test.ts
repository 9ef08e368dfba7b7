import {readdirSync, readFileSync, utimesSync} from "node:fs";
import {copyFile, mkdir, mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {tableFromIPC, tableToIPC} from "apache-arrow";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {eventObjects, frameEvents} from "../loaders/analysis-context.js";
import {billEvents} from "../loaders/customer-events.js";
import {frameKey, registryFrame} from "../loaders/frame-cache.js";
import {generateRegistry} from "../loaders/generate.js";
import {registryRows, type RegistryRows} from "../loaders/registry-context.js";
import {buildRegistryFrame, type RegistryFrame} from "../loaders/registry-frame.js";
import * as framed from "../loaders/registry-frame-stats.js";
import {readRiskData, riskRows} from "../loaders/risk-features.js";
import {frameOpenScores, frameRiskRows} from "../loaders/risk-frame.js";
import {frameRiskSums, frameRiskTables} from "../loaders/risk-frame-tables.js";
import {readPartyCards, riskiestBills, riskiestPayers, scoreOpenInstallments} from "../loaders/risk-scoring.js";
import {encodeEvents} from "../loaders/rfm-columns.js";
import {directorySource, type RegistrySource} from "../loaders/source.js";
import {
  billFeatures,
  breakdown,
  lateRateBySegmentTest,
  monthlySeries,
  valueByKindTest,
  type BreakdownKey
} from "../loaders/statistics.js";
import type {RiskModelArtifact} from "../loaders/risk-training.js";
import {trainRiskModel} from "../loaders/risk-training.js";

let dir: string;
let source: RegistrySource;
let frame: RegistryFrame;
let rows: RegistryRows;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "frame-"));
  await generateRegistry({seed: 3, bills: 3000, out: join(dir, "registry"), formats: ["arrow"]});
  source = directorySource(join(dir, "registry"));
  frame = await buildRegistryFrame(source);
  rows = await registryRows({GRAFENO_SOURCE: `dir:${join(dir, "registry")}`});
}, 120_000);

afterAll(() => rm(dir, {recursive: true, force: true}));

/** A source that only streams rows, as Postgres and MongoDB do: the frame's generic path. */
function rowsOnly(inner: RegistrySource): RegistrySource {
  return {describe: `rows:${inner.describe}`, rows: (table) => inner.rows(table)};
}

describe("the registry frame", () => {
  it("gives every registry statistic exactly as the row-based reference does", () => {
    const outcomes = framed.frameOutcomes(frame, rows.observationDate);
    const lookups = {parties: rows.parties};
    for (const by of ["participant", "kind", "state", "uf", "segment"] as BreakdownKey[]) {
      expect(framed.frameBreakdown(frame, outcomes, framed.billGroups(frame, by)), by).toEqual(
        breakdown(rows.bills, rows.outcomes, by, lookups)
      );
    }
    const all = {codes: new Int32Array(frame.bills.length), names: ["all"]};
    expect(framed.frameMonthly(frame, outcomes, all)[0]).toEqual(monthlySeries(rows.bills, rows.outcomes));
    expect(framed.frameLateRateTest(frame, outcomes, "segment")).toEqual(
      lateRateBySegmentTest(rows.bills, rows.outcomes, rows.parties)
    );
    expect(framed.frameValueByKindTest(frame)).toEqual(valueByKindTest(rows.bills));
    const features = framed.frameBillFeatures(frame);
    expect(
      billFeatures(rows.bills, rows.installments).map((f) => [
        f.installments,
        f.tenor_days ?? NaN,
        f.days_to_first_due ?? NaN
      ])
    ).toEqual(Array.from(features.installments, (n, b) => [n, features.tenorDays[b], features.daysToFirstDue[b]]));
  });

  it("gives each installment's outcome flags as installmentOutcomes does", () => {
    const {flags, delay} = framed.frameOutcomes(frame, rows.observationDate);
    const expected = rows.outcomes.map((o) => [o.delay_days, o.matured, o.settled, o.closed, o.late30]);
    const actual = Array.from(flags, (f, i) => [
      delay[i],
      Boolean(f & framed.MATURED),
      Boolean(f & framed.SETTLED),
      Boolean(f & framed.CLOSED),
      Boolean(f & framed.LATE)
    ]);
    expect(actual).toEqual(expected);
  });

  it("builds the risk features row for row as riskRows does, and scores the same open installments", async () => {
    const data = await readRiskData(source);
    expect(frameRiskRows(frame)).toEqual(riskRows(data));
    const {model} = trainRiskModel(data, {observationDate: rows.observationDate, seed: 1});
    const reference = scoreOpenInstallments(model as RiskModelArtifact, data, rows.observationDate);
    const scores = frameOpenScores(model as RiskModelArtifact, frame, rows.observationDate);
    expect(scores.length).toBeGreaterThan(0);
    expect(scores.map((s) => [s.row.bill_id, s.row.due_day, s.risk])).toEqual(
      reference.map((s) => [s.row.bill_id, s.row.due_day, s.risk])
    );

    // The riskiest payers and bills, summed in typed arrays, are the row-based tables to the last digit.
    const cards = await readPartyCards(source);
    const names = new Map([["P0001", "Participant one"]]);
    const asked: string[] = [];
    const tables = await frameRiskTables(
      frame,
      frameRiskSums(model as RiskModelArtifact, frame, rows.observationDate),
      async (payers) => {
        asked.push(...payers);
        return cards;
      },
      names,
      40
    );
    expect(tables.scored).toBe(reference.length);
    expect(tables.payers).toEqual(riskiestPayers(reference, cards, 40));
    expect(tables.bills).toEqual(riskiestBills(reference, cards, names, 40));
    expect(asked.length).toBeLessThanOrEqual(80);
  }, 120_000);

  it("encodes the RFM events as billEvents and encodeEvents do", () => {
    for (const entity of ["participant", "assignor", "payer"] as const) {
      const columns = frameEvents(frame, entity);
      const reference = encodeEvents(billEvents(rows.bills as never, entity));
      expect(columns, entity).toEqual(reference);
      expect(eventObjects(columns)).toEqual(billEvents(rows.bills as never, entity));
    }
  });

  it("is the same read from rows (Postgres, MongoDB) as read from Arrow columns", async () => {
    const generic = await buildRegistryFrame(rowsOnly(source));
    const plain = (f: RegistryFrame) => ({
      ...f,
      bills: {...f.bills, id: Array.from({length: f.bills.length}, (_, i) => f.bills.id.get(i))}
    });
    expect(plain(generic)).toEqual(plain(frame));
  });

  it("finds each installment's bill when installments are not grouped in the bills' order", async () => {
    const shuffled = join(dir, "shuffled");
    await mkdir(shuffled);
    for (const table of ["trade_bills", "parties", "participants"]) {
      await copyFile(join(dir, "registry", `${table}.arrow`), join(shuffled, `${table}.arrow`));
    }
    const installments = tableFromIPC(readFileSync(join(dir, "registry", "installments.arrow")));
    const reversed = installments
      .slice(installments.numRows / 2)
      .concat(installments.slice(0, installments.numRows / 2));
    await writeFile(join(shuffled, "installments.arrow"), tableToIPC(reversed, "stream"));
    const other = await buildRegistryFrame(directorySource(shuffled));
    const half = Math.floor(installments.numRows / 2);
    const n = installments.numRows;
    const rotate = <T extends Int32Array | Float64Array>(a: T) => [...a.subarray(half), ...a.subarray(0, half)];
    expect(Array.from(other.installments.bill)).toEqual(rotate(frame.installments.bill));
    expect(other.installments.length).toBe(n);
    expect(Array.from(other.installments.bill).every((b) => b >= 0)).toBe(true);
  });
});

describe("the frame cache", () => {
  it("serves the same frame from disk, holds no names or documents, and is rebuilt when the data changes", async () => {
    const cacheDir = join(dir, "cache");
    const steps: string[] = [];
    const first = await registryFrame(source, {cacheDir, onProgress: (s) => steps.push(s)});
    const second = await registryFrame(source, {cacheDir, onProgress: (s) => steps.push(s)});
    expect(steps.filter((s) => s.startsWith("registry frame from cache"))).toHaveLength(1);
    const plain = (f: RegistryFrame) => ({
      ...f,
      bills: {...f.bills, id: Array.from({length: f.bills.length}, (_, i) => f.bills.id.get(i))}
    });
    expect(plain(second)).toEqual(plain(first));

    const key = frameKey(source)!;
    const bytes = readdirSync(join(cacheDir, key))
      .map((f) => readFileSync(join(cacheDir, key, f)).toString("latin1"))
      .join("");
    const party = (await rows.source.rows<{name: string; document: string}>("parties")[Symbol.asyncIterator]().next())
      .value!;
    expect(bytes).not.toContain(party.name);
    expect(bytes).not.toContain(party.document);

    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, "registry", "installments.arrow"), later, later);
    expect(frameKey(source)).not.toBe(key);
    steps.length = 0;
    await registryFrame(source, {cacheDir, onProgress: (s) => steps.push(s)});
    expect(steps.some((s) => s.startsWith("registry frame cached at"))).toBe(true);
  });

  it("is not used for a source it cannot fingerprint, unless the build names itself", () => {
    const generic = rowsOnly(source);
    expect(frameKey(generic, {})).toBeNull();
    expect(frameKey(generic, {GRAFENO_BUILD_ID: "build-1"})).not.toBe(frameKey(generic, {GRAFENO_BUILD_ID: "build-2"}));
  });
});
