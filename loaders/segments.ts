// The RFM segment map on R and F scores (../shared/reference/VECTORS.md): rules are tried in order and the
// first match wins, so the order of SEGMENTS is part of the definition. Every (R, F) pair in 1..5 × 1..5 has a
// segment.

export type SegmentName =
  | "Champions"
  | "Loyal Customers"
  | "Potential Loyalists"
  | "New Customers"
  | "Promising"
  | "Need Attention"
  | "About to Sleep"
  | "Can't Lose Them"
  | "At Risk"
  | "Hibernating";

export interface Segment {
  name: SegmentName;
  /** Inclusive range of R scores. */
  r: readonly [number, number];
  /** Inclusive range of F scores. */
  f: readonly [number, number];
  /** Who these customers are, for analysts. */
  description: string;
  /** What is usually done about them. */
  action: string;
}

export const SEGMENTS: readonly Segment[] = [
  {
    name: "Champions",
    r: [5, 5],
    f: [4, 5],
    description: "Bought very recently and buy often.",
    action: "Reward them; early access and referrals rather than discounts."
  },
  {
    name: "Loyal Customers",
    r: [3, 4],
    f: [4, 5],
    description: "Buy often, but not in the most recent fifth.",
    action: "Upsell and loyalty programme; ask for reviews."
  },
  {
    name: "Potential Loyalists",
    r: [4, 5],
    f: [2, 3],
    description: "Recent customers with a few purchases.",
    action: "Membership or loyalty offers; recommend related products."
  },
  {
    name: "New Customers",
    r: [5, 5],
    f: [1, 1],
    description: "Bought for the first time very recently.",
    action: "Onboarding; make the second purchase easy."
  },
  {
    name: "Promising",
    r: [4, 4],
    f: [1, 1],
    description: "Recent first-time buyers, a little older than New Customers.",
    action: "Build awareness; free trials or samples."
  },
  {
    name: "Need Attention",
    r: [3, 3],
    f: [3, 3],
    description: "Average recency and frequency.",
    action: "Limited-time offers based on past purchases before they slip."
  },
  {
    name: "About to Sleep",
    r: [3, 3],
    f: [1, 2],
    description: "Below-average frequency and recency is fading.",
    action: "Reactivate with popular products or a personal recommendation."
  },
  {
    name: "Can't Lose Them",
    r: [1, 2],
    f: [5, 5],
    description: "Used to buy most often, but have not come back for a long time.",
    action: "Win them back personally; find out what changed."
  },
  {
    name: "At Risk",
    r: [1, 2],
    f: [3, 4],
    description: "Bought fairly often, long ago.",
    action: "Personalised win-back campaigns and renewals."
  },
  {
    name: "Hibernating",
    r: [1, 2],
    f: [1, 2],
    description: "Few purchases, long ago.",
    action: "Low-cost reactivation only; exclude from expensive campaigns."
  }
];

export const SEGMENT_NAMES: readonly SegmentName[] = SEGMENTS.map((segment) => segment.name);

const within = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;

/** The first segment whose R and F ranges contain the scores. */
export function segmentOf(r: number, f: number): Segment {
  if (!Number.isInteger(r) || !Number.isInteger(f) || !within(r, [1, 5]) || !within(f, [1, 5])) {
    throw new RangeError(`segmentOf: R and F must be integer scores 1..5, got R=${r}, F=${f}`);
  }
  // Every pair is covered (checked in test/scores.test.ts), so find never misses.
  return SEGMENTS.find((segment) => within(r, segment.r) && within(f, segment.f)) as Segment;
}

/** Name of the segment for R and F scores. */
export function segmentFor(r: number, f: number): SegmentName {
  return segmentOf(r, f).name;
}
