import {describe, expect, it} from "vitest";
import {
  frequencyScores,
  monetaryScores,
  qcutEdges,
  qcutLabels,
  quantileSorted,
  rankFirst,
  recencyScores,
  rfmScores
} from "../loaders/scores.js";
import {SEGMENTS, SEGMENT_NAMES, segmentFor, segmentOf} from "../loaders/segments.js";

const recency = [1, 5, 10, 20, 30, 60, 90, 120, 200, 365];
const frequency = [1, 1, 1, 1, 1, 2, 2, 3, 5, 12];

describe("quintile scores", () => {
  it("scores the worked recency example R = [5,5,4,4,3,3,2,2,1,1]", () => {
    expect(recencyScores(recency)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it("scores the worked frequency example F = [1,1,2,2,3,3,4,4,5,5] through rank(method='first')", () => {
    expect(frequencyScores(frequency)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it("computes pd.qcut's bin edges bit for bit, including pandas 3's nudge of inexact probabilities", () => {
    // pd.qcut(x, 5, retbins=True)[1] with pandas 3.1 / numpy 2.4.
    expect(qcutEdges(recency)).toEqual([1, 9, 26, 72.00000000000006, 136, 365]);
    expect(qcutEdges([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 2.8, 4.6, 6.400000000000002, 8.2, 10]);
    expect(qcutEdges([0, 10, 20, 30, 40, 50, 10, 20])).toEqual([
      0, 10, 18.000000000000004, 22.00000000000001, 36.00000000000001, 50
    ]);
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(quantileSorted([7], 0.8)).toBe(7);
  });

  it("puts a value equal to an edge in the lower bin and the minimum in bin 1, as pd.cut(right=True, include_lowest=True)", () => {
    // Edges [0, 10, 20, 30.000000000000007, 40, 50]: 10, 20 and 40 sit exactly on edges.
    expect(qcutLabels([50, 0, 10, 20, 30, 40])).toEqual([5, 1, 1, 2, 3, 4]);
    expect(qcutLabels([0, 10, 20, 30, 40, 50, 10, 20])).toEqual([1, 1, 3, 4, 5, 5, 1, 3]);
    expect(qcutLabels([1, 2.8, 2.81, 10, 2, 3, 4, 5, 6, 7])).toEqual([1, 2, 2, 5, 1, 3, 3, 4, 4, 5]);
    expect(qcutLabels([3, 1, 2], 3)).toEqual([3, 1, 2]);
  });

  it("ranks ties in input order, the documented tie break of rank(method='first')", () => {
    expect(rankFirst([3, 1, 3, 1, 2])).toEqual([4, 1, 5, 2, 3]);
  });

  it("lets heavy ties in frequency still fill all five F scores, ordered by input position", () => {
    const ones = Array.from({length: 10}, () => 1);
    expect(frequencyScores(ones)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it("puts equal monetary values in the same, lowest possible bin where pandas would refuse repeated edges", () => {
    const monetary = [0, 0, 0, 0, 0, 0, 10, 20, 30, 40];
    // Edges [0, 0, 0, 4.000000000000021, 22, 40] (pandas: "Bin edges must be unique"): the zeros all land in
    // bin 1, bin 2 and 3 hold nothing.
    expect(qcutEdges(monetary)).toEqual([0, 0, 0, 4.000000000000021, 22, 40]);
    expect(monetaryScores(monetary)).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
  });

  it("scores rows in row order and handles an empty input", () => {
    const rows = recency.map((r, i) => ({recency: r, frequency: frequency[i], monetary: (i + 1) * 10}));
    const scores = rfmScores(rows);
    expect(scores.map((s) => s.r)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    expect(scores.map((s) => s.f)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores.map((s) => s.m)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(rfmScores([])).toEqual([]);
  });

  it("rejects non-finite values", () => {
    expect(() => qcutLabels([1, NaN, 3])).toThrow(RangeError);
    expect(() => rankFirst([Infinity])).toThrow(RangeError);
  });
});

describe("segments", () => {
  const table: [number, number, string][] = [
    [5, 4, "Champions"],
    [5, 5, "Champions"],
    [3, 4, "Loyal Customers"],
    [4, 5, "Loyal Customers"],
    [4, 2, "Potential Loyalists"],
    [5, 3, "Potential Loyalists"],
    [5, 1, "New Customers"],
    [4, 1, "Promising"],
    [3, 3, "Need Attention"],
    [3, 1, "About to Sleep"],
    [3, 2, "About to Sleep"],
    [1, 5, "Can't Lose Them"],
    [2, 5, "Can't Lose Them"],
    [2, 3, "At Risk"],
    [1, 4, "At Risk"],
    [1, 1, "Hibernating"],
    [2, 2, "Hibernating"]
  ];

  it.each(table)("maps R=%i F=%i to %s", (r, f, name) => {
    expect(segmentFor(r, f)).toBe(name);
  });

  it("lists the ten segments in the order their rules are tried", () => {
    expect(SEGMENT_NAMES).toEqual([
      "Champions",
      "Loyal Customers",
      "Potential Loyalists",
      "New Customers",
      "Promising",
      "Need Attention",
      "About to Sleep",
      "Can't Lose Them",
      "At Risk",
      "Hibernating"
    ]);
  });

  it("covers every (R, F) pair from 1 to 5, each by exactly one rule", () => {
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const matching = SEGMENTS.filter((s) => r >= s.r[0] && r <= s.r[1] && f >= s.f[0] && f <= s.f[1]);
        expect(matching, `R=${r} F=${f}`).toHaveLength(1);
      }
    }
  });

  it("describes each segment and its usual action for analysts", () => {
    for (const segment of SEGMENTS) {
      expect(segment.description.length).toBeGreaterThan(10);
      expect(segment.action.length).toBeGreaterThan(10);
    }
    expect(segmentOf(5, 5).name).toBe("Champions");
  });

  it("rejects scores outside 1..5", () => {
    expect(() => segmentFor(0, 3)).toThrow(RangeError);
    expect(() => segmentFor(3, 6)).toThrow(RangeError);
    expect(() => segmentFor(2.5, 3)).toThrow(RangeError);
  });

  it("segments the worked example end to end", () => {
    const r = recencyScores(recency);
    const f = frequencyScores(frequency);
    expect(r.map((ri, i) => segmentFor(ri, f[i]))).toEqual([
      "New Customers",
      "New Customers",
      "Potential Loyalists",
      "Potential Loyalists",
      "Need Attention",
      "Need Attention",
      "At Risk",
      "At Risk",
      "Can't Lose Them",
      "Can't Lose Them"
    ]);
  });
});
