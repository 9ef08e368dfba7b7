// The segmentation model: RFM features → power transform → standardize → k-means. One versioned JSON artifact
// holds everything scoring needs, and training labels customers with the very function scoring uses.
import {createHash} from "node:crypto";
import {prioritize, type PriorityAction} from "./cluster-priorities.js";
import {psiFromSamples} from "./drift.js";
import {assignAll, nearestCentroid, refineKMeans} from "./kmeans.js";
import {applyPowerTransform, fitPowerTransform, type PowerTransformParams} from "./power-transform.js";
import {createRandom} from "./random.js";
import {DAY_MS, type PurchaseEvent, type SegmentationRow} from "./rfm.js";
import {encodeEvents, rfmRows} from "./rfm-columns.js";
import {selectK, type KScore} from "./cluster-selection.js";
import {bootstrapStability, type Stability} from "./stability.js";
import {qcutEdges, quantileSorted} from "./scores.js";

export const featureNames = ["recency", "frequency", "monetary"] as const;
export type FeatureName = (typeof featureNames)[number];
export type CustomerFeatures = Record<FeatureName, number>;

export interface FeatureStats {
  name: FeatureName;
  median: number;
  /** Decile edges and proportions in the training window, the reference for PSI. */
  edges: number[];
  proportions: number[];
}

export interface ClusterProfile {
  cluster: number;
  priority: number;
  action: PriorityAction;
  size: number;
  share: number;
  valueShare: number;
  /** Share of the expected lifetime value (retention model) when one was given; it orders clusters of one action. */
  futureValueShare: number | null;
  medians: CustomerFeatures;
}

/** Raised whenever the artifact's shape changes: older artifacts are retrained, never misread. */
export const SEGMENTATION_SCHEMA_VERSION = 2 as const;

export interface SegmentationModel {
  schema: "grafeno.segmentation-model";
  schemaVersion: typeof SEGMENTATION_SCHEMA_VERSION;
  modelVersion: string;
  codeVersion: string;
  entity: string;
  observationDate: string;
  trainingWindow: {start: string; end: string};
  transform: {method: "yeo-johnson" | "log"; features: {name: FeatureName; params: PowerTransformParams}[]};
  centroids: number[][];
  clusters: ClusterProfile[];
  featureStats: FeatureStats[];
  /** Quintile edges (pd.qcut) of each feature in training: the reference for scoring customers one at a time. */
  scoreEdges: Record<FeatureName, number[]>;
  metrics: {
    customers: number;
    selectionSample: number;
    k: number;
    reason: string;
    scores: KScore[];
    stability: Stability;
  };
  dataChecksum: string;
}

export interface TrainOptions {
  entity: string;
  observationDate: number;
  windowDays?: number;
  method?: "yeo-johnson" | "log";
  seed?: number;
  kMin?: number;
  kMax?: number;
  restarts?: number;
  /** Customers used to choose k (a seeded sample above it); the final fit uses everyone. */
  selectionSample?: number;
  bootstraps?: number;
  codeVersion?: string;
  /** Expected lifetime value per customer from the retention model: retention potential feeds the priorities. */
  futureValue?: ReadonlyMap<string, number>;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Order-independent checksum of the events a model was trained on. */
export function eventsChecksum(events: readonly PurchaseEvent[]): string {
  const lines = events.map((e) => `${e.customer}\t${+new Date(e.date)}\t${e.amount}`).sort();
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line).update("\n");
  return hash.digest("hex");
}

export function windowEvents(events: readonly PurchaseEvent[], end: number, days: number): PurchaseEvent[] {
  const start = end - days * DAY_MS;
  return events.filter((e) => +new Date(e.date) > start && +new Date(e.date) < end + DAY_MS);
}

function transformColumn(values: number[], name: FeatureName, method: "yeo-johnson" | "log") {
  const params =
    method === "log"
      ? fitPowerTransform(values.map(Math.log1p), {lambda: 1, method: "yeo-johnson"})
      : fitPowerTransform(values, {method: "yeo-johnson"});
  return {name, params};
}

/** The model's feature space for one customer: the same code for training and scoring. */
export function featureVector(model: Pick<SegmentationModel, "transform">, c: CustomerFeatures): number[] {
  return model.transform.features.map(({name, params}) => {
    const x = model.transform.method === "log" ? Math.log1p(c[name]) : c[name];
    return applyPowerTransform([x], params)[0];
  });
}

export interface ClusterAssignment {
  cluster: number;
  priority: number;
  action: PriorityAction;
}

export function scoreCustomer(model: SegmentationModel, c: CustomerFeatures): ClusterAssignment {
  const cluster = nearestCentroid(featureVector(model, c), model.centroids);
  const {priority, action} = model.clusters[cluster];
  return {cluster, priority, action};
}

/** A quintile label 1..5 against training edges: the first bin whose right edge is ≥ x, clamped at both ends. */
function labelAgainst(edges: number[], x: number): number {
  for (let e = 1; e < edges.length - 1; e++) if (edges[e] >= x) return e;
  return edges.length - 1;
}

