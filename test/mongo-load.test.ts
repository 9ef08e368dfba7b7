import {randomBytes} from "node:crypto";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {MongoClient} from "mongodb";
import {afterAll, beforeAll, expect, it} from "vitest";
import {readArrowRows, writeArrowTable} from "../loaders/arrow-io.js";
import {generateRegistry} from "../loaders/generate.js";
import {sourceInput} from "../loaders/import-inputs.js";
import {importRegistry} from "../loaders/import.js";
import {billDocuments, loadRegistryIntoMongo, mongoRegistrySource} from "../loaders/mongo-load.js";
import type {TradeBillDocument} from "../loaders/mongo-source.js";
import type {TableName} from "../loaders/registry-schema.js";
import {REGISTRY_TABLES, TABLE_NAMES} from "../loaders/registry-schema.js";
import {collect} from "../loaders/source.js";
import {fixture, writeArrowFolder} from "./helpers/registry-fixture.js";
import {describeWith, services} from "./helpers/services.js";

async function sortedTable(dir: string, table: TableName): Promise<Record<string, unknown>[]> {
  const rows = (await collect(readArrowRows(table, join(dir, `${table}.arrow`)))) as Record<string, unknown>[];
  const key = (row: Record<string, unknown>) =>
    REGISTRY_TABLES[table].primaryKey.map((k) => String(row[k]).padStart(12, "0")).join("|");
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describeWith("mongodb", "the registry in MongoDB (FerretDB as the wire-protocol peer)", () => {
  const suffix = randomBytes(4).toString("hex");
  const layout = {collection: `bills_${suffix}`, participants: `participants_${suffix}`, parties: `parties_${suffix}`};
  let root: string;
  let generated: string;
  let client: MongoClient;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mongo-load-"));
    generated = join(root, "generated");
    await generateRegistry({seed: 4, bills: 2000, out: generated, formats: ["arrow"]});
    client = await MongoClient.connect(services.mongodb!);
  });
  afterAll(async () => {
    for (const name of Object.values(layout)) {
      await client
        ?.db()
        .collection(name)
        .drop()
        .catch(() => {});
    }
    await client?.close();
    await rm(root, {recursive: true, force: true});
  });

  it("round trip: generate → MongoDB → import gives identical tables, row for row", async () => {
    const load = await loadRegistryIntoMongo(services.mongodb!, generated, layout);
    expect(load.documents.trade_bills).toBe(2000);
    const out = join(root, "from-mongodb");
    const source = mongoRegistrySource(services.mongodb!, {...layout, batchSize: 500});
    const report = await importRegistry({input: sourceInput(source), to: out, onError: "reject"});
    expect(report.problems).toEqual([]);
    for (const table of TABLE_NAMES) {
      expect(await sortedTable(out, table), table).toEqual(await sortedTable(generated, table));
    }
  });

  it("keeps the first of repeated bill rows when asked (a document _id is unique), and refuses them otherwise", async () => {
    const dirty = join(root, "dirty");
    await generateRegistry({seed: 4, bills: 300, out: dirty, formats: ["arrow"], dirty: 0.1});
    const bills = await sortedTable(dirty, "trade_bills");
    const distinct = new Set(bills.map((b) => b.bill_id)).size;
    expect(distinct).toBeLessThan(bills.length);
    const names = {
      collection: `${layout.collection}_dirty`,
      participants: layout.participants,
      parties: layout.parties
    };
    await expect(loadRegistryIntoMongo(services.mongodb!, dirty, names)).rejects.toThrow(/appears twice/);
    const load = await loadRegistryIntoMongo(services.mongodb!, dirty, {...names, skipDuplicateBills: true});
    expect(load.documents.trade_bills).toBe(distinct);
    await client.db().collection(names.collection).drop();
  });

  it("keeps each bill as one document with its installments and their payments nested, dates as dates", async () => {
    const doc = await client
      .db()
      .collection<TradeBillDocument>(layout.collection)
      .findOne({"installments.payments.1": {$exists: true}});
    expect(doc).not.toBeNull();
    expect(doc!.registered_at).toBeInstanceOf(Date);
    expect(doc!.installments[0].due_date).toBeInstanceOf(Date);
    const payments = doc!.installments.flatMap((i) => i.payments);
    expect(payments[0]).toMatchObject({payment_id: expect.stringMatching(/^PAY-/), performed_at: expect.any(Date)});
    const indexes = await client.db().collection(layout.collection).indexes();
    expect(indexes.map((i) => Object.keys(i.key).join(","))).toContain("payer_id,registered_at");
  });

  it("says which file is out of bill order instead of nesting rows under the wrong bill", async () => {
    const dir = join(root, "unordered");
    const registry = fixture();
    await writeArrowFolder(dir, registry);
    await writeArrowTable("installments", join(dir, "installments.arrow"), [...registry.installments].reverse());
    await expect(collect(billDocuments(dir))).rejects.toThrow(
      /installments\.arrow: rows for bill TB-\d come out of the order/
    );
  });
});
