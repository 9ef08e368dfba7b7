import {mkdtemp, readFile, readdir, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {DateDay, Dictionary, Float64, Int32, TimestampMillisecond, Utf8, tableToIPC} from "apache-arrow";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createArrowWriter, readArrowRows, readArrowTable, writeArrowTable} from "../loaders/arrow-io.js";
import {createCsvWriter, csvField, writeCsvTable} from "../loaders/csv-write.js";
import type {RowOf, TableName, TradeBillRow} from "../loaders/registry-schema.js";
import {
  REGISTRY_TABLES,
  TABLE_NAMES,
  arrowSchema,
  columnOrder,
  epochDay,
  epochMs,
  isoDate,
  isoTimestamp
} from "../loaders/registry-schema.js";

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "arrow-io-"))));
afterAll(() => rm(dir, {recursive: true, force: true}));

const bill = (i: number, overrides: Partial<TradeBillRow> = {}): TradeBillRow => ({
  bill_id: `TB-${i}`,
  participant_id: "PRT-0001",
  assignor_id: "PTY-000000001",
  payer_id: "PTY-000000002",
  kind: i % 2 ? "goods" : "services",
  ballast: i % 2 ? "nfe_key" : "invoice",
  nfe_key: i % 2 ? "35240311222333000181550010000000421000000079" : null,
  emitted_at: isoDate(epochDay("2024-02-27") + i),
  registered_at: isoTimestamp(epochMs("2024-02-28T12:30:00.000Z") + i * 61_001),
  state: (["active", "finished", "canceled"] as const)[i % 3],
  cancel_reason: i % 3 === 2 ? "reversal" : null,
  value: Math.round((i * 1234.567 - 50) * 100) / 100,
  ...overrides
});

async function readAll<T extends TableName>(table: T, path: string): Promise<RowOf<T>[]> {
  const rows: RowOf<T>[] = [];
  for await (const row of readArrowRows(table, path)) rows.push(row);
  return rows;
}

describe("canonical schema", () => {
  it("defines the five tables with a primary key among their columns", () => {
    expect(TABLE_NAMES).toEqual(["participants", "parties", "trade_bills", "installments", "payments"]);
    for (const table of TABLE_NAMES) {
      const columns = columnOrder(table);
      for (const key of REGISTRY_TABLES[table].primaryKey) expect(columns).toContain(key);
      expect(new Set(columns).size).toBe(columns.length);
    }
  });

  it("maps field types to Arrow: Utf8, Int32, Float64, DateDay, TimestampMillisecond, dictionaries for enums", () => {
    const types = Object.fromEntries(arrowSchema("installments").fields.map((f) => [f.name, f.type]));
    expect(types.bill_id).toBeInstanceOf(Utf8);
    expect(types.number).toBeInstanceOf(Int32);
    expect(types.value).toBeInstanceOf(Float64);
    expect(types.due_date).toBeInstanceOf(DateDay);
    const bills = Object.fromEntries(arrowSchema("trade_bills").fields.map((f) => [f.name, f]));
    expect(bills.registered_at.type).toBeInstanceOf(TimestampMillisecond);
    expect(bills.state.type).toBeInstanceOf(Dictionary);
    expect(bills.cancel_reason.nullable).toBe(true);
    expect(bills.value.nullable).toBe(false);
  });

  it("converts ISO dates and timestamps to day and millisecond numbers and back, rejecting impossible dates", () => {
    expect(epochDay("1970-01-02")).toBe(1);
    expect(isoDate(epochDay("2024-02-29"))).toBe("2024-02-29");
    expect(epochDay("2023-02-29")).toBeNaN();
    expect(epochDay("29/02/2024")).toBeNaN();
    expect(isoTimestamp(epochMs("2024-02-28T12:30:00.123Z"))).toBe("2024-02-28T12:30:00.123Z");
    expect(epochMs("2024-02-28T12:30:00Z")).toBe(Date.parse("2024-02-28T12:30:00Z"));
    expect(epochMs("2024-02-28T25:30:00.000Z")).toBeNaN();
  });
});

