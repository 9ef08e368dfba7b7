import {mkdtemp, readFile, readdir, rm, utimes, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Dataset} from "../loaders/dataset-registry.js";
import {describeDataset, forgetDataset, readDatasets, registerDataset} from "../loaders/dataset-registry.js";
import {generateRegistry} from "../loaders/generate.js";
import {arrowInput, csvInput} from "../loaders/import-inputs.js";
import {importRegistry} from "../loaders/import.js";
import {fixture, writeArrowFolder} from "./helpers/registry-fixture.js";

let root: string;
let generated: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "datasets-"));
  generated = join(root, "generated");
  await generateRegistry({seed: 8, bills: 300, out: generated});
});
afterAll(() => rm(root, {recursive: true, force: true}));

const describeFolder = (name: string, folder: string) =>
  describeDataset({name, kind: "registry", folder, source: `test:${name}`, importedAt: "2025-03-01T12:00:00.000Z"});

describe("the dataset registry", () => {
  it("describes a folder: rows per table, schema, time range, checksum, and the import time it was given", async () => {
    const dataset = await describeFolder("generated", generated);
    const manifest = JSON.parse(await readFile(join(generated, "manifest.json"), "utf8"));
    for (const [table, {rows, files}] of Object.entries<{rows: number; files: {arrow: {sha256: string}}}>(
      manifest.tables
    )) {
      expect(dataset.tables[table]).toMatchObject({rows, sha256: files.arrow.sha256});
    }
    expect(dataset.tables.trade_bills.columns.map((c) => c.name)).toEqual([
      ...["bill_id", "participant_id", "assignor_id", "payer_id", "kind", "ballast", "nfe_key", "emitted_at"],
      ...["registered_at", "state", "cancel_reason", "value"]
    ]);
    expect(dataset.tables.trade_bills.columns[6]).toEqual({name: "nfe_key", type: "Utf8", nullable: true});
    expect(dataset.time_range).toEqual({
      column: "trade_bills.registered_at",
      from: expect.stringMatching(/^2021-01-0\dT/),
      to: expect.stringMatching(/^2024-12-3\dT/)
    });
    expect(dataset).toMatchObject({
      imported_at: "2025-03-01T12:00:00.000Z",
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/)
    });
  });

  it("gives equal checksums to equal data, whatever it was imported from, and another to changed data", async () => {
    const [a, b] = [join(root, "from-csv"), join(root, "from-arrow")];
    await importRegistry({input: csvInput(generated), to: a, onError: "reject"});
    await importRegistry({input: arrowInput(generated), to: b, onError: "reject"});
    const [da, db] = await Promise.all([describeFolder("a", a), describeFolder("b", b)]);
    expect(da.checksum).toBe(db.checksum);
    const changed = join(root, "changed");
    const registry = fixture();
    await writeArrowFolder(changed, registry);
    const before = (await describeFolder("c", changed)).checksum;
    registry.payments[0].value = 617.29;
    await writeArrowFolder(changed, registry);
    expect((await describeFolder("c", changed)).checksum).not.toBe(before);
  });

  it("keeps datasets.json sorted by name, replacing a dataset registered again under its name", async () => {
    const path = join(root, "one", "datasets.json");
    const dataset = await describeFolder("zeta", generated);
    await registerDataset(dataset, path);
    await registerDataset({...dataset, name: "alpha"}, path);
    await registerDataset({...dataset, source: "again"}, path);
    const datasets = await readDatasets(path);
    expect(datasets.map((d) => [d.name, d.source])).toEqual([
      ["alpha", "test:zeta"],
      ["zeta", "again"]
    ]);
    expect(JSON.parse(await readFile(path, "utf8")).version).toBe(1);
    expect(await readdir(join(root, "one"))).toEqual(["datasets.json"]); // no temporary or lock file left
    expect(await forgetDataset("alpha", path)).toBe(true);
    expect(await forgetDataset("alpha", path)).toBe(false);
    expect((await readDatasets(path)).map((d) => d.name)).toEqual(["zeta"]);
  });

  it("records every one of several registrations made at the same time", async () => {
    const path = join(root, "many", "datasets.json");
    const dataset = await describeFolder("x", generated);
    const names = Array.from({length: 8}, (_, i) => `set-${i}`);
    await Promise.all(names.map((name) => registerDataset({...dataset, name} as Dataset, path)));
    expect((await readDatasets(path)).map((d) => d.name)).toEqual(names);
  });

  it("takes over a lock left by a process that died, but waits for a live one", async () => {
    const path = join(root, "locked", "datasets.json");
    const dataset = await describeFolder("x", generated);
    await registerDataset(dataset, path);
    await writeFile(`${path}.lock`, "");
    const old = new Date(Date.now() - 120_000);
    await utimes(`${path}.lock`, old, old);
    await registerDataset({...dataset, name: "after-stale-lock"}, path);
    await writeFile(`${path}.lock`, "");
    const waiting = registerDataset({...dataset, name: "after-release"}, path);
    await new Promise((done) => setTimeout(done, 100));
    expect((await readDatasets(path)).map((d) => d.name)).not.toContain("after-release");
    await rm(`${path}.lock`);
    await waiting;
    expect((await readDatasets(path)).map((d) => d.name)).toContain("after-release");
  });

  it("refuses names that could not be a file or a URL part", async () => {
    await expect(describeFolder("../etc", generated)).rejects.toThrow(/letters, digits/);
  });

  it("reads a missing registry as empty", async () => {
    expect(await readDatasets(join(root, "none", "datasets.json"))).toEqual([]);
  });
});
