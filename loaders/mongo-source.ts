// The registrar's operational store keeps each trade bill as one document with its installments and their
// payments nested, as its API returns them. This source streams those documents (find + projection + batch
// cursor: all FerretDB supports) and flattens them into the canonical tables.
import {MongoClient, type Document} from "mongodb";
import type {RegistrySource} from "./source.js";

export interface NestedPayment {
  payment_id: string;
  performed_at: Date;
  value: number;
}

export interface NestedInstallment {
  number: number;
  due_date: Date;
  original_due_date: Date;
  value: number;
  paid_value: number | null;
  paid_at: Date | null;
  payments: NestedPayment[];
}

export interface TradeBillDocument {
  _id: string;
  participant_id: string;
  assignor_id: string;
  payer_id: string;
  kind: string;
  ballast: string;
  nfe_key: string | null;
  emitted_at: Date;
  registered_at: Date;
  state: string;
  cancel_reason: string | null;
  value: number;
  installments: NestedInstallment[];
}

const billFields = [
  "participant_id",
  "assignor_id",
  "payer_id",
  "kind",
  "ballast",
  "nfe_key",
  "emitted_at",
  "registered_at",
  "state",
  "cancel_reason",
  "value"
] as const;

const ms = (d: Date | null | undefined) => (d == null ? null : new Date(d).getTime());

/** Flattens one document into rows of a canonical table; dates become epoch milliseconds like the Arrow files. */
export function flatten(doc: Document, table: string): Record<string, unknown>[] {
  const bill = doc as TradeBillDocument;
  if (table === "trade_bills") {
    const row: Record<string, unknown> = {bill_id: bill._id};
    for (const field of billFields) row[field] = bill[field] ?? null;
    row.emitted_at = ms(bill.emitted_at);
    row.registered_at = ms(bill.registered_at);
    return [row];
  }
  if (table === "installments") {
    return (bill.installments ?? []).map((i) => ({
      bill_id: bill._id,
      number: i.number,
      due_date: ms(i.due_date),
      original_due_date: ms(i.original_due_date),
      value: i.value,
      paid_value: i.paid_value ?? null,
      paid_at: ms(i.paid_at)
    }));
  }
  if (table === "payments") {
    return (bill.installments ?? []).flatMap((i) =>
      (i.payments ?? []).map((p) => ({
        payment_id: p.payment_id,
        bill_id: bill._id,
        installment_number: i.number,
        performed_at: ms(p.performed_at),
        value: p.value
      }))
    );
  }
  throw new Error(`MongoDB source: table ${table} is not kept in the trade-bill documents`);
}

function projectionFor(table: string): Document {
  if (table === "trade_bills") return {installments: 0};
  return {_id: 1, installments: 1};
}

export interface MongoSourceOptions {
  collection?: string;
  batchSize?: number;
}

export function mongoSource(url: string, {collection = "trade_bills", batchSize = 2000}: MongoSourceOptions = {}) {
  const source: RegistrySource = {
    describe: `mongodb:${url.replace(/\/\/[^@/]*@/, "//***@")}/${collection}`,
    async *rows<T>(table: string): AsyncIterable<T> {
      const client = await MongoClient.connect(url, {serverSelectionTimeoutMS: 5000});
      try {
        const cursor = client
          .db()
          .collection(collection)
          .find({}, {projection: projectionFor(table), batchSize})
          .sort({_id: 1});
        for await (const doc of cursor) for (const row of flatten(doc, table)) yield row as T;
      } finally {
        await client.close();
      }
    }
  };
  return source;
}
