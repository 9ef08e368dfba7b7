// Monthly registrations by kind, for the registrations page.
import {codesIn, millis, numbers} from "../../loaders/column-read.js";
import {emitArrow, progress} from "../../loaders/emit.js";
import {monthlyRegistrations, registrationsTable, type RegisteredBill} from "../../loaders/registrations.js";
import {BILL_KINDS} from "../../loaders/registry-schema.js";
import {readColumns, sourceFromEnv} from "../../loaders/source.js";
const source = sourceFromEnv();
progress("registrations", `reading trade_bills from ${source.describe}`);
const columns = await readColumns(source, "trade_bills", ["registered_at", "kind", "value"]);
const registeredAt = millis(columns.registered_at, "trade_bills.registered_at");
const kind = codesIn(columns.kind, BILL_KINDS);
const value = numbers(columns.value);
function* registered(): Generator<RegisteredBill> {
  for (let b = 0; b < registeredAt.length; b++) yield {registered_at: registeredAt[b], kind: BILL_KINDS[kind[b]], value: value[b]};
}
const rows = monthlyRegistrations(registered());
progress("registrations", `${registeredAt.length} bills → ${rows.length} month×kind rows`);
await emitArrow(registrationsTable(rows));
