import {mkdtemp, readFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {actionFor, prioritize} from "../loaders/cluster-priorities.js";
import {selectK} from "../loaders/cluster-selection.js";
import {fitKMeans} from "../loaders/kmeans.js";
import {loadModel, saveModel} from "../loaders/model-store.js";
import {createRandom} from "../loaders/random.js";
import type {PurchaseEvent} from "../loaders/rfm.js";
import {
  featureVector,
  scoreCustomer,
  trainSegmentation,
  type SegmentationModel
} from "../loaders/segmentation-model.js";

const DAY = 86_400_000;

/** Three kinds of customers: frequent big spenders, occasional ones, and one-off buyers who left. */
function syntheticEvents(seed: number): PurchaseEvent[] {
  const random = createRandom(seed);
  const end = Date.UTC(2024, 11, 31);
  const events: PurchaseEvent[] = [];
  for (let c = 0; c < 600; c++) {
    const kind = c % 3;
    const count = kind === 0 ? random.integer(20, 60) : kind === 1 ? random.integer(3, 8) : 1;
    const lastGap = kind === 2 ? random.integer(300, 600) : random.integer(0, 60);
    for (let i = 0; i < count; i++) {
      const age = lastGap + (i === 0 ? 0 : random.integer(0, 540));
      const scale = kind === 0 ? 9 : kind === 1 ? 7 : 6;
      events.push({
        customer: `cust-${c}`,
        date: end - age * DAY,
        amount: Math.round(random.lognormal(scale, 0.5) * 100) / 100
      });
    }
  }
  return events;
}

describe("the segmentation model", () => {
  const events = syntheticEvents(5);
  const options = {entity: "payer", observationDate: Date.UTC(2024, 11, 31), seed: 42, bootstraps: 5};
  let trained: ReturnType<typeof trainSegmentation>;
  beforeAll(() => {
    trained = trainSegmentation(events, options);
  });

  it("separates the three kinds of customers and ranks the frequent big spenders above the leavers", () => {
    const {model} = trained;
    expect(model.metrics.k).toBeGreaterThanOrEqual(3);
    const big = model.clusters.filter((c) => c.medians.frequency >= 20);
    const gone = model.clusters.filter((c) => c.medians.frequency === 1 && c.medians.recency > 300);
    expect(big.length).toBeGreaterThan(0);
    expect(gone.length).toBeGreaterThan(0);
    for (const c of big) expect(["Protect", "Win back"]).toContain(c.action);
    for (const c of gone) expect(c.action).toBe("Dormant");
    expect(Math.max(...big.map((c) => c.priority))).toBeLessThan(Math.min(...gone.map((c) => c.priority)));
    expect(model.metrics.stability.meanAri).toBeGreaterThan(0.8);
  });

  it("labels training customers with the same function that scores a new one", () => {
    for (const c of trained.customers) expect(scoreCustomer(trained.model, c).cluster).toBe(c.cluster);
  });

  it("gives the same model whatever the order of the events", () => {
    const shuffled = createRandom(9).shuffle([...events]);
    expect(trainSegmentation(shuffled, options).model).toEqual(trained.model);
  });

  it("gives the same clusters when customers are renamed", () => {
    const renamed = events.map((e) => ({...e, customer: `x-${e.customer.split("-")[1].padStart(4, "0")}`}));
    const again = trainSegmentation(renamed, options);
    // λ is fitted by an optimizer over sums taken in row order: equal to ~1e-8, not to the last bit.
    again.model.centroids.flat().forEach((v, i) => expect(v).toBeCloseTo(trained.model.centroids.flat()[i], 6));
    expect(again.model.clusters.map((c) => c.size)).toEqual(trained.model.clusters.map((c) => c.size));
  });

  it("survives a save and load, scoring identically, and names the artifact's version and data", async () => {
    const dir = await mkdtemp(join(tmpdir(), "models-"));
    await saveModel("segmentation-payer", trained.model, dir);
    const loaded = await loadModel<SegmentationModel>("segmentation-payer", dir);
    expect(loaded).toEqual(trained.model);
    expect(loaded.modelVersion).toMatch(/^segmentation-payer-[0-9a-f]{12}$/);
    expect(loaded.dataChecksum).toMatch(/^[0-9a-f]{64}$/);
    const archived = JSON.parse(await readFile(join(dir, "archive", `${loaded.modelVersion}.json`), "utf8"));
    expect(archived.modelVersion).toBe(loaded.modelVersion);
    const someone = {recency: 3, frequency: 40, monetary: 250_000};
    expect(scoreCustomer(loaded, someone)).toEqual(scoreCustomer(trained.model, someone));
  });

  it("explains a missing model in terms of the command that makes it", async () => {
    await expect(loadModel("segmentation-nobody", await mkdtemp(join(tmpdir(), "none-")))).rejects.toThrow(
      /no trained model "segmentation-nobody" \(run npm run models:train\)/
    );
  });

  it("matches its golden output on the seeded sample", async () => {
    const {model} = trained;
    const golden = {
      k: model.metrics.k,
      reason: model.metrics.reason,
      clusters: model.clusters.map((c) => ({...c, share: +c.share.toFixed(6), valueShare: +c.valueShare.toFixed(6)})),
      lambdas: model.transform.features.map((f) => +f.params.lambda.toFixed(6)),
      modelVersion: model.modelVersion
    };
    await expect(JSON.stringify(golden, null, 2)).toMatchFileSnapshot("./output/segmentation-golden.json");
  });

  it("transforms features from stored parameters, so a JSON round trip changes nothing", () => {
    const copy = JSON.parse(JSON.stringify(trained.model)) as SegmentationModel;
    const c = trained.customers[7];
    expect(featureVector(copy, c)).toEqual(featureVector(trained.model, c));
  });
});

describe("k-means with restarts", () => {
  const random = createRandom(1);
  const blobs = [0, 6, 12].flatMap((cx) =>
    Array.from({length: 50}, () => [cx + random.normal(0, 0.5), random.normal(0, 0.5)])
  );

  it("keeps the restart with the lowest sum of squares, deterministically for a seed", () => {
    const a = fitKMeans(blobs, 3, {restarts: 10, seed: 3});
    const b = fitKMeans(blobs, 3, {restarts: 10, seed: 3});
    expect(a).toEqual(b);
    expect(a.sse).toBeLessThanOrEqual(fitKMeans(blobs, 3, {restarts: 1, seed: 3}).sse + 1e-9);
  });

  it("chooses the k the data holds and says why", () => {
    const selection = selectK(blobs, {restarts: 5, seed: 1});
    expect(selection.k).toBe(3);
    expect(selection.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(selection.reason).toMatch(/^k = 3 has the best mean rank/);
  });
});

describe("cluster priorities", () => {
  it("reads value and recency from the cluster's medians", () => {
    expect(actionFor({recency: -1, frequency: 1, monetary: 1})).toBe("Protect");
    expect(actionFor({recency: 1, frequency: 1, monetary: 1})).toBe("Win back");
    expect(actionFor({recency: -1, frequency: -1, monetary: 0})).toBe("Develop");
    expect(actionFor({recency: 1, frequency: -1, monetary: -1})).toBe("Dormant");
  });

  it("puts slipping valuable customers first, then the largest share of value", () => {
    const order = prioritize([
      {cluster: 0, recency: -1, frequency: 1, monetary: 1, valueShare: 0.6},
      {cluster: 1, recency: 1, frequency: 1, monetary: 1, valueShare: 0.2},
      {cluster: 2, recency: 1, frequency: -1, monetary: -1, valueShare: 0.05},
      {cluster: 3, recency: -1, frequency: 2, monetary: 1, valueShare: 0.15}
    ]);
    expect([0, 1, 2, 3].map((c) => order.get(c)!.priority)).toEqual([2, 1, 4, 3]);
  });
});
