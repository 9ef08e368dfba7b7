// Classifies R and F scores with the segment map the loaders emit (data/segments.json), first match wins.
export interface SegmentRule {
  name: string;
  r: [number, number];
  f: [number, number];
  description: string;
  action: string;
}

export function segmentFor(r: number, f: number, rules: SegmentRule[]): string {
  const rule = rules.find((s) => r >= s.r[0] && r <= s.r[1] && f >= s.f[0] && f <= s.f[1]);
  return rule ? rule.name : "Unclassified";
}
