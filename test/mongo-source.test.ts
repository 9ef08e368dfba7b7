import {execFileSync} from "node:child_process";
import {randomBytes} from "node:crypto";
import {join} from "node:path";
import {tableFromIPC} from "apache-arrow";
import {MongoClient} from "mongodb";
import {afterAll, beforeAll, expect, it} from "vitest";
import {flatten, mongoSource, type TradeBillDocument} from "../loaders/mongo-source.js";
import {monthlyRegistrations} from "../loaders/registrations.js";
import {collect} from "../loaders/source.js";
import {describeWith, services} from "./helpers/services.js";

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

function bill(n: number, kind: string, registered: string, paid: boolean): TradeBillDocument {
  return {
    _id: `TB${String(n).padStart(6, "0")}`,
    participant_id: "P001",
    assignor_id: `A${n % 2}`,
    payer_id: `Y${n}`,
    kind,
    ballast: "invoice",
    nfe_key: null,
    emitted_at: d(registered),
    registered_at: d(registered),
    state: paid ? "finished" : "active",
    cancel_reason: null,
    value: 300 + n,
    installments: [1, 2].map((number) => ({
      number,
      due_date: d(`2024-0${number + 2}-10`),
      original_due_date: d(`2024-0${number + 2}-10`),
      value: (300 + n) / 2,
      paid_value: paid ? (300 + n) / 2 : null,
      paid_at: paid ? d(`2024-0${number + 2}-12`) : null,
      payments: paid
        ? [{payment_id: `PM${n}-${number}`, performed_at: d(`2024-0${number + 2}-12`), value: (300 + n) / 2}]
        : []
    }))
  };
}

const docs = [
  bill(1, "goods", "2024-01-05", true),
  bill(2, "services", "2024-01-20", false),
  bill(3, "goods", "2024-02-02", true)
];

describeWith("mongodb", "the MongoDB source (FerretDB as the wire-protocol peer)", () => {
  const collection = `bills_${randomBytes(4).toString("hex")}`;
  let client: MongoClient;
  beforeAll(async () => {
    client = await MongoClient.connect(services.mongodb!);
    await client.db().collection<TradeBillDocument>(collection).insertMany(docs);
  });
  afterAll(async () => {
    await client
      ?.db()
      .collection(collection)
      .drop()
      .catch(() => {});
    await client?.close();
  });

  it("streams nested trade-bill documents as flat canonical rows", async () => {
    const source = mongoSource(services.mongodb!, {collection, batchSize: 2});
    for (const table of ["trade_bills", "installments", "payments"]) {
      const rows = await collect(source.rows(table));
      expect(rows, table).toEqual(docs.flatMap((doc) => flatten(doc, table)));
    }
    expect((await collect(source.rows("installments"))).length).toBe(6);
    expect((await collect(source.rows("payments"))).length).toBe(4);
  });

  it("feeds a loader run from the terminal exactly as the folder source would", () => {
    const stdout = execFileSync(join("node_modules", ".bin", "tsx"), ["src/data/registrations.arrow.ts"], {
      env: {...process.env, GRAFENO_SOURCE: services.mongodb, GRAFENO_MONGODB_COLLECTION: collection},
      stdio: ["ignore", "pipe", "pipe"]
    });
    const rows = tableFromIPC(stdout)
      .toArray()
      .map((r) => ({...r.toJSON(), month: Number(r.month)}));
    expect(rows).toEqual(monthlyRegistrations(docs.map((doc) => flatten(doc, "trade_bills")[0] as never)));
  });

  it("names the table it cannot serve", async () => {
    await expect(collect(mongoSource(services.mongodb!, {collection}).rows("parties"))).rejects.toThrow(
      /table parties is not kept/
    );
  });
});
