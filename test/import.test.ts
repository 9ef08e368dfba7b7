import {mkdir, mkdtemp, readFile, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {readArrowRows} from "../loaders/arrow-io.js";
import {generateRegistry} from "../loaders/generate.js";
import type {CsvInputOptions} from "../loaders/import-inputs.js";
import {arrowInput, csvInput} from "../loaders/import-inputs.js";
import type {ImportProgress} from "../loaders/import-report.js";
import {formatReport} from "../loaders/import-report.js";
import {importRegistry} from "../loaders/import.js";
import type {RowOf, TableName} from "../loaders/registry-schema.js";
import {TABLE_NAMES} from "../loaders/registry-schema.js";
import {collect} from "../loaders/source.js";
import type {CsvStyle} from "./helpers/csv-variants.js";
import {CLEAN, writeStyledCsv} from "./helpers/csv-variants.js";
import type {Registry} from "./helpers/registry-fixture.js";
import {fixture, snapshot, writeArrowFolder, writeCsvFolder} from "./helpers/registry-fixture.js";

const TODAY = "2025-06-01";
let root: string;
let n = 0;
const fresh = () => join(root, `case-${++n}`);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "import-"));
});
afterAll(() => rm(root, {recursive: true, force: true}));

async function readFolder(dir: string): Promise<Registry> {
  const out = {} as Record<TableName, unknown[]>;
  for (const table of TABLE_NAMES) out[table] = await collect(readArrowRows(table, join(dir, `${table}.arrow`)));
  return out as Registry;
}

async function writeStyled(dir: string, registry: Registry, style: CsvStyle): Promise<void> {
  await mkdir(dir, {recursive: true});
  for (const table of TABLE_NAMES) {
    await writeStyledCsv(join(dir, `${table}.csv`), table, registry[table] as RowOf<typeof table>[], style);
  }
}

describe("importing a canonical CSV folder", () => {
  it("imports the rows written, value for value", async () => {
    const [input, out] = [fresh(), fresh()];
    await writeCsvFolder(input, fixture());
    const report = await importRegistry({input: csvInput(input), to: out, onError: "reject", today: TODAY});
    expect(report.status).toBe("imported");
    expect(report.problemCount).toBe(0);
    expect(await readFolder(out)).toEqual(fixture());
    expect(report.tables.installments).toMatchObject({read: 5, accepted: 5, rejected: 0});
    expect(Object.keys(await snapshot(out)).sort()).toEqual(TABLE_NAMES.map((t) => `${t}.arrow`).sort());
  });

  const styles: [string, Partial<CsvStyle>, CsvInputOptions][] = [
    [
      "semicolons, dd/mm/yyyy, decimal comma, Latin-1",
      {delimiter: ";", dates: "dmy", decimal: ",", encoding: "latin1"},
      {}
    ],
    ["UTF-8 with BOM, LF", {bom: true, newline: "\n"}, {}],
    ["semicolons, BOM, Brasília local times", {delimiter: ";", bom: true, timestamps: "local"}, {timezone: "-03:00"}],
    ["tabs, decimal comma declared", {delimiter: "\t", decimal: ","}, {decimal: ","}],
    [
      "everything at once",
      {delimiter: ";", dates: "dmy", decimal: ",", encoding: "latin1", timestamps: "local", newline: "\n"},
      {timezone: "-03:00"}
    ]
  ];

  it.each(styles)("gives byte-identical tables from %s", async (_name, style, options) => {
    const registry = fixture();
    const [clean, styled] = [fresh(), fresh()];
    await writeStyled(clean, registry, CLEAN);
    await writeStyled(styled, registry, {...CLEAN, ...style});
    const a = await importRegistry({input: csvInput(clean), to: join(clean, "out"), onError: "reject", today: TODAY});
    const b = await importRegistry({
      input: csvInput(styled, options),
      to: join(styled, "out"),
      onError: "reject",
      today: TODAY
    });
    expect(formatReport(b)).toContain("import done");
    for (const table of TABLE_NAMES) expect(b.files[table].sha256, table).toBe(a.files[table].sha256);
  });

  it("reads a generated registry's CSV and Arrow files to identical tables, and the styled CSV too", async () => {
    const dir = fresh();
    await generateRegistry({seed: 5, bills: 2000, out: dir});
    const registry = await readFolder(dir);
    const styled = fresh();
    await writeStyled(styled, registry, {...CLEAN, delimiter: ";", dates: "dmy", decimal: ",", encoding: "latin1"});
    const progress: ImportProgress[] = [];
    const reports = await Promise.all(
      [csvInput(dir), arrowInput(dir), csvInput(styled)].map((input, i) =>
        importRegistry({
          input,
          to: join(dir, `out-${i}`),
          onError: "reject",
          today: TODAY,
          onProgress: (p) => progress.push(p)
        })
      )
    );
    for (const report of reports) {
      expect(report.problems).toEqual([]);
      for (const table of TABLE_NAMES) expect(report.files[table].sha256).toBe(reports[0].files[table].sha256);
    }
    expect(await readFolder(join(dir, "out-0"))).toEqual(registry);
    const installments = progress.filter((p) => p.table === "installments").map((p) => p.rows);
    expect(Math.max(...installments)).toBe(registry.installments.length);
    expect(installments.filter((rows) => rows === registry.installments.length)).toHaveLength(3);
  });
});

