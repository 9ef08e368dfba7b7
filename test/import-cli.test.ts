import {mkdtemp, readFile, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from "vitest";
import {readDatasets} from "../loaders/dataset-registry.js";
import {main, parseImportCli} from "../scripts/import.js";
import {fixture, writeCsvFolder} from "./helpers/registry-fixture.js";

const CDNOW = fileURLToPath(new URL("../../shared/reference/cdnow/", import.meta.url));
let root: string;
const previousDataDir = process.env.GRAFENO_DATA_DIR;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "import-cli-"));
  process.env.GRAFENO_DATA_DIR = join(root, "data");
});
afterAll(async () => {
  if (previousDataDir === undefined) delete process.env.GRAFENO_DATA_DIR;
  else process.env.GRAFENO_DATA_DIR = previousDataDir;
  await rm(root, {recursive: true, force: true});
});
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in-process; returns its exit code and what it printed. */
async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return {code, stdout, stderr};
}

describe("the import command", () => {
  it("prints the counts and each rejected row (file, row, column, reason), and exits 1 when it refuses", async () => {
    const input = join(root, "broken");
    const registry = fixture();
    registry.parties[1].document = "19930094181";
    await writeCsvFolder(input, registry);
    const {code, stdout} = await run("--from", "csv", input, "--to", join(root, "out"), "--quiet");
    expect(code).toBe(1);
    expect(stdout).toContain("import REFUSED, nothing written");
    expect(stdout).toMatch(/parties\s+3 read\s+2 valid\s+1 rejected/);
    expect(stdout).toContain(`${input}/parties.csv:3 document = "19930094181": invalid CPF check digits`);
    expect(stdout).toContain(`${input}/trade_bills.csv:2 payer_id = "X-0002": refers to a rejected row`);
  });

  it("quarantines on request, writes the rejects file and records the dataset", async () => {
    const input = join(root, "quarantine");
    const registry = fixture();
    registry.payments[3].value = 0;
    await writeCsvFolder(input, registry);
    const out = join(root, "quarantined");
    const {code, stdout} = await run(
      ...["--from", "csv", input, "--to", out, "--on-error", "quarantine", "--register", "fixture", "--quiet"]
    );
    expect(code).toBe(0);
    expect(stdout).toContain(`rejected rows with their reasons: ${out}/rejects.csv`);
    expect(await readFile(join(out, "rejects.csv"), "utf8")).toContain(
      'payments,value,0,positive,"must be positive, got 0.00"'
    );
    const [dataset] = await readDatasets(join(root, "data", "datasets.json"));
    expect(dataset).toMatchObject({name: "fixture", kind: "registry", rejected_rows: 4, folder: out});
  });

  it("imports the CDNOW master file through its mapping", async () => {
    const out = join(root, "cdnow");
    const file = join(CDNOW, "CDNOW_master.txt");
    const {code, stdout} = await run("--from", "csv", file, "--mapping", "cdnow-master", "--to", out, "--quiet");
    expect(code).toBe(0);
    expect(stdout).toMatch(/transactions\s+69,659 read\s+69,659 imported\s+0 rejected/);
  });

  it("explains bad flags and exits 2", async () => {
    const bad = await run("--from", "excel", "x", "--to", "y");
    expect(bad).toMatchObject({code: 2, stderr: expect.stringContaining("--from must be one of csv, arrow, postgres")});
    expect(() => parseImportCli(["--from", "csv", "x"])).toThrow(/--to <dir> is required/);
    expect(() => parseImportCli(["--from", "csv", "x", "--to", "y", "--on-error", "skip"])).toThrow(
      /reject or quarantine/
    );
    expect(() => parseImportCli(["--from", "arrow", "--to", "y"])).toThrow(/needs a path/);
    expect(() => parseImportCli(["--from", "postgres", "--to", "y", "--mapping", "m"])).toThrow(/--from csv/);
    expect(parseImportCli(["--from", "csv", "x", "--to", "y", "--delimiter", "tab"])).toMatchObject({
      csv: {delimiter: "\t"},
      onError: "reject"
    });
    const help = await run("--help");
    expect(help.stdout).toContain("--on-error quarantine");
  });
});