/** R, F and M scores of one customer against the training population (R reversed: most recent = 5). */
export function referenceScores(model: SegmentationModel, c: CustomerFeatures): {r: number; f: number; m: number} {
  return {
    r: 6 - labelAgainst(model.scoreEdges.recency, c.recency),
    f: labelAgainst(model.scoreEdges.frequency, c.frequency),
    m: labelAgainst(model.scoreEdges.monetary, c.monetary)
  };
}

function median(values: number[]): number {
  return quantileSorted(Float64Array.from(values).sort(), 0.5);
}

export function trainSegmentation(
  events: readonly PurchaseEvent[],
  options: TrainOptions
): {model: SegmentationModel; customers: (SegmentationRow & ClusterAssignment)[]} {
  const {entity, observationDate, windowDays = 730, method = "yeo-johnson", seed = 42} = options;
  const inWindow = windowEvents(events, observationDate, windowDays);
  const rows = rfmRows(encodeEvents(inWindow), {observationDate});
  if (rows.length < 20) throw new Error(`segmentation: ${rows.length} customers in the window, need at least 20`);
  const transform = {
    method,
    features: featureNames.map((name) =>
      transformColumn(
        rows.map((r) => r[name]),
        name,
        method
      )
    )
  };
  const points = rows.map((r) => featureVector({transform}, r));
  // Clustering sees the points in an order fixed by their coordinates alone, so renaming customers (which
  // reorders rows) cannot change the seeds k-means++ draws, nor the model.
  const ordered = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const limit = options.selectionSample ?? 5_000;
  const sample =
    ordered.length <= limit
      ? ordered
      : createRandom(seed)
          .shuffle([...ordered])
          .slice(0, limit);
  const selection = selectK(sample, {kMin: options.kMin, kMax: options.kMax, restarts: options.restarts, seed});
  // The best of the restarts on the sample, refined on everyone: one pass over all customers, not ten.
  const fit = sample === ordered ? selection.fit : refineKMeans(ordered, selection.fit.centroids);
  const labels = assignAll(points, fit.centroids);
  const stability = bootstrapStability(sample, assignAll(sample, fit.centroids), selection.k, {
    bootstraps: options.bootstraps ?? 10,
    seed
  });

  const totalValue = rows.reduce((s, r) => s + r.monetary, 0);
  const future = options.futureValue;
  const totalFuture = future ? rows.reduce((s, r) => s + (future.get(r.customer) ?? 0), 0) : 0;
  const futureShare = (m: SegmentationRow[]) =>
    future && totalFuture > 0 ? m.reduce((s, r) => s + (future.get(r.customer) ?? 0), 0) / totalFuture : null;
  const members = fit.centroids.map((_, c) => rows.filter((_, i) => labels[i] === c));
  const zMedians = fit.centroids.map((_, c) => {
    const pts = points.filter((_, i) => labels[i] === c);
    return featureNames.map((_, j) => median(pts.map((p) => p[j])));
  });
  const priorities = prioritize(
    members.map((m, c) => ({
      cluster: c,
      recency: zMedians[c][0],
      frequency: zMedians[c][1],
      monetary: zMedians[c][2],
      valueShare: futureShare(m) ?? m.reduce((s, r) => s + r.monetary, 0) / totalValue
    }))
  );
  const clusters: ClusterProfile[] = members.map((m, c) => ({
    cluster: c,
    ...priorities.get(c)!,
    size: m.length,
    share: m.length / rows.length,
    valueShare: m.reduce((s, r) => s + r.monetary, 0) / totalValue,
    futureValueShare: futureShare(m),
    medians: Object.fromEntries(featureNames.map((n) => [n, median(m.map((r) => r[n]))])) as CustomerFeatures
  }));
  const featureStats = featureNames.map((name) => {
    const values = rows.map((r) => r[name]);
    const {edges, expected} = psiFromSamples(values, values);
    return {name, median: median(values), edges, proportions: expected};
  });

  const scoreEdges = Object.fromEntries(
    featureNames.map((name) => [name, qcutEdges(rows.map((r) => r[name]))])
  ) as Record<FeatureName, number[]>;
  const body = {
    schema: "grafeno.segmentation-model" as const,
    schemaVersion: SEGMENTATION_SCHEMA_VERSION,
    codeVersion: options.codeVersion ?? "0.1.0",
    entity,
    observationDate: iso(observationDate),
    trainingWindow: {start: iso(observationDate - windowDays * DAY_MS + DAY_MS), end: iso(observationDate)},
    transform,
    centroids: fit.centroids,
    clusters,
    featureStats,
    scoreEdges,
    metrics: {
      customers: rows.length,
      selectionSample: sample.length,
      k: selection.k,
      reason: selection.reason,
      scores: selection.scores,
      stability
    },
    dataChecksum: eventsChecksum(inWindow)
  };
  const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 12);
  const model: SegmentationModel = {...body, modelVersion: `segmentation-${entity}-${digest}`};
  const customers = rows.map((r) => ({...r, ...scoreCustomer(model, r)}));
  return {model, customers};
}