/** A CSV folder with one thing broken: a change to the rows, or to the text of one file. */
interface BadCase {
  name: string;
  rows?: (r: Registry) => void;
  text?: [TableName, (csv: string) => string | Buffer];
  options?: CsvInputOptions;
  expect: {table: TableName; row: number; column: string; rule: string; reason: RegExp};
}

const cases: BadCase[] = [
  {
    name: "a quote never closed",
    text: ["participants", (csv) => csv.replace("FIDC Beta", '"FIDC Beta')],
    expect: {table: "participants", row: 3, column: "", rule: "structure", reason: /quoted field is never closed/}
  },
  {
    name: "a quote inside a quoted field that is not doubled",
    text: ["parties", (csv) => csv.replace('"Maria ""Nina"" Araújo"', '"Maria "Nina" Araújo"')],
    expect: {table: "parties", row: 3, column: "", rule: "structure", reason: /unexpected "N" after a closing quote/}
  },
  {
    name: "a row with a field too many",
    text: ["trade_bills", (csv) => csv.replace("TB-2,", "TB-2,,")],
    expect: {table: "trade_bills", row: 3, column: "", rule: "structure", reason: /expected 12 fields, got 13/}
  },
  {
    name: "a column missing from the header",
    text: ["payments", (csv) => csv.replace("performed_at", "performed")],
    expect: {table: "payments", row: 1, column: "performed_at", rule: "structure", reason: /missing from the header/}
  },
  {
    name: "bytes that are not the declared UTF-8",
    text: ["parties", (csv) => Buffer.from(csv, "latin1")],
    options: {encoding: "utf-8"},
    expect: {table: "parties", row: 2, column: "", rule: "structure", reason: /not valid utf-8/}
  },
  {
    name: "a value of the wrong type",
    rows: (r) => ((r.installments[1] as Record<string, unknown>).value = "12,34,56"),
    expect: {table: "installments", row: 3, column: "value", rule: "type", reason: /not a number/}
  },
  {
    name: "a date that does not exist",
    rows: (r) => (r.trade_bills[0].emitted_at = "2024-02-30"),
    expect: {table: "trade_bills", row: 2, column: "emitted_at", rule: "type", reason: /not a date/}
  },
  {
    name: "a required value missing",
    rows: (r) => ((r.parties[2] as Record<string, unknown>).city = null),
    expect: {table: "parties", row: 4, column: "city", rule: "required", reason: /required value is missing/}
  },
  {
    name: "a value outside its enum",
    rows: (r) => ((r.participants[1] as Record<string, unknown>).uf = "XX"),
    expect: {table: "participants", row: 3, column: "uf", rule: "enum", reason: /"XX" is not one of RO, AC/}
  },
  {
    name: "a CNPJ with wrong check digits",
    rows: (r) => (r.parties[0].document = "29020448000158"),
    expect: {table: "parties", row: 2, column: "document", rule: "document", reason: /invalid CNPJ check digits/}
  },
  {
    name: "an NF-e key with a wrong check digit",
    rows: (r) => (r.trade_bills[0].nfe_key = r.trade_bills[0].nfe_key!.slice(0, 43) + "9"),
    expect: {table: "trade_bills", row: 2, column: "nfe_key", rule: "nfe_key", reason: /not a valid NF-e key/}
  },
  {
    name: "a far-future due date",
    rows: (r) => (r.installments[3].due_date = "2124-03-20"),
    expect: {table: "installments", row: 5, column: "due_date", rule: "date_range", reason: /far-future date/}
  },
  {
    name: "a zero value",
    rows: (r) => (r.payments[0].value = 0),
    expect: {table: "payments", row: 2, column: "value", rule: "positive", reason: /must be positive, got 0.00/}
  },
  {
    name: "installments that do not sum to the bill",
    rows: (r) => (r.trade_bills[2].value = 100.5),
    expect: {table: "trade_bills", row: 4, column: "value", rule: "installments_sum", reason: /sum to 99.99/}
  },
  {
    name: "a finished bill with an unpaid installment",
    rows: (r) => (r.trade_bills[1].state = "finished"),
    expect: {table: "trade_bills", row: 3, column: "state", rule: "state", reason: /1 of 2 installments unpaid/}
  },
  {
    name: "a payer that does not exist",
    rows: (r) => (r.trade_bills[2].payer_id = "X-0404"),
    expect: {table: "trade_bills", row: 4, column: "payer_id", rule: "reference", reason: /no parties row/}
  },
  {
    name: "a duplicated key",
    rows: (r) => r.participants.push({...r.participants[0], name: "Banco Alfa (cópia)"}),
    expect: {table: "participants", row: 4, column: "participant_id", rule: "duplicate_key", reason: /first at row 2/}
  }
];

