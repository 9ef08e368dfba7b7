// The registry in MongoDB, laid out as the registrar's operational store keeps it: one document per trade bill with
// its installments and their payments nested (mongo-source.ts reads them back), plus flat collections for the
// participants and parties the bills refer to. Loading streams a canonical Arrow folder: the three bill tables are
// merged in bill order (as the generator and every import write them), so memory holds one bill at a time, and
// documents go out with insertMany in batches. Only what FerretDB supports is used: insertMany, createIndex, drop,
// find with sort.
import {join} from "node:path";
import type {Document} from "mongodb";
import {MongoClient} from "mongodb";
import {readArrowRows} from "./arrow-io.js";
import type {NestedInstallment, TradeBillDocument} from "./mongo-source.js";
import {mongoSource} from "./mongo-source.js";
import type {InstallmentRow, PaymentRow, RowOf, TableName} from "./registry-schema.js";
import {tableSpec} from "./registry-schema.js";
import type {RegistrySource} from "./source.js";

export interface MongoLayout {
  /** Nested trade-bill documents (default trade_bills). */
  collection?: string;
  /** Flat participant documents, _id = participant_id (default participants). */
  participants?: string;
  /** Flat party documents, _id = party_id (default parties). */
  parties?: string;
}

export interface MongoLoadOptions extends MongoLayout {
  /** Documents per insertMany. */
  batchSize?: number;
  /** Keep the first of repeated bill rows (generated dirty data has them; _id is unique). */
  skipDuplicateBills?: boolean;
  onProgress?: (progress: {table: string; rows: number}) => void;
}

function layout(options: MongoLayout) {
  return {
    collection: options.collection ?? "trade_bills",
    participants: options.participants ?? "participants",
    parties: options.parties ?? "parties"
  };
}

const date = (iso: string | null) => (iso === null ? null : new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso));

/** A flat row as a document: the key becomes _id, dates become BSON dates. */
function flatDocument(table: "participants" | "parties", row: Record<string, unknown>): Document {
  const [key] = tableSpec(table).primaryKey;
  const doc: Document = {_id: row[key]};
  for (const field of tableSpec(table).fields) {
    if (field.name === key) continue;
    const value = row[field.name];
    doc[field.name] = field.type === "date" || field.type === "timestamp" ? date(value as string | null) : value;
  }
  return doc;
}

/** Peeks one row ahead of an async iterator. */
async function peekable<T>(rows: AsyncIterable<T>) {
  const iterator = rows[Symbol.asyncIterator]();
  let head = await iterator.next();
  return {
    peek: () => (head.done ? undefined : head.value),
    async next(): Promise<T> {
      const value = head.value as T;
      head = await iterator.next();
      return value;
    }
  };
}

/** Trade-bill documents from the three bill tables, which must list bills in the same order. */
export async function* billDocuments(folder: string, skipDuplicates = false): AsyncGenerator<TradeBillDocument> {
  const file = (table: TableName) => join(folder, `${table}.arrow`);
  const installmentRows = readArrowRows("installments", file("installments"));
  const paymentRows = readArrowRows("payments", file("payments"));
  try {
    const [installments, payments] = [await peekable(installmentRows), await peekable(paymentRows)];
    yield* nest(file, installments, payments, skipDuplicates);
  } finally {
    // Closes the files when nesting stops early (an error, or a consumer that stops reading).
    await Promise.all([installmentRows.return(undefined), paymentRows.return(undefined)]);
  }
}

type Peekable<T> = Awaited<ReturnType<typeof peekable<T>>>;

