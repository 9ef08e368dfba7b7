// The RFM table every analyst page starts from: one row per customer with R, F, M, quintile scores, the segment
// of VECTORS.md, and the saved segmentation model's cluster and priority.
import {tableFromArrays, type Table} from "apache-arrow";
import type {Customer} from "./analysis-context.js";
import {DAY_MS} from "./rfm.js";
import {rfmRows, type EventColumns} from "./rfm-columns.js";
import {rfmScores} from "./scores.js";
import {segmentFor} from "./segments.js";
import {scoreCustomer, type SegmentationModel} from "./segmentation-model.js";

export interface RfmCustomer {
  customer: string;
  name: string;
  document: string;
  recency: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: string;
  cluster: number;
  priority: number;
  action: string;
  first: number;
  last: number;
}

export function windowDaysOf(model: SegmentationModel): number {
  return Math.round((Date.parse(model.trainingWindow.end) - Date.parse(model.trainingWindow.start)) / DAY_MS) + 1;
}

export function rfmCustomers(
  events: EventColumns,
  observationDate: number,
  model: SegmentationModel,
  directory: Map<string, Customer> = new Map()
): RfmCustomer[] {
  const rows = rfmRows(events, {observationDate, windowDays: windowDaysOf(model)});
  const scores = rfmScores(rows);
  return rows.map((row, i) => {
    const who = directory.get(row.customer);
    return {
      customer: row.customer,
      name: who?.name ?? row.customer,
      document: who?.document ?? "",
      recency: row.recency,
      frequency: row.frequency,
      monetary: Math.round(row.monetary * 100) / 100,
      ...scores[i],
      segment: segmentFor(scores[i].r, scores[i].f),
      ...scoreCustomer(model, row),
      first: +row.first,
      last: +row.last
    };
  });
}

export function rfmTable(rows: RfmCustomer[]): Table {
  const strings = (k: keyof RfmCustomer) => rows.map((r) => String(r[k]));
  const ints = (k: keyof RfmCustomer) => Int32Array.from(rows, (r) => r[k] as number);
  return tableFromArrays({
    customer: strings("customer"),
    name: strings("name"),
    document: strings("document"),
    recency: ints("recency"),
    frequency: ints("frequency"),
    monetary: Float64Array.from(rows, (r) => r.monetary),
    r: ints("r"),
    f: ints("f"),
    m: ints("m"),
    segment: strings("segment"),
    cluster: ints("cluster"),
    priority: ints("priority"),
    action: strings("action"),
    first: Float64Array.from(rows, (r) => r.first),
    last: Float64Array.from(rows, (r) => r.last)
  });
}
