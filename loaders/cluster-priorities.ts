// Turning clusters into actions. Each cluster is placed on two axes from its medians, measured in standard
// deviations of the transformed features against all customers:
//   value   = frequency + monetary (how much business the cluster brings)
//   recency = −recency (recent activity is positive)
// Rules (documented in docs/model-card-segmentation.md):
//   value ≥ 0.5, recency ≥ −0.25 → "Protect": top accounts, active; keep service levels, offer products first
//   value ≥ 0.5, recency < −0.25 → "Win back": valuable but slipping; contact before they leave
//   value < 0.5, recency ≥ −0.5  → "Develop": average, small or new, still active; grow them
//   value < 0.5, recency < −0.5  → "Dormant": small and inactive; low-cost reactivation only
// Valuable customers are flagged as slipping sooner (−0.25 sd) than the rest (−0.5 sd): losing them costs more.
// Priority 1 is acted on first: Win back, then Protect, Develop, Dormant; within a rule, the larger share of value
// first: expected future value (BG/NBD + Gamma-Gamma) when the retention model is there, else past value.

export type PriorityAction = "Win back" | "Protect" | "Develop" | "Dormant";

const actionOrder: PriorityAction[] = ["Win back", "Protect", "Develop", "Dormant"];

export const actionAdvice: Record<PriorityAction, string> = {
  "Win back": "Valuable but slipping: contact before they leave.",
  Protect: "Top accounts, active: keep service levels, offer new products first.",
  Develop: "Average, small or new, still active: grow them with tailored offers.",
  Dormant: "Small and inactive: low-cost reactivation only."
};

export interface ClusterAxes {
  cluster: number;
  /** Standardized medians of the transformed features: recency, frequency, monetary. */
  recency: number;
  frequency: number;
  monetary: number;
  valueShare: number;
}

export function actionFor({recency, frequency, monetary}: Omit<ClusterAxes, "cluster" | "valueShare">): PriorityAction {
  const value = frequency + monetary;
  const recent = -recency;
  if (value >= 0.5) return recent >= -0.25 ? "Protect" : "Win back";
  return recent >= -0.5 ? "Develop" : "Dormant";
}

/** Priority (1 = first) and action per cluster id. */
export function prioritize(clusters: ClusterAxes[]): Map<number, {priority: number; action: PriorityAction}> {
  const ranked = clusters
    .map((c) => ({c, action: actionFor(c)}))
    .sort(
      (a, b) =>
        actionOrder.indexOf(a.action) - actionOrder.indexOf(b.action) ||
        b.c.valueShare - a.c.valueShare ||
        a.c.cluster - b.c.cluster
    );
  return new Map(ranked.map(({c, action}, i) => [c.cluster, {priority: i + 1, action}]));
}