async function* nest(
  file: (table: TableName) => string,
  installments: Peekable<InstallmentRow>,
  payments: Peekable<PaymentRow>,
  skipDuplicates: boolean
): AsyncGenerator<TradeBillDocument> {
  const outOfOrder = (table: TableName, bill: string) =>
    new Error(
      `${file(table)}: rows for bill ${bill} come out of the order of trade_bills.arrow ` +
        `(sort all three files by bill, or import them first: imports keep one order)`
    );
  const seen = new Set<string>();
  for await (const bill of readArrowRows("trade_bills", file("trade_bills"))) {
    if (seen.has(bill.bill_id)) {
      if (skipDuplicates) continue;
      throw new Error(`${file("trade_bills")}: bill ${bill.bill_id} appears twice (a document _id is unique)`);
    }
    seen.add(bill.bill_id);
    const nested: NestedInstallment[] = [];
    while (installments.peek()?.bill_id === bill.bill_id) {
      const i = await installments.next();
      nested.push({
        number: i.number,
        due_date: date(i.due_date)!,
        original_due_date: date(i.original_due_date)!,
        value: i.value,
        paid_value: i.paid_value,
        paid_at: date(i.paid_at),
        payments: []
      });
    }
    while (payments.peek()?.bill_id === bill.bill_id) {
      const p = await payments.next();
      const target = nested.find((i) => i.number === p.installment_number);
      if (!target) throw outOfOrder("installments", p.bill_id);
      target.payments.push({payment_id: p.payment_id, performed_at: date(p.performed_at)!, value: p.value});
    }
    const {bill_id, emitted_at, registered_at, ...rest} = bill;
    yield {
      _id: bill_id,
      ...rest,
      emitted_at: date(emitted_at)!,
      registered_at: date(registered_at)!,
      installments: nested
    };
  }
  for (const [table, left] of [
    ["installments", installments.peek()],
    ["payments", payments.peek()]
  ] as const) {
    if (left) throw outOfOrder(table, left.bill_id);
  }
}

/** Replaces the three collections with the folder's registry; returns documents written per collection. */
export async function loadRegistryIntoMongo(url: string, folder: string, options: MongoLoadOptions = {}) {
  const started = performance.now();
  const names = layout(options);
  const batchSize = options.batchSize ?? 1000;
  const progress = options.onProgress ?? (() => undefined);
  const client = await MongoClient.connect(url, {serverSelectionTimeoutMS: 5000});
  try {
    const db = client.db();
    const existing = new Set((await db.listCollections({}, {nameOnly: true}).toArray()).map((c) => c.name));
    for (const name of Object.values(names)) if (existing.has(name)) await db.collection(name).drop();
    const counts = {participants: 0, parties: 0, trade_bills: 0};
    const write = async (name: string, key: keyof typeof counts, documents: AsyncIterable<Document>) => {
      let batch: Document[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await db.collection(name).insertMany(batch, {ordered: true});
        counts[key] += batch.length;
        progress({table: key, rows: counts[key]});
        batch = [];
      };
      for await (const doc of documents) {
        batch.push(doc);
        if (batch.length === batchSize) await flush();
      }
      await flush();
    };
    for (const table of ["participants", "parties"] as const) {
      await write(names[table], table, mapRows(readArrowRows(table, join(folder, `${table}.arrow`)), table));
    }
    await write(names.collection, "trade_bills", billDocuments(folder, options.skipDuplicateBills));
    const bills = db.collection(names.collection);
    for (const owner of ["participant_id", "assignor_id", "payer_id"])
      await bills.createIndex({[owner]: 1, registered_at: -1});
    await bills.createIndex({registered_at: 1});
    return {documents: counts, seconds: (performance.now() - started) / 1000};
  } finally {
    await client.close();
  }
}

async function* mapRows<T extends "participants" | "parties">(rows: AsyncIterable<RowOf<T>>, table: T) {
  for await (const row of rows) yield flatDocument(table, row as Record<string, unknown>);
}

/**
 * The registry as loadRegistryIntoMongo lays it out, as a RegistrySource: the bill tables flattened from the nested
 * documents (mongoSource), participants and parties from their own collections, dates as epoch milliseconds.
 */
export function mongoRegistrySource(url: string, options: MongoLayout & {batchSize?: number} = {}): RegistrySource {
  const names = layout(options);
  const bills = mongoSource(url, {collection: names.collection, batchSize: options.batchSize});
  return {
    describe: `${bills.describe} (+ ${names.participants}, ${names.parties})`,
    async *rows<T>(table: string): AsyncIterable<T> {
      if (table !== "participants" && table !== "parties") {
        yield* bills.rows<T>(table);
        return;
      }
      const spec = tableSpec(table);
      const client = await MongoClient.connect(url, {serverSelectionTimeoutMS: 5000});
      try {
        const cursor = client
          .db()
          .collection(names[table])
          .find({}, {batchSize: options.batchSize ?? 2000})
          .sort({_id: 1});
        for await (const doc of cursor) {
          const row: Record<string, unknown> = {};
          for (const field of spec.fields) {
            const value = field.name === spec.primaryKey[0] ? doc._id : doc[field.name];
            row[field.name] = value instanceof Date ? value.getTime() : (value ?? null);
          }
          yield row as T;
        }
      } finally {
        await client.close();
      }
    }
  };
}
