import {mkdtemp, readFile, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {analysisDate} from "../loaders/analysis-context.js";
import {generateRegistry} from "../loaders/generate.js";
import {loadModel, readExperiments} from "../loaders/model-store.js";
import {epochDay} from "../loaders/registry-schema.js";
import {
  averagePrecision,
  brierScore,
  calibrationTable,
  chooseAlgorithm,
  decileTable,
  logLoss,
  oracleScores,
  readGeneratorTruth,
  rocAuc,
  timeSplit,
  type GeneratorTruth
} from "../loaders/risk-evaluation.js";
import {msOf, readRiskData, type RiskData} from "../loaders/risk-features.js";
import {predictRisk} from "../loaders/risk-models.js";
import {readPartyCards, riskiestBills, riskiestPayers, scoreOpenInstallments} from "../loaders/risk-scoring.js";
import {
  RISK_MODEL_NAME,
  trainRiskModel,
  type RiskModelArtifact,
  type RiskTrainResult
} from "../loaders/risk-training.js";
import {directorySource} from "../loaders/source.js";
import {trainRiskModels} from "../scripts/train-risk.js";

// Six installments; scores with a tie between a late one and an on-time one (0.4).
const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2];
const labels = [0, 0, 1, 1, 1, 0];

describe("metrics against hand-computed values", () => {
  it("ROC-AUC is the Mann-Whitney statistic, a tie counting one half", () => {
    // Late 0.35 beats 0.1 and 0.2 (2); 0.8 beats all three (3); 0.4 beats 0.1 and 0.2 and ties 0.4 (2.5): 7.5 / 9.
    expect(rocAuc(scores, labels)).toBeCloseTo(7.5 / 9, 15);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(rocAuc([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
  });

  it("average precision steps over distinct thresholds, ties as one threshold", () => {
    // 0.8: precision 1, recall +1/3; {0.4, 0.4}: precision 2/3, recall +1/3; 0.35: precision 3/4, recall +1/3.
    expect(averagePrecision(scores, labels)).toBeCloseTo(1 / 3 + 2 / 9 + 1 / 4, 15);
    expect(averagePrecision([0.9, 0.1], [1, 0])).toBe(1);
    expect(averagePrecision([0.1, 0.2], [0, 0])).toBeNull();
  });

  it("Brier score and log-loss", () => {
    expect(brierScore(scores, labels)).toBeCloseTo((0.01 + 0.16 + 0.4225 + 0.04 + 0.36 + 0.04) / 6, 15);
    expect(logLoss([0.5, 0.9], [1, 0])).toBeCloseTo(-(Math.log(0.5) + Math.log(0.1)) / 2, 15);
  });

  it("calibration: ten equal-width bins, empty bins kept with null rates", () => {
    const table = calibrationTable(scores, labels);
    expect(table).toHaveLength(10);
    // Bins are [lower, upper): 0.4 falls in the fifth.
    expect(table.map((b) => b.count)).toEqual([0, 1, 1, 1, 2, 0, 0, 0, 1, 0]);
    expect(table[4]).toEqual({bin: 5, lower: 0.4, upper: 0.5, count: 2, meanPredicted: 0.4, observedRate: 0.5});
    expect(table[0].meanPredicted).toBeNull();
    expect(calibrationTable([1], [1])[9].count).toBe(1);
  });

  it("deciles: equal groups from the highest predicted risk down, with lift and cumulative capture", () => {
    const s = Array.from({length: 20}, (_, i) => (20 - i) / 20);
    const y = s.map((_, i) => (i < 4 || i === 10 ? 1 : 0)); // 5 late: the top four and one in the middle
    const table = decileTable(s, y);
    expect(table.map((d) => d.count)).toEqual(Array(10).fill(2));
    expect(table[0]).toMatchObject({decile: 1, late: 2, observedRate: 1, lift: 4, cumulativeCapture: 0.4});
    expect(table[1]).toMatchObject({late: 2, cumulativeCapture: 0.8, cumulativeLift: 4});
    expect(table[5]).toMatchObject({late: 1, lift: 2, cumulativeCapture: 1});
    expect(table[9].cumulativeLift).toBe(1);
    expect(table[0].meanPredicted).toBeCloseTo(0.975, 15);
  });
});

describe("time split and selection rule", () => {
  it("splits by registration instant, 60/20/20, rows of one instant together", () => {
    const times = [5, 1, 2, 3, 4, 6, 7, 8, 9, 10, 10, 10];
    const s = timeSplit(times);
    expect(s.validationStart).toBe(8);
    expect(s.testStart).toBe(10);
    expect(s.train.map((i) => times[i]).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.validation.map((i) => times[i])).toEqual([8, 9]);
    expect(s.test.map((i) => times[i])).toEqual([10, 10, 10]);
    expect(() => timeSplit([1, 1, 1])).toThrow(/too few/);
  });

  it("picks the best validation AUC unless a simpler algorithm is within 0.005", () => {
    const pick = (aucs: Record<string, number>) =>
      chooseAlgorithm(
        Object.entries(aucs).map(([algorithm, validationAuc]) => ({
          algorithm: algorithm as "logistic" | "boosting" | "naive-bayes",
          validationAuc
        }))
      );
    expect(pick({logistic: 0.7, boosting: 0.71, "naive-bayes": 0.69}).algorithm).toBe("boosting");
    expect(pick({logistic: 0.706, boosting: 0.71, "naive-bayes": 0.69}).algorithm).toBe("logistic");
    expect(pick({logistic: 0.7, boosting: 0.71, "naive-bayes": 0.708}).algorithm).toBe("naive-bayes");
    expect(pick({logistic: 0.72, boosting: 0.71}).reason).toMatch(/best validation AUC/);
    expect(pick({logistic: 0.706, boosting: 0.71}).reason).toMatch(/within 0.005/);
  });

  it("oracle scores: hidden payer risk plus the macro factor of the due month, clamped to the generated months", () => {
    const truth: GeneratorTruth = {
      payerRiskLogit: new Map([["P1", -2]]),
      macro: new Map([
        ["2024-01", 0.1],
        ["2024-02", 0.5]
      ])
    };
    const rows = ["2024-02-10", "2024-01-31", "2023-06-01", "2025-01-01"].map((d) => ({
      payer_id: "P1",
      due_day: epochDay(d)
    }));
    expect([...oracleScores(rows, truth)]).toEqual([-1.5, -1.9, -1.9, -1.5]);
    expect(() => oracleScores([{payer_id: "P9", due_day: 0}], truth)).toThrow(/P9/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// End to end on a generated registry (4,000 bills, seed 7).

let dir = "";
let data: RiskData;
let truth: GeneratorTruth;
let result: RiskTrainResult;
let observationDate = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "risk-evaluation-"));
  await generateRegistry({seed: 7, bills: 4000, out: join(dir, "registry"), formats: ["arrow"]});
  data = await readRiskData(directorySource(join(dir, "registry")));
  // As the loaders and the script take it: the last registration day.
  observationDate = analysisDate(
    undefined,
    data.bills.map((b) => msOf(b.registered_at))
  );
  truth = await readGeneratorTruth(join(dir, "registry", "truth"));
  result = trainRiskModel(data, {observationDate, seed: 7, truth});
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, {recursive: true, force: true});
});

describe("the risk model on a generated registry", () => {
  it("ranks clearly better than chance and reaches at least 0.8 of the oracle AUC on the test period", () => {
    const {metrics} = result.model;
    const summary = metrics.algorithms.map((a) => `${a.algorithm} ${a.test.auc?.toFixed(4)}`).join(", ");
    console.info(
      `[risk] test AUC ${summary}; chosen ${result.model.algorithm} ${metrics.chosen.auc?.toFixed(4)}, ` +
        `oracle ${metrics.oracle?.auc?.toFixed(4)}, ratio ${metrics.oracle?.ratio?.toFixed(4)}`
    );
    expect(metrics.chosen.auc).toBeGreaterThan(0.62);
    expect(metrics.oracle!.auc).toBeGreaterThan(metrics.chosen.auc!);
    expect(metrics.oracle!.ratio).toBeGreaterThanOrEqual(0.8);
    expect(metrics.algorithms.map((a) => a.algorithm).sort()).toEqual(["boosting", "logistic", "naive-bayes"]);
    for (const a of metrics.algorithms) expect(a.test.auc).toBeGreaterThan(0.55);
  });

  it("the split follows time and the test metrics are those of the saved estimator through predictRisk", () => {
    const {split} = result.model;
    expect(split.train.end <= split.validation.start).toBe(true);
    expect(split.validation.end <= split.test.start).toBe(true);
    expect(split.train.rows).toBeGreaterThan(split.test.rows);
    const rescored = Float64Array.from(result.test.rows, (r) => predictRisk(result.model, r.features));
    expect(rescored).toEqual(result.test.scores);
    expect(rocAuc(rescored, result.test.labels)).toBe(result.model.metrics.chosen.auc);
    const calibrated = result.model.calibration.reduce((s, b) => s + b.count, 0);
    expect(calibrated).toBe(result.test.rows.length);
    expect(result.model.deciles[9].cumulativeCapture).toBeCloseTo(1, 12);
  });

  it("the same seed gives the same numbers; the artifact's version is a hash of its content", () => {
    const again = trainRiskModel(data, {observationDate, seed: 7, truth});
    expect(JSON.stringify(again.model)).toBe(JSON.stringify(result.model));
    expect(result.model.modelVersion).toMatch(/^risk-late-payment-[0-9a-f]{12}$/);
    const untruthful = trainRiskModel(data, {observationDate, seed: 7});
    // The truth changes the report only: same estimator, no oracle.
    expect(untruthful.model.estimator).toEqual(result.model.estimator);
    expect(untruthful.model.metrics.oracle).toBeNull();
  }, 120_000);

  it("scores open installments and ranks payers and bills without showing a full CPF", async () => {
    const cards = await readPartyCards(directorySource(join(dir, "registry")));
    const open = scoreOpenInstallments(result.model, data, observationDate);
    expect(open.length).toBeGreaterThan(0);
    for (const s of open) expect(s.risk).toBeGreaterThan(0);
    const payers = riskiestPayers(open, cards, 50);
    expect(payers).toHaveLength(50);
    expect(payers[0].mean_risk).toBeGreaterThanOrEqual(payers[49].mean_risk);
    for (const p of payers) {
      if (p.person_type === "PF") expect(p.document).toMatch(/^\*\*\*\.\d{3}\.\d{3}-\*\*$/);
    }
    const bills = riskiestBills(open, cards, new Map(), 20);
    expect(bills).toHaveLength(20);
    expect(bills[0].open_value).toBeGreaterThan(0);
  });
});

describe("npm run models:train-risk", () => {
  it("saves the artifact, logs every run with the data checksum, and reports the oracle", async () => {
    const models = join(dir, "models");
    const env = {GRAFENO_SOURCE: `dir:${join(dir, "registry")}`, GRAFENO_MODEL_DIR: models};
    const path = await trainRiskModels(env, ["--seed", "7"]);
    expect(path).toBe(join(models, `${RISK_MODEL_NAME}.json`));
    const saved = await loadModel<RiskModelArtifact>(RISK_MODEL_NAME, models);
    // The script reads the source through registryContext: the same artifact as training on the rows directly.
    expect(saved).toEqual(JSON.parse(JSON.stringify(result.model)));
    const runs = await readExperiments(models);
    expect(runs).toHaveLength(9 + 3);
    for (const run of runs) {
      expect(run.dataChecksum).toBe(saved.dataChecksum);
      expect(run.model).toBe(saved.modelVersion);
      expect(typeof run.ms).toBe("number");
    }
    expect(runs.filter((r) => r.metrics.chosen === "true")).toHaveLength(1);
    const comparison = JSON.parse(await readFile(join(models, `${RISK_MODEL_NAME}.comparison.json`), "utf8"));
    expect(comparison.modelVersion).toBe(saved.modelVersion);
    expect(saved.metrics.oracle?.auc).toBeGreaterThan(0.6);
  }, 180_000);
});
