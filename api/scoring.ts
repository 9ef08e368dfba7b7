// Scoring uploaded transactions with the saved models, through the very functions the loaders use: RFM on the
// columnar path, scores against the training quintiles, segment map, nearest-centroid cluster, BG/NBD and
// Gamma-Gamma for P(alive) and lifetime value.
import {parseEntity, type CustomerEntity} from "../loaders/customer-events.js";
import {encodeEvents, rfmRows} from "../loaders/rfm-columns.js";
import {clvSummary} from "../loaders/rfm.js";
import {windowDaysOf, type RfmCustomer} from "../loaders/rfm-table.js";
import {scoreRetention, WEEK_DAYS, type RetentionModel} from "../loaders/retention.js";
import {
  referenceScores,
  scoreCustomer,
  SEGMENTATION_SCHEMA_VERSION,
  type SegmentationModel
} from "../loaders/segmentation-model.js";
import {segmentFor} from "../loaders/segments.js";
import type {ModelRegistry} from "./model-registry.js";
import {csvCell} from "./spreadsheet.js";
import type {Transaction} from "./scoring-input.js";

/** No usable model artifact: the API answers 503 with this message rather than a wrong score. */
export class ModelUnavailable extends Error {}

/** One customer's row of the RFM table, plus what the retention model says of them. */
export type CustomerScore = Omit<RfmCustomer, "name" | "document" | "first" | "last"> & {
  pAlive: number;
  expectedEvents: number;
  clv: number;
};

export interface CustomerScores {
  entity: CustomerEntity;
  observationDate: string;
  modelVersions: {segmentation: string; retention: string};
  ignoredAfterObservation: number;
  customers: CustomerScore[];
}

export async function scoreCustomers(
  models: ModelRegistry,
  transactions: Transaction[],
  {
    observationDate,
    entity = parseEntity(process.env.GRAFENO_RFM_ENTITY)
  }: {observationDate: number; entity?: CustomerEntity}
): Promise<CustomerScores> {
  const segmentation = await models.get<SegmentationModel>(`segmentation-${entity}`);
  if (segmentation.schemaVersion !== SEGMENTATION_SCHEMA_VERSION) {
    throw new ModelUnavailable(`segmentation-${entity} was written by older code: run npm run models:train`);
  }
  const retention = await models.get<RetentionModel>(`retention-${entity}`);
  const events = transactions.map((t) => ({customer: t.customer, date: t.date, amount: t.amount}));
  const rows = rfmRows(encodeEvents(events), {observationDate, windowDays: windowDaysOf(segmentation)});
  const summary = new Map(
    clvSummary(events, {observationEnd: observationDate, unit: WEEK_DAYS}).map((r) => [r.customer, r])
  );
  const customers = rows.map((row) => {
    const scores = referenceScores(segmentation, row);
    const assignment = scoreCustomer(segmentation, row);
    const life = scoreRetention(retention, summary.get(row.customer)!);
    return {
      customer: row.customer,
      recency: row.recency,
      frequency: row.frequency,
      monetary: row.monetary,
      ...scores,
      segment: segmentFor(scores.r, scores.f),
      ...assignment,
      pAlive: life.pAlive,
      expectedEvents: life.expectedEvents,
      clv: Math.round(life.clv * 100) / 100
    };
  });
  return {
    entity,
    observationDate: new Date(observationDate).toISOString().slice(0, 10),
    modelVersions: {segmentation: segmentation.modelVersion, retention: retention.modelVersion},
    ignoredAfterObservation: transactions.filter((t) => t.date >= observationDate + 86_400_000).length,
    customers
  };
}

const columns: (keyof CustomerScore)[] = [
  "customer",
  "recency",
  "frequency",
  "monetary",
  "r",
  "f",
  "m",
  "segment",
  "cluster",
  "priority",
  "action",
  "pAlive",
  "expectedEvents",
  "clv"
];

export function scoresCsv(result: CustomerScores): string {
  const lines = [[...columns, "model_segmentation", "model_retention"].join(",")];
  for (const c of result.customers) {
    const {segmentation, retention} = result.modelVersions;
    lines.push([...columns.map((k) => csvCell(c[k])), segmentation, retention].join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