describe("Arrow stream files", () => {
  it("round trip: rows written over several batches read back equal, nulls and enums included", async () => {
    const rows = Array.from({length: 23}, (_, i) => bill(i, i === 5 ? {assignor_id: 'Ação & Cia "Ltda"'} : {}));
    const path = join(dir, "bills.arrow");
    const written = await writeArrowTable("trade_bills", path, rows, {batchRows: 5});
    expect(written.rows).toBe(23);
    expect(await readAll("trade_bills", path)).toEqual(rows);
  });

  it("writes the IPC stream format (what DuckDB-WASM reads offline), not the file format", async () => {
    const path = join(dir, "stream.arrow");
    await writeArrowTable("trade_bills", path, [bill(1)]);
    const bytes = await readFile(path);
    expect(bytes.readInt32LE(0)).toBe(-1); // continuation marker of the first message
    expect(bytes.subarray(0, 6).toString("latin1")).not.toBe("ARROW1");
    const table = await readArrowTable(path);
    expect(table.numRows).toBe(1);
    expect(table.schema.fields.map((f) => f.name)).toEqual(columnOrder("trade_bills"));
  });

  it("reads Arrow files in the file format too", async () => {
    const rows = Array.from({length: 7}, (_, i) => bill(i));
    const stream = join(dir, "to-convert.arrow");
    await writeArrowTable("trade_bills", stream, rows, {batchRows: 3});
    const file = join(dir, "file-format.arrow");
    await writeFile(file, tableToIPC(await readArrowTable(stream), "file"));
    expect((await readFile(file)).subarray(0, 6).toString("latin1")).toBe("ARROW1");
    expect(await readAll("trade_bills", file)).toEqual(rows);
  });

  it("writes the same rows to the same bytes", async () => {
    const rows = Array.from({length: 10}, (_, i) => bill(i));
    const a = await writeArrowTable("trade_bills", join(dir, "a.arrow"), rows, {batchRows: 4});
    const b = await writeArrowTable("trade_bills", join(dir, "b.arrow"), rows, {batchRows: 4});
    expect(a.sha256).toBe(b.sha256);
    expect(a.bytes).toBe((await readFile(join(dir, "a.arrow"))).byteLength);
  });

  it("rejects a value its column cannot hold, naming the column, and leaves no file behind", async () => {
    const sub = await mkdtemp(join(dir, "fail-"));
    const bad = {...bill(1), state: "lost"} as unknown as TradeBillRow;
    await expect(writeArrowTable("trade_bills", join(sub, "x.arrow"), [bill(0), bad], {batchRows: 1})).rejects.toThrow(
      /state: cannot store "lost"/
    );
    await expect(
      writeArrowTable("trade_bills", join(sub, "y.arrow"), [bill(0, {value: null as never})])
    ).rejects.toThrow(/value: null in a non-nullable column/);
    expect(await readdir(sub)).toEqual([]);
  });

  it("keeps the target invisible until close", async () => {
    const path = join(dir, "late.arrow");
    const sink = await createArrowWriter("trade_bills", path, {batchRows: 2});
    for (let i = 0; i < 5; i++) sink.append(bill(i));
    await sink.drain();
    expect(await readdir(dir)).not.toContain("late.arrow");
    await sink.close();
    expect(await readdir(dir)).toContain("late.arrow");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("CSV files", () => {
  it("quotes only where RFC 4180 requires, writes money with 2 decimals and null as an empty field", async () => {
    const path = join(dir, "bills.csv");
    const rows = [bill(1, {assignor_id: 'Silva, "Filhos"', value: 1234.5}), bill(2, {assignor_id: "linha\nnova"})];
    await writeCsvTable("trade_bills", path, rows);
    const text = await readFile(path, "utf8");
    const lines = text.split("\r\n");
    expect(lines[0]).toBe(columnOrder("trade_bills").join(","));
    expect(lines[1]).toBe(
      'TB-1,PRT-0001,"Silva, ""Filhos""",PTY-000000002,goods,nfe_key,35240311222333000181550010000000421000000079,' +
        "2024-02-28,2024-02-28T12:31:01.001Z,finished,,1234.50"
    );
    expect(lines[2].startsWith('TB-2,PRT-0001,"linha\nnova",')).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
  });

  it("formats single values", () => {
    expect(csvField(null)).toBe("");
    expect(csvField(0.1 + 0.2, {decimals: 2})).toBe("0.30");
    expect(csvField(-3, {decimals: 2})).toBe("-3.00");
    expect(csvField(12)).toBe("12");
    expect(csvField("São Paulo")).toBe("São Paulo");
    expect(() => csvField(Number.NaN)).toThrow();
  });

  it("is written atomically: nothing at the target until close, nothing left after abort", async () => {
    const sub = await mkdtemp(join(dir, "csv-"));
    const sink = await createCsvWriter("trade_bills", join(sub, "t.csv"));
    sink.append(bill(1));
    await sink.drain();
    expect((await readdir(sub)).filter((f) => !f.startsWith("."))).toEqual([]);
    await sink.abort();
    expect(await readdir(sub)).toEqual([]);
  });
});
