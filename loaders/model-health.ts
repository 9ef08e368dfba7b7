// Is the segmentation model still healthy? Drift of each feature since training (PSI), the clusters' size and
// silhouette at monthly observation dates, and how customers moved between RFM segments over the last quarter.
import {silhouetteSampled} from "./cluster-quality.js";
import {binCounts, psiFromProportions, psiStatus, type PsiStatus} from "./drift.js";
import {DAY_MS} from "./rfm.js";
import {rfmRows, type EventColumns} from "./rfm-columns.js";
import {rfmCustomers, windowDaysOf} from "./rfm-table.js";
import {featureNames, featureVector, type SegmentationModel} from "./segmentation-model.js";

export interface FeatureDrift {
  feature: string;
  psi: number;
  status: PsiStatus;
}

export function featureDrift(model: SegmentationModel, events: EventColumns, at: number): FeatureDrift[] {
  const rows = rfmRows(events, {observationDate: at, windowDays: windowDaysOf(model)});
  return model.featureStats.map((stats) => {
    const counts = binCounts(
      rows.map((r) => r[stats.name]),
      stats.edges
    );
    const {psi} = psiFromProportions(stats.proportions, counts);
    return {feature: stats.name, psi, status: psiStatus(psi)};
  });
}

export interface HealthPoint {
  date: number;
  cluster: number;
  customers: number;
  silhouette: number;
}

/** Cluster sizes and silhouette of the saved model at each month end from the training date to `at`. */
export function healthOverTime(model: SegmentationModel, events: EventColumns, at: number): HealthPoint[] {
  const points: HealthPoint[] = [];
  const trained = Date.parse(model.observationDate);
  for (let date = at; date >= trained - 1; date -= 30 * DAY_MS) {
    const customers = rfmCustomers(events, date, model);
    const vectors = customers.map((c) => featureVector(model, c));
    const labels = Int32Array.from(customers, (c) => c.cluster);
    const distinct = new Set(labels).size;
    const silhouette =
      distinct > 1 && distinct < customers.length
        ? silhouetteSampled(vectors, labels, {sampleSize: 1000, seed: 1}).score
        : NaN;
    for (const cluster of model.clusters) {
      points.push({
        date,
        cluster: cluster.cluster,
        customers: labels.filter((l) => l === cluster.cluster).length,
        silhouette
      });
    }
  }
  return points.sort((a, b) => a.date - b.date || a.cluster - b.cluster);
}

export interface Transition {
  from: string;
  to: string;
  customers: number;
}

/** Customers by RFM segment at `from` and at `to` (customers present at both dates). */
export function segmentTransitions(
  model: SegmentationModel,
  events: EventColumns,
  from: number,
  to: number
): Transition[] {
  const before = new Map(rfmCustomers(events, from, model).map((c) => [c.customer, c.segment]));
  const counts = new Map<string, number>();
  for (const c of rfmCustomers(events, to, model)) {
    const previous = before.get(c.customer);
    if (previous === undefined) continue;
    const key = `${previous}\t${c.segment}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, customers]) => {
      const [fromSegment, toSegment] = key.split("\t");
      return {from: fromSegment, to: toSegment, customers};
    })
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** The model's overall status: its worst feature. */
export function overallStatus(drift: FeatureDrift[]): PsiStatus {
  const order: PsiStatus[] = ["green", "amber", "red"];
  return drift.reduce<PsiStatus>(
    (worst, d) => (order.indexOf(d.status) > order.indexOf(worst) ? d.status : worst),
    "green"
  );
}

export {featureNames};
