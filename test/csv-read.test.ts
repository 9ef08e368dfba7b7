import {mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {CsvReadOptions} from "../loaders/csv-read.js";
import {openCsv} from "../loaders/csv-read.js";

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "csv-read-"));
});
afterAll(() => rm(root, {recursive: true, force: true}));

async function read(content: string | Buffer, options: CsvReadOptions = {}) {
  const path = join(root, `f${++n}.csv`);
  await writeFile(path, content);
  const file = await openCsv(path, options);
  const records: string[][] = [];
  const rows: number[] = [];
  for await (const batch of file.batches()) {
    records.push(...batch.records);
    rows.push(...batch.rows);
  }
  return {format: file.format, header: file.header, records, rows};
}

describe("the streaming CSV reader", () => {
  it("reads RFC 4180: delimiters, doubled quotes and line breaks inside quoted fields, CRLF", async () => {
    const text = 'id,name,note\r\n1,"Silva, Ana","said ""oi""\r\nthen left"\r\n2,Bob,\r\n';
    const {header, records, rows} = await read(text);
    expect(header).toEqual(["id", "name", "note"]);
    expect(records).toEqual([
      ["1", "Silva, Ana", 'said "oi"\r\nthen left'],
      ["2", "Bob", ""]
    ]);
    expect(rows).toEqual([2, 3]);
  });

  it("detects the delimiter from the first record: comma, semicolon, tab, pipe or runs of spaces", async () => {
    for (const [sep, expected] of [
      [",", ","],
      [";", ";"],
      ["\t", "\t"],
      ["|", "|"],
      ["   ", "whitespace"]
    ] as const) {
      const {format, records} = await read(`a${sep}b${sep}c\n1${sep}2${sep}3\n`);
      expect(format.delimiter, JSON.stringify(sep)).toBe(expected);
      expect(records).toEqual([["1", "2", "3"]]);
    }
    expect((await read('"x;y",b,c\n')).format.delimiter).toBe(","); // a semicolon inside quotes does not count
  });

  it("guesses a decimal comma in semicolon files and a decimal point otherwise", async () => {
    expect((await read("a;b\n1,5;2\n")).format.decimal).toBe(",");
    expect((await read("a,b\n1.5,2\n")).format.decimal).toBe(".");
  });

  it("reads UTF-8 with and without BOM, and Latin-1 detected from its bytes, to the same text", async () => {
    const text = "nome;cidade\nJoão;São Paulo\n";
    const utf8 = await read(text);
    const bom = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const latin1 = await read(Buffer.from(text, "latin1"));
    expect(utf8.format).toMatchObject({encoding: "utf-8", bom: false});
    expect(bom.format).toMatchObject({encoding: "utf-8", bom: true});
    expect(latin1.format).toMatchObject({encoding: "latin1"});
    for (const r of [utf8, bom, latin1]) {
      expect(r.header).toEqual(["nome", "cidade"]);
      expect(r.records).toEqual([["João", "São Paulo"]]);
    }
  });

  it("notices a Latin-1 byte far into the file, and takes an encoding when declared", async () => {
    const text = "a,b\n" + "x,y\n".repeat(5000) + "Conceição,1\n";
    const far = await read(Buffer.from(text, "latin1"), {chunkBytes: 1024});
    expect(far.format.encoding).toBe("latin1");
    expect(far.records.at(-1)).toEqual(["Conceição", "1"]);
    const declared = await read(Buffer.from("a\nÃ\n", "utf8"), {encoding: "latin1"});
    expect(declared.records).toEqual([["Ãƒ"]]); // Windows-1252, the Latin-1 that spreadsheets write
  });

  it("gives the same records whatever the chunk size, even with characters and records cut across chunks", async () => {
    const text = 'id;nome;obs\n1;"Ação; ""ok"""; linha\n2;"várias\nlinhas";fim\r\n\r\n3;Zé;\n4;"último"';
    const whole = await read(text);
    for (const chunkBytes of [1, 2, 3, 5, 7, 16]) expect(await read(text, {chunkBytes})).toEqual(whole);
    expect(whole.records).toEqual([
      ["1", 'Ação; "ok"', " linha"],
      ["2", "várias\nlinhas", "fim"],
      ["3", "Zé", ""],
      ["4", "último"]
    ]);
    expect(whole.rows).toEqual([2, 3, 5, 6]); // the blank line is row 4
  });

  it("reads a file without a header from its first line", async () => {
    const {header, records, rows} = await read(
      " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n",
      {
        header: false
      }
    );
    expect(header).toBeNull();
    expect(records[1]).toEqual(["00004", "0001", "19970118", "2", "29.73"]);
    expect(rows).toEqual([1, 2]);
  });

  it("names the row of a quote that is never closed", async () => {
    await expect(read('a,b\n1,2\n3,"open\n4,5\n')).rejects.toThrow(/row 3: a quoted field is never closed/);
  });

  it("names the row of text after a closing quote", async () => {
    await expect(read('a,b\n1,"x"y\n')).rejects.toThrow(/row 2: unexpected "y" after a closing quote/);
  });

  it("refuses UTF-16 and bytes that are not the declared UTF-8", async () => {
    await expect(read(Buffer.from("\ufeffa,b\n", "utf16le"))).rejects.toThrow(/UTF-16 text is not supported/);
    await expect(read(Buffer.from("a\nok\nJos\xe9\n", "latin1"), {encoding: "utf-8"})).rejects.toThrow(
      /row 3: bytes that are not valid utf-8/
    );
  });

  it("refuses an empty file that should have a header", async () => {
    await expect(read("\n\n")).rejects.toThrow(/the file is empty/);
  });
});
