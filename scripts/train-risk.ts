// npm run models:train-risk — trains the late-payment risk model on the configured source (GRAFENO_SOURCE, as of
// GRAFENO_OBSERVATION_DATE or the last registration day), compares the algorithms on a time split, evaluates the
// chosen one on the test period, saves data/models/risk-late-payment.json and appends every run to the experiment
// log. On a generated registry (a dir: source with truth/, or GRAFENO_RISK_TRUTH) it also reports the oracle AUC.
// Deterministic: the same data, observation date and seed (--seed N or GRAFENO_RISK_SEED, default 42) give the same
// artifact, byte for byte; only the timings in the .comparison.json beside it vary.
import {existsSync, statSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {defaultModelDir, logExperiment, saveComparison, saveModel} from "../loaders/model-store.js";
import {registryRows} from "../loaders/registry-context.js";
import {readGeneratorTruth, type GeneratorTruth} from "../loaders/risk-evaluation.js";
import {readRiskParties, riskDataFrom} from "../loaders/risk-features.js";
import {RISK_MODEL_NAME, trainRiskModel, type RunRecord} from "../loaders/risk-training.js";

/** Where the generator's truth is, if anywhere: only the oracle evaluation reads it. */
export function truthDirectory(env: NodeJS.ProcessEnv): string | null {
  if (env.GRAFENO_RISK_TRUTH) return env.GRAFENO_RISK_TRUTH;
  const spec = env.GRAFENO_SOURCE ?? "dir:data/sample";
  if (!spec.startsWith("dir:")) return null;
  const dir = join(spec.slice(4) || "data/sample", "truth");
  return existsSync(join(dir, "parties.jsonl")) && existsSync(join(dir, "macro.jsonl")) ? dir : null;
}

export function parseSeed(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const at = argv.indexOf("--seed");
  const text = at >= 0 ? argv[at + 1] : env.GRAFENO_RISK_SEED;
  if (text === undefined) return 42;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`--seed: expected a non-negative integer, got "${text}"`);
  return seed;
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : x.toFixed(4));

export async function trainRiskModels(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv.slice(2)
): Promise<string> {
  const seed = parseSeed(argv, env);
  const dir = env.GRAFENO_MODEL_DIR ?? defaultModelDir;
  const started = performance.now();
  const ctx = await registryRows(env);
  const data = riskDataFrom(ctx.bills, ctx.installments, await readRiskParties(ctx.source));
  const truthDir = truthDirectory(env);
  const truth: GeneratorTruth | undefined = truthDir ? await readGeneratorTruth(truthDir) : undefined;
  const readMs = performance.now() - started;
  console.error(
    `[train-risk] ${ctx.source.describe}: ${data.bills.length} bills, ${data.installments.length} installments, ` +
      `as of ${new Date(ctx.observationDate).toISOString().slice(0, 10)}, seed ${seed}${truthDir ? ", oracle from " + truthDir : ""}`
  );
  const runs: RunRecord[] = [];
  const trainStart = performance.now();
  const {model} = trainRiskModel(data, {
    observationDate: ctx.observationDate,
    seed,
    truth,
    onRun: (run) => {
      runs.push(run);
      console.error(
        `[train-risk] ${run.stage.padEnd(10)} ${run.algorithm.padEnd(11)} ${JSON.stringify(run.params)} ` +
          `AUC ${fmt(run.metrics.auc)} log-loss ${fmt(run.metrics.logLoss)} ${Math.round(run.ms)} ms`
      );
    }
  });
  const trainMs = performance.now() - trainStart;
  const path = await saveModel(RISK_MODEL_NAME, model, dir);
  const oracle = model.metrics.oracle;
  for (const run of runs) {
    const chosen = run.stage === "test" && run.algorithm === model.algorithm;
    await logExperiment(
      {
        model: model.modelVersion,
        method: run.algorithm,
        params: {...run.params, stage: run.stage, seed},
        dataChecksum: model.dataChecksum,
        metrics: {
          stage: run.stage,
          rows: run.metrics.rows,
          positives: run.metrics.positives,
          auc: run.metrics.auc,
          prAuc: run.metrics.prAuc,
          brier: run.metrics.brier,
          logLoss: run.metrics.logLoss,
          parameters: run.parameters,
          chosen: String(chosen),
          ...(run.stage === "test" && oracle ? {oracleAuc: oracle.auc} : {})
        },
        ms: Math.round(run.ms),
        at: model.observationDate
      },
      dir
    );
  }
  await saveComparison(
    RISK_MODEL_NAME,
    {
      modelVersion: model.modelVersion,
      readMs: Math.round(readMs),
      trainMs: Math.round(trainMs),
      runs: runs.map((r) => ({...r, ms: Math.round(r.ms)}))
    },
    dir
  );
  const m = model.metrics.chosen;
  console.error(
    `[train-risk] chosen ${model.algorithm}: ${model.selection.reason}\n` +
      `[train-risk] test AUC ${fmt(m.auc)}, PR-AUC ${fmt(m.prAuc)}, Brier ${fmt(m.brier)}` +
      (oracle ? `, oracle AUC ${fmt(oracle.auc)}, ratio ${fmt(oracle.ratio)}` : "") +
      `\n[train-risk] ${model.modelVersion}: read ${Math.round(readMs)} ms, trained ${Math.round(trainMs)} ms → ${path}`
  );
  return path;
}

/** Trains when the risk model is missing or older than the data it should describe (for npm start / build). */
export async function ensureRiskModel(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const model = join(env.GRAFENO_MODEL_DIR ?? defaultModelDir, `${RISK_MODEL_NAME}.json`);
  const source = env.GRAFENO_SOURCE ?? "dir:data/sample";
  const manifest = source.startsWith("dir:") ? join(source.slice(4), "manifest.json") : undefined;
  const modelTime = statSync(model, {throwIfNoEntry: false})?.mtimeMs ?? 0;
  const dataTime = manifest ? (statSync(manifest, {throwIfNoEntry: false})?.mtimeMs ?? Infinity) : Infinity;
  if (modelTime === 0 || dataTime > modelTime) await trainRiskModels(env, []);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await trainRiskModels();