describe("each bad input gives its own clear error, and nothing is written", () => {
  it.each(cases)("$name", async (c) => {
    const input = fresh();
    const registry = fixture();
    c.rows?.(registry);
    await writeCsvFolder(input, registry);
    if (c.text) {
      const path = join(input, `${c.text[0]}.csv`);
      await writeFile(path, c.text[1](await readFile(path, "utf8")));
    }
    // A previous import sits in the output folder: a refused import must leave it exactly as it was.
    const out = join(input, "out");
    await writeArrowFolder(out, fixture());
    const before = await snapshot(out);
    const report = await importRegistry({input: csvInput(input, c.options), to: out, onError: "reject", today: TODAY});
    expect(report.status).toBe("rejected");
    const first = report.problems.find((p) => p.rule !== "cascade")!;
    expect(first).toMatchObject({...c.expect, file: join(input, `${c.expect.table}.csv`), reason: expect.anything()});
    expect(first.reason).toMatch(c.expect.reason);
    expect(formatReport(report)).toContain(`${join(input, `${c.expect.table}.csv`)}:${c.expect.row}`);
    expect(await snapshot(out)).toEqual(before);
  });

  it("a missing table file is named, and a new output folder is not even created", async () => {
    const input = fresh();
    await writeCsvFolder(input, fixture());
    await rm(join(input, "payments.csv"));
    const out = join(input, "never");
    const report = await importRegistry({input: csvInput(input), to: out, onError: "reject", today: TODAY});
    expect(report.problems).toMatchObject([
      {file: join(input, "payments.csv"), rule: "structure", reason: /file missing/}
    ]);
    expect(await snapshot(out)).toEqual({});
    await expect(readFile(join(out, "participants.arrow"))).rejects.toThrow(/ENOENT/);
  });
});

describe("quarantine", () => {
  it("imports the good rows, lists each rejected row with its reason, and takes a failed bill's rows out", async () => {
    const input = fresh();
    const registry = fixture();
    registry.parties[2].document = "11222333000182"; // X-0003: assignor of TB-2, payer of TB-3
    registry.installments[0].value = 617; // TB-1's installments no longer sum to its value
    await writeCsvFolder(input, registry);
    const out = join(input, "out");
    const report = await importRegistry({input: csvInput(input), to: out, onError: "quarantine", today: TODAY});
    expect(report.status).toBe("imported");
    const imported = await readFolder(out);
    expect(imported.parties.map((p) => p.party_id)).toEqual(["X-0001", "X-0002"]);
    expect(imported.trade_bills).toEqual([]);
    expect(imported.installments).toEqual([]);
    expect(report.tables.trade_bills).toMatchObject({read: 3, accepted: 0, rejected: 3});
    expect(report.tables.payments).toMatchObject({read: 4, accepted: 0, rejected: 4});
    const rejects = (await readFile(join(out, "rejects.csv"), "utf8")).trim().split("\r\n");
    expect(rejects[0]).toBe("file,row,table,column,value,rule,reason");
    expect(rejects).toHaveLength(1 + report.problemCount);
    const lines = rejects.map((line) => line.replace(input + "/", ""));
    expect(lines).toContain(
      "parties.csv,4,parties,document,11222333000182,document,invalid CNPJ check digits for person_type PJ"
    );
    expect(lines).toContain(
      'trade_bills.csv,2,trade_bills,value,1234.56,installments_sum,"installments sum to 1234.28, bill value is 1234.56"'
    );
    expect(lines).toContain(
      'payments.csv,3,payments,bill_id,TB-1,cascade,"its bill was rejected: installments sum to 1234.28, bill value is 1234.56"'
    );
  });

  it("imports everything and writes an empty rejects file when all rows are good", async () => {
    const input = fresh();
    await writeCsvFolder(input, fixture());
    const out = join(input, "out");
    const report = await importRegistry({input: csvInput(input), to: out, onError: "quarantine", today: TODAY});
    expect(await readFolder(out)).toEqual(fixture());
    expect(await readFile(report.rejectsFile!, "utf8")).toBe("file,row,table,column,value,rule,reason\r\n");
  });
});
