// Monthly registrations by kind, for the registrations page.
import {emitArrow, progress} from "../../loaders/emit.js";
import {monthlyRegistrations, registrationsTable, type RegisteredBill} from "../../loaders/registrations.js";
import {collect, sourceFromEnv} from "../../loaders/source.js";

const source = sourceFromEnv();
progress("registrations", `reading trade_bills from ${source.describe}`);
const bills = await collect(source.rows<RegisteredBill>("trade_bills"));
const rows = monthlyRegistrations(bills);
progress("registrations", `${bills.length} bills → ${rows.length} month×kind rows`);
await emitArrow(registrationsTable(rows));
