// Monthly registrations: bills and value registered per month and kind of trade bill.
import {Float64, Int32, Table, TimestampMillisecond, Utf8, vectorFromArray} from "apache-arrow";

export interface RegisteredBill {
  registered_at: Date | number;
  kind: string;
  value: number;
}

export interface MonthlyRegistration {
  month: number; // epoch ms of the month's first day, UTC
  kind: string;
  bills: number;
  value: number;
}

export function monthStart(date: Date | number): number {
  const d = new Date(date);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function monthlyRegistrations(bills: Iterable<RegisteredBill>): MonthlyRegistration[] {
  const groups = new Map<string, MonthlyRegistration>();
  for (const bill of bills) {
    const month = monthStart(bill.registered_at);
    const key = `${month}|${bill.kind}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = {month, kind: bill.kind, bills: 0, value: 0}));
    group.bills += 1;
    group.value += bill.value;
  }
  // Sorted so the output is identical whatever the input order.
  return [...groups.values()]
    .map((g) => ({...g, value: Math.round(g.value * 100) / 100}))
    .sort((a, b) => a.month - b.month || a.kind.localeCompare(b.kind));
}

export function registrationsTable(rows: MonthlyRegistration[]): Table {
  return new Table({
    month: vectorFromArray(
      rows.map((r) => r.month),
      new TimestampMillisecond()
    ),
    kind: vectorFromArray(
      rows.map((r) => r.kind),
      new Utf8()
    ),
    bills: vectorFromArray(
      rows.map((r) => r.bills),
      new Int32()
    ),
    value: vectorFromArray(
      rows.map((r) => r.value),
      new Float64()
    )
  });
}
