import {describe, expect, it} from "vitest";
import {createRandom} from "../loaders/random.js";
import {encodeEvents, segmentationRfmColumns} from "../loaders/rfm-columns.js";
import {segmentationRfm, type PurchaseEvent} from "../loaders/rfm.js";

function randomEvents(seed: number, n: number): PurchaseEvent[] {
  const random = createRandom(seed);
  const start = Date.UTC(2023, 0, 1);
  return Array.from({length: n}, () => ({
    customer: `c${random.integer(0, 400)}`,
    date: start + Math.floor(random.next() * 800 * 86_400_000),
    amount: Math.round(random.lognormal(6, 1.2) * 100) / 100
  }));
}

describe("columnar segmentation RFM", () => {
  const events = randomEvents(11, 20_000);
  const observationDate = Date.UTC(2024, 5, 30);

  it("gives the same rows as segmentationRfm, events after the observation day left out", () => {
    const reference = segmentationRfm(events, {observationDate});
    const columns = segmentationRfmColumns(encodeEvents(events), {observationDate});
    expect(columns.customer).toEqual(reference.map((r) => r.customer));
    expect([...columns.recency]).toEqual(reference.map((r) => r.recency));
    expect([...columns.frequency]).toEqual(reference.map((r) => r.frequency));
    expect([...columns.monetary]).toEqual(reference.map((r) => Math.round(r.monetary * 100) / 100));
    expect([...columns.last]).toEqual(reference.map((r) => +r.last));
    expect([...columns.first]).toEqual(reference.map((r) => +r.first));
  });

  it("does not depend on row order, to the cent", () => {
    const shuffled = createRandom(3).shuffle([...events]);
    expect(segmentationRfmColumns(encodeEvents(shuffled), {observationDate})).toEqual(
      segmentationRfmColumns(encodeEvents(events), {observationDate})
    );
  });
});
