import {readFileSync} from "node:fs";
import {mkdtemp, readFile, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {tableFromIPC} from "apache-arrow";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {MAPPINGS, importTransactions, loadMapping} from "../loaders/import-transactions.js";
import {snapshot} from "./helpers/registry-fixture.js";

const CDNOW = fileURLToPath(new URL("../../shared/reference/cdnow/", import.meta.url));
let root: string;
let n = 0;
const fresh = () => join(root, `case-${++n}`);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "transactions-"));
});
afterAll(() => rm(root, {recursive: true, force: true}));

async function transactions(path: string) {
  return tableFromIPC(await readFile(path))
    .toArray()
    .map((r) => r.toJSON() as {customer_id: string; date: number; amount: number; quantity: number | null});
}

/** The columns of a whitespace-separated CDNOW file, read the simplest way, to compare with the importer. */
function plainRead(file: string, skipHeader: boolean): string[][] {
  const lines = readFileSync(join(CDNOW, file), "ascii").trim().split(/\r?\n/);
  return lines.slice(skipHeader ? 1 : 0).map((line) => line.trim().split(/\s+/));
}

describe("generic transaction files through a column mapping", () => {
  it("imports CDNOW_master.txt (header line) as exactly 69,659 transactions of 23,570 customers", async () => {
    const out = fresh();
    const report = await importTransactions({
      file: join(CDNOW, "CDNOW_master.txt"),
      mapping: MAPPINGS["cdnow-master"],
      to: out,
      onError: "reject"
    });
    expect(report).toMatchObject({status: "imported", problemCount: 0});
    const rows = await transactions(join(out, "transactions.arrow"));
    expect(rows).toHaveLength(69_659);
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(23_570);
    expect(rows[0]).toEqual({customer_id: "00001", date: Date.UTC(1997, 0, 1), amount: 11.77, quantity: 1});
    const plain = plainRead("CDNOW_master.txt", true);
    const cents = (values: number[]) => values.reduce((sum, v) => sum + Math.round(v * 100), 0);
    expect(cents(rows.map((r) => r.amount))).toBe(cents(plain.map((f) => Number(f[3]))));
  });

  it("imports CDNOW_sample.txt (no header, 5 columns, keyed by sample id) as exactly 6,919 transactions", async () => {
    const out = fresh();
    const report = await importTransactions({
      file: join(CDNOW, "CDNOW_sample.txt"),
      mapping: await loadMapping("cdnow-sample"),
      to: out,
      onError: "reject"
    });
    expect(report.tables.transactions).toMatchObject({read: 6919, accepted: 6919, ignored: ["master_customer_id"]});
    const rows = await transactions(join(out, "transactions.arrow"));
    expect(rows).toHaveLength(6_919);
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(2_357);
    expect(rows.map((r) => r.customer_id)).toEqual(plainRead("CDNOW_sample.txt", false).map((f) => f[1]));
  });

  it("takes a mapping from a JSON file: a semicolon Latin-1 export with dd/mm/yyyy and decimal commas", async () => {
    const dir = fresh();
    const mapping = {name: "erp", header: true, customer: "Cliente", date: "Data", amount: "Valor (R$)"};
    await writeFile(join(dir + "-mapping.json"), JSON.stringify(mapping));
    const text =
      "Cliente;Data;Valor (R$);Observação\r\nJoão;05/01/2024;1.234,56;à vista\r\nConceição;31/12/2023;0,99;\r\n";
    await writeFile(dir + ".csv", Buffer.from(text, "latin1"));
    const report = await importTransactions({
      file: dir + ".csv",
      mapping: await loadMapping(dir + "-mapping.json"),
      to: dir,
      onError: "reject"
    });
    expect(report.tables.transactions.ignored).toEqual(["Observação"]);
    expect(await transactions(join(dir, "transactions.arrow"))).toEqual([
      {customer_id: "João", date: Date.UTC(2024, 0, 5), amount: 1234.56, quantity: null},
      {customer_id: "Conceição", date: Date.UTC(2023, 11, 31), amount: 0.99, quantity: null}
    ]);
  });

  it("refuses a file with a bad row, naming row and column, and writes nothing", async () => {
    const dir = fresh();
    await writeFile(
      dir + ".txt",
      " customer_id date number_of_cds dollar_value\n 1 19970101 1 11.77\n 2 19970230 1 5.00\n"
    );
    const report = await importTransactions({
      file: dir + ".txt",
      mapping: MAPPINGS["cdnow-master"],
      to: dir,
      onError: "reject"
    });
    expect(report.status).toBe("rejected");
    expect(report.problems).toMatchObject([
      {row: 3, column: "date", value: "19970230", reason: 'not a date: "19970230"'}
    ]);
    expect(await snapshot(dir)).toEqual({});
  });

  it("quarantines the bad rows of a file and imports the others", async () => {
    const dir = fresh();
    await writeFile(
      dir + ".txt",
      " customer_id date number_of_cds dollar_value\n 1 19970101 1 11.77\n 2 19970102 x 5.00\n 3 19970103 1\n"
    );
    const report = await importTransactions({
      file: dir + ".txt",
      mapping: MAPPINGS["cdnow-master"],
      to: dir,
      onError: "quarantine"
    });
    expect(report.tables.transactions).toMatchObject({read: 3, accepted: 1, rejected: 2});
    expect((await readFile(join(dir, "rejects.csv"), "utf8")).split("\r\n").slice(1, 3)).toEqual([
      `${dir}.txt,3,transactions,number_of_cds,x,type,"not an integer: ""x"""`,
      `${dir}.txt,4,transactions,,,structure,"expected 4 fields, got 3"`
    ]);
  });

  it("names a mapped column the file does not have", async () => {
    const dir = fresh();
    await writeFile(dir + ".csv", "id,day,total\n1,2024-01-01,3\n");
    const report = await importTransactions({
      file: dir + ".csv",
      mapping: {name: "m", header: true, customer: "id", date: "date", amount: "total"},
      to: dir,
      onError: "quarantine"
    });
    expect(report).toMatchObject({status: "rejected", problems: [{row: 1, column: "date", rule: "structure"}]});
    expect(await snapshot(dir)).toEqual({});
  });
});
