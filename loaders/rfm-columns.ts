// Segmentation RFM on columns: customers dictionary-encoded once, then one pass over typed arrays. This is the
// path the loaders and the benchmark use at registry scale; it gives the same rows as segmentationRfm (rfm.ts).
// Money is summed in integer cents, so the result does not depend on row order at all.
import {DAY_MS, type PurchaseEvent, type SegmentationRow} from "./rfm.js";

export interface EventColumns {
  /** Index into `customers` for each event. */
  customer: Int32Array;
  customers: string[];
  time: Float64Array;
  amount: Float64Array;
}

export interface RfmColumns {
  customer: string[];
  recency: Int32Array;
  frequency: Int32Array;
  monetary: Float64Array;
  first: Float64Array;
  last: Float64Array;
}

export function encodeEvents(events: readonly PurchaseEvent[]): EventColumns {
  const index = new Map<string, number>();
  const customers: string[] = [];
  const customer = new Int32Array(events.length);
  const time = new Float64Array(events.length);
  const amount = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    let c = index.get(e.customer);
    if (c === undefined) {
      c = customers.length;
      index.set(e.customer, c);
      customers.push(e.customer);
    }
    customer[i] = c;
    time[i] = +e.date;
    amount[i] = e.amount;
  }
  return {customer, customers, time, amount};
}

export interface RfmWindow {
  observationDate: number | Date;
  /** Only the last `windowDays` days up to the observation day count (the same window as windowEvents). */
  windowDays?: number;
}

export function segmentationRfmColumns(events: EventColumns, {observationDate, windowDays}: RfmWindow): RfmColumns {
  const observationDay = Math.floor(+observationDate / DAY_MS);
  const limit = (observationDay + 1) * DAY_MS;
  const since = windowDays === undefined ? -Infinity : +observationDate - windowDays * DAY_MS;
  const n = events.customers.length;
  const count = new Int32Array(n);
  const cents = new Float64Array(n);
  const first = new Float64Array(n).fill(Infinity);
  const last = new Float64Array(n).fill(-Infinity);
  const {customer, time, amount} = events;
  for (let i = 0; i < customer.length; i++) {
    const t = time[i];
    if (!(t < limit && t > since)) continue;
    const c = customer[i];
    count[c]++;
    cents[c] += Math.round(amount[i] * 100);
    if (t < first[c]) first[c] = t;
    if (t > last[c]) last[c] = t;
  }
  const present: number[] = [];
  for (let c = 0; c < n; c++) if (count[c] > 0) present.push(c);
  present.sort((a, b) =>
    events.customers[a] < events.customers[b] ? -1 : events.customers[a] > events.customers[b] ? 1 : 0
  );
  const m = present.length;
  const out: RfmColumns = {
    customer: new Array<string>(m),
    recency: new Int32Array(m),
    frequency: new Int32Array(m),
    monetary: new Float64Array(m),
    first: new Float64Array(m),
    last: new Float64Array(m)
  };
  for (let r = 0; r < m; r++) {
    const c = present[r];
    out.customer[r] = events.customers[c];
    out.recency[r] = observationDay - Math.floor(last[c] / DAY_MS);
    out.frequency[r] = count[c];
    out.monetary[r] = cents[c] / 100;
    out.first[r] = first[c];
    out.last[r] = last[c];
  }
  return out;
}

/** The same result as rows, the shape segmentationRfm returns. */
export function rfmRows(events: EventColumns, window: RfmWindow): SegmentationRow[] {
  const c = segmentationRfmColumns(events, window);
  return c.customer.map((customer, i) => ({
    customer,
    recency: c.recency[i],
    frequency: c.frequency[i],
    monetary: c.monetary[i],
    first: new Date(c.first[i]),
    last: new Date(c.last[i])
  }));
}
