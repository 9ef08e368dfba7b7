// Per-customer recency / frequency / monetary summaries from purchase events.
// Two conventions, see ../shared/reference/VECTORS.md:
// - clvSummary: the lifetimes / pymc-marketing input for BG/NBD and Gamma-Gamma (periods, repeat purchases only);
// - segmentationRfm: the analyst's raw R, F, M that feed quintile scores (./scores.ts).
// Both group events in one pass with a Map and typed arrays, then counting-sort them by customer, so 1M events
// take a few hundred milliseconds. Within a customer, events are ordered by (time, amount): sums are therefore
// computed in the same order whatever the input order, and results are bit-for-bit invariant to row order.

export interface PurchaseEvent {
  customer: string;
  /** A Date or epoch milliseconds; days are calendar days in UTC. */
  date: Date | number;
  amount: number;
}

export interface ClvSummaryOptions {
  /** Last day observed, inclusive: events on that UTC day count, later ones are ignored. */
  observationEnd: Date | number;
  /** Only daily periods are supported. */
  period?: "day";
  /** Divides recency and T, e.g. 7 to express them in weeks. Default 1 (days). */
  unit?: number;
}

export interface ClvSummaryRow {
  customer: string;
  /** Distinct purchase periods − 1. */
  frequency: number;
  /** Last purchase period − first purchase period, in units. */
  recency: number;
  /** Observation end period − first purchase period, in units. */
  T: number;
  /** Mean of the repeat-period totals (first period excluded); 0 without repeats. */
  monetaryValue: number;
}

export interface SegmentationOptions {
  /** Reference day, inclusive: events on later UTC days are ignored. */
  observationDate: Date | number;
}

export interface SegmentationRow {
  customer: string;
  /** Whole UTC calendar days from the last event to observationDate. */
  recency: number;
  /** Number of events (not distinct days). */
  frequency: number;
  /** Sum of amounts. */
  monetary: number;
  first: Date;
  last: Date;
}

export const DAY_MS = 86_400_000;

/** Events grouped by customer; customer c owns times/amounts[offsets[c] .. offsets[c + 1]). */
interface CustomerGroups {
  ids: string[];
  /** Customer indices ordered by id. */
  order: Int32Array;
  offsets: Int32Array;
  times: Float64Array;
  amounts: Float64Array;
}

function toMs(date: Date | number): number {
  return typeof date === "number" ? date : date instanceof Date ? date.getTime() : NaN;
}

function checkedMs(date: Date | number, what: string): number {
  const ms = toMs(date);
  if (!Number.isFinite(ms)) throw new RangeError(`${what}: invalid date ${String(date)}`);
  return ms;
}

function groupByCustomer(events: readonly PurchaseEvent[], lastDay: number): CustomerGroups {
  const n = events.length;
  const customerOf = new Int32Array(n);
  const eventTimes = new Float64Array(n);
  const eventAmounts = new Float64Array(n);
  const index = new Map<string, number>();
  const ids: string[] = [];
  let counts = new Int32Array(1024);
  let kept = 0;
  let previousCustomer: string | undefined;
  let previousIndex = -1;
  // Events whose UTC day is after lastDay are dropped; comparing ms avoids a division per event.
  const cutoff = (lastDay + 1) * DAY_MS;
  for (let i = 0; i < n; i++) {
    const event = events[i];
    const ms = toMs(event.date);
    // The message is built only on failure: a template string per event would allocate in this hot loop.
    if (!Number.isFinite(ms)) checkedMs(event.date, `event ${i}`);
    if (ms >= cutoff) continue;
    const amount = event.amount;
    if (!Number.isFinite(amount)) throw new RangeError(`event ${i}: amount must be a finite number, got ${amount}`);
    const customer = event.customer;
    // Exports are often sorted by customer: skip the hash lookup while the customer repeats.
    let c = customer === previousCustomer ? previousIndex : index.get(customer);
    if (c === undefined) {
      c = ids.length;
      index.set(customer, c);
      ids.push(customer);
      if (c === counts.length) {
        const grown = new Int32Array(counts.length * 2);
        grown.set(counts);
        counts = grown;
      }
    }
    previousCustomer = customer;
    previousIndex = c;
    counts[c]++;
    customerOf[kept] = c;
    eventTimes[kept] = ms;
    eventAmounts[kept] = amount;
    kept++;
  }

  const k = ids.length;
  const offsets = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) offsets[c + 1] = offsets[c] + counts[c];
  const cursor = offsets.slice(0, k);
  const times = new Float64Array(kept);
  const amounts = new Float64Array(kept);
  for (let i = 0; i < kept; i++) {
    const at = cursor[customerOf[i]]++;
    times[at] = eventTimes[i];
    amounts[at] = eventAmounts[i];
  }
  for (let c = 0; c < k; c++) sortSlice(times, amounts, offsets[c], offsets[c + 1]);

  // The default string sort compares UTF-16 code units: deterministic, locale-independent and faster than a
  // comparator; ids are unique, so mapping them back to indices is unambiguous.
  const sortedIds = ids.slice().sort();
  const order = new Int32Array(k);
  for (let r = 0; r < k; r++) order[r] = index.get(sortedIds[r]) as number;
  return {ids, order, offsets, times, amounts};
}

