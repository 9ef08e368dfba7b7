import {execFileSync} from "node:child_process";
import {mkdtemp, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {tableFromArrays, tableFromIPC, tableToIPC} from "apache-arrow";
import {describe, expect, it} from "vitest";
import {monthlyRegistrations} from "../loaders/registrations.js";

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const bills = [
  {registered_at: day("2024-01-31"), kind: "goods", value: 100.1},
  {registered_at: day("2024-01-01"), kind: "goods", value: 50.2},
  {registered_at: day("2024-02-01"), kind: "services", value: 10},
  {registered_at: day("2024-01-15"), kind: "services", value: 7.5}
];

describe("monthly registrations", () => {
  it("counts bills and sums value per calendar month (UTC) and kind", () => {
    expect(monthlyRegistrations(bills)).toEqual([
      {month: day("2024-01-01"), kind: "goods", bills: 2, value: 150.3},
      {month: day("2024-01-01"), kind: "services", bills: 1, value: 7.5},
      {month: day("2024-02-01"), kind: "services", bills: 1, value: 10}
    ]);
  });

  it("gives the same rows whatever the input order", () => {
    expect(monthlyRegistrations([...bills].reverse())).toEqual(monthlyRegistrations(bills));
  });

  it("runs from a terminal: reads the configured folder, writes an Arrow stream to stdout, progress to stderr", async () => {
    const dir = await mkdtemp(join(tmpdir(), "registry-"));
    const table = tableFromArrays({
      registered_at: Float64Array.from(bills.map((b) => b.registered_at)),
      kind: bills.map((b) => b.kind),
      value: Float64Array.from(bills.map((b) => b.value))
    });
    await writeFile(join(dir, "trade_bills.arrow"), tableToIPC(table, "stream"));
    const stdout = execFileSync(join("node_modules", ".bin", "tsx"), ["src/data/registrations.arrow.ts"], {
      env: {...process.env, GRAFENO_SOURCE: `dir:${dir}`},
      stdio: ["ignore", "pipe", "pipe"]
    });
    expect([...stdout.subarray(0, 4)]).toEqual([0xff, 0xff, 0xff, 0xff]); // IPC stream continuation marker
    const rows = tableFromIPC(stdout)
      .toArray()
      .map((r) => ({...r.toJSON(), month: Number(r.month)}));
    expect(rows).toEqual(monthlyRegistrations(bills));
  });

  it("names the missing file when the source has no trade bills", async () => {
    const dir = await mkdtemp(join(tmpdir(), "empty-"));
    expect(() =>
      execFileSync(join("node_modules", ".bin", "tsx"), ["src/data/registrations.arrow.ts"], {
        env: {...process.env, GRAFENO_SOURCE: `dir:${dir}`},
        stdio: ["ignore", "pipe", "pipe"]
      })
    ).toThrow(/trade_bills\.arrow: missing table trade_bills/);
  });
});
