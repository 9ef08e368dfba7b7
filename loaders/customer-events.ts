// For RFM, any party to a trade bill can be "the customer": the participant that registered it, the assignor
// (cedente) or the payer (sacado). An event is a bill registration: its date and value. Canceled bills are left
// out: a registration undone is not business.
import type {PurchaseEvent} from "./rfm.js";

export const customerEntities = ["participant", "assignor", "payer"] as const;
export type CustomerEntity = (typeof customerEntities)[number];

export interface BillForEvents {
  participant_id: string;
  assignor_id: string;
  payer_id: string;
  registered_at: number | Date;
  value: number;
  state: string;
}

export function parseEntity(value: string | undefined, fallback: CustomerEntity = "assignor"): CustomerEntity {
  if (value === undefined || value === "") return fallback;
  if ((customerEntities as readonly string[]).includes(value)) return value as CustomerEntity;
  throw new Error(`customer entity "${value}" is not one of ${customerEntities.join(", ")}`);
}

export function billEvents(bills: Iterable<BillForEvents>, entity: CustomerEntity): PurchaseEvent[] {
  const key = `${entity}_id` as const;
  const events: PurchaseEvent[] = [];
  for (const bill of bills) {
    if (bill.state === "canceled") continue;
    events.push({customer: bill[key], date: +bill.registered_at, amount: bill.value});
  }
  return events;
}