/** Sorts times[start..end) ascending, ties by amount, moving amounts along. */
function sortSlice(times: Float64Array, amounts: Float64Array, start: number, end: number): void {
  const length = end - start;
  if (length < 2) return;
  if (length <= 24) {
    // Most customers have a handful of events: insertion sort, no allocation.
    for (let i = start + 1; i < end; i++) {
      const t = times[i];
      const a = amounts[i];
      let j = i - 1;
      while (j >= start && (times[j] > t || (times[j] === t && amounts[j] > a))) {
        times[j + 1] = times[j];
        amounts[j + 1] = amounts[j];
        j--;
      }
      times[j + 1] = t;
      amounts[j + 1] = a;
    }
    return;
  }
  const idx = new Int32Array(length);
  for (let i = 0; i < length; i++) idx[i] = start + i;
  idx.sort((p, q) => times[p] - times[q] || amounts[p] - amounts[q]);
  const t = new Float64Array(length);
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    t[i] = times[idx[i]];
    a[i] = amounts[idx[i]];
  }
  times.set(t, start);
  amounts.set(a, start);
}

/**
 * Frequency, recency, T and monetary value per customer, as lifetimes' summary_data_from_transaction_data:
 * times floored to UTC days, purchases on the same day merged (amounts summed). Rows are ordered by customer id.
 */
export function clvSummary(events: readonly PurchaseEvent[], options: ClvSummaryOptions): ClvSummaryRow[] {
  const {period = "day", unit = 1} = options;
  if (period !== "day") throw new RangeError(`clvSummary: unsupported period ${String(period)}`);
  if (!(unit > 0) || !Number.isFinite(unit)) throw new RangeError(`clvSummary: unit must be > 0, got ${unit}`);
  const endDay = Math.floor(checkedMs(options.observationEnd, "observationEnd") / DAY_MS);
  const {ids, order, offsets, times, amounts} = groupByCustomer(events, endDay);
  const rows: ClvSummaryRow[] = new Array(order.length);
  for (let r = 0; r < order.length; r++) {
    const c = order[r];
    const start = offsets[c];
    const end = offsets[c + 1];
    const firstDay = Math.floor(times[start] / DAY_MS);
    let day = firstDay;
    let total = 0;
    let repeats = 0;
    let repeatSum = 0;
    for (let j = start; j < end; j++) {
      const d = Math.floor(times[j] / DAY_MS);
      if (d !== day) {
        if (day !== firstDay) {
          repeatSum += total;
          repeats++;
        }
        day = d;
        total = 0;
      }
      total += amounts[j];
    }
    if (day !== firstDay) {
      repeatSum += total;
      repeats++;
    }
    rows[r] = {
      customer: ids[c],
      frequency: repeats,
      recency: (day - firstDay) / unit,
      T: (endDay - firstDay) / unit,
      monetaryValue: repeats > 0 ? repeatSum / repeats : 0
    };
  }
  return rows;
}

/** Raw recency (days), frequency (events) and monetary (sum) per customer, ordered by customer id. */
export function segmentationRfm(events: readonly PurchaseEvent[], options: SegmentationOptions): SegmentationRow[] {
  const observationDay = Math.floor(checkedMs(options.observationDate, "observationDate") / DAY_MS);
  const {ids, order, offsets, times, amounts} = groupByCustomer(events, observationDay);
  const rows: SegmentationRow[] = new Array(order.length);
  for (let r = 0; r < order.length; r++) {
    const c = order[r];
    const start = offsets[c];
    const end = offsets[c + 1];
    let monetary = 0;
    for (let j = start; j < end; j++) monetary += amounts[j];
    const last = times[end - 1];
    rows[r] = {
      customer: ids[c],
      recency: observationDay - Math.floor(last / DAY_MS),
      frequency: end - start,
      monetary,
      first: new Date(times[start]),
      last: new Date(last)
    };
  }
  return rows;
}
