// npm run models:train — trains the segmentation model for the configured customer entity on the configured
// source, saves the versioned artifact under data/models/ and appends the run to the experiment log.
// The training date is a quarter before the observation date, so model health has a later window to compare.
import {readFileSync, statSync} from "node:fs";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {analysisContext} from "../loaders/analysis-context.js";
import {parseEntity} from "../loaders/customer-events.js";
import {DAY_MS} from "../loaders/rfm.js";
import {rfmRows} from "../loaders/rfm-columns.js";
import {chooseMethod, compareClusterMethods} from "../loaders/cluster-comparison.js";
import {defaultModelDir, logExperiment, saveComparison, saveModel} from "../loaders/model-store.js";
import {windowDaysOf} from "../loaders/rfm-table.js";
import {fitRetention, holdoutCheck, retentionScores} from "../loaders/retention.js";
import {featureVector, SEGMENTATION_SCHEMA_VERSION, trainSegmentation} from "../loaders/segmentation-model.js";

export const trainingLagDays = 91;

export async function trainModels(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const ctx = await analysisContext(env);
  const dir = env.GRAFENO_MODEL_DIR ?? defaultModelDir;
  const trainedAt = ctx.observationDate - trainingLagDays * DAY_MS;
  console.error(
    `[train] segmentation of ${ctx.entity}s: ${ctx.events.length} events, as of ${new Date(trainedAt).toISOString().slice(0, 10)}`
  );
  // Retention first: its expected lifetime value orders clusters that share an action.
  const retentionStart = performance.now();
  const trainingEvents = ctx.events.filter((e) => +e.date < trainedAt + DAY_MS);
  const retentionAtTraining = fitRetention(trainingEvents, {entity: ctx.entity, observationDate: trainedAt});
  const futureValue = new Map(
    retentionScores(retentionAtTraining, trainingEvents, trainedAt).map((s) => [s.customer, s.clv])
  );
  // The retention model the pages and the API use is fitted on everything up to the observation date, with the
  // calibration / holdout check kept beside it.
  const retention = fitRetention(ctx.events, {entity: ctx.entity, observationDate: ctx.observationDate});
  const holdout = holdoutCheck(ctx.events, {entity: ctx.entity, observationDate: ctx.observationDate});
  const retentionArtifact = {...retention, holdout: holdout.rows};
  await saveModel(`retention-${ctx.entity}`, retentionArtifact, dir);
  await logExperiment(
    {
      model: retention.modelVersion,
      method: "bg-nbd+gamma-gamma",
      params: {horizonWeeks: retention.horizonWeeks, holdoutWeeks: 26, entity: ctx.entity},
      dataChecksum: retention.dataChecksum,
      metrics: {
        logLikelihood: retention.bgNbd.logLikelihood,
        holdoutPredicted: holdout.rows.reduce((s, r) => s + r.predicted * r.customers, 0),
        holdoutActual: holdout.rows.reduce((s, r) => s + r.actual * r.customers, 0)
      },
      ms: Math.round(performance.now() - retentionStart),
      at: retention.observationDate
    },
    dir
  );
  console.error(
    `[train] ${retention.modelVersion}: r ${retention.bgNbd.r.toFixed(3)}, α ${retention.bgNbd.alpha.toFixed(3)}`
  );

  const start = performance.now();
  const {model} = trainSegmentation(ctx.events, {entity: ctx.entity, observationDate: trainedAt, futureValue});
  const ms = Math.round(performance.now() - start);
  const path = await saveModel(`segmentation-${ctx.entity}`, model, dir);
  const best = model.metrics.scores.find((s) => s.k === model.metrics.k)!;
  await logExperiment(
    {
      model: model.modelVersion,
      method: "kmeans++",
      params: {k: model.metrics.k, restarts: 10, transform: model.transform.method, entity: ctx.entity},
      dataChecksum: model.dataChecksum,
      metrics: {
        silhouette: best.silhouette,
        calinskiHarabasz: best.calinskiHarabasz,
        daviesBouldin: best.daviesBouldin,
        stabilityAri: model.metrics.stability.meanAri
      },
      ms,
      at: model.observationDate
    },
    dir
  );
  console.error(`[train] ${model.modelVersion}: k = ${model.metrics.k}, ${ms} ms → ${path}`);

  // The same features and k, clustered by the alternatives: the experiment log says why k-means is kept.
  const customers = rfmRows(ctx.columns, {observationDate: trainedAt, windowDays: windowDaysOf(model)});
  const points = customers.map((c) => featureVector(model, c));
  const rows = compareClusterMethods(points, model.metrics.k, {seed: 42});
  const choice = chooseMethod(rows);
  for (const row of rows) {
    await logExperiment(
      {
        model: model.modelVersion,
        method: row.method,
        params: row.params,
        dataChecksum: model.dataChecksum,
        metrics: {
          silhouette: row.silhouette,
          calinskiHarabasz: row.calinskiHarabasz,
          daviesBouldin: row.daviesBouldin,
          parameters: row.parameters,
          scoresNewCustomers: String(row.scoresNewCustomers)
        },
        ms: Math.round(row.ms),
        at: model.observationDate
      },
      dir
    );
  }
  await saveComparison(`segmentation-${ctx.entity}`, {modelVersion: model.modelVersion, rows, choice}, dir);
  console.error(`[train] method comparison: ${choice.reason}`);
  return path;
}

/** Trains when the model is missing or older than the data it should describe. */
export async function ensureModels(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const entity = parseEntity(env.GRAFENO_RFM_ENTITY);
  const model = join(env.GRAFENO_MODEL_DIR ?? defaultModelDir, `segmentation-${entity}.json`);
  const source = env.GRAFENO_SOURCE ?? "dir:data/sample";
  const manifest = source.startsWith("dir:") ? join(source.slice(4), "manifest.json") : undefined;
  let modelTime = statSync(model, {throwIfNoEntry: false})?.mtimeMs ?? 0;
  // An artifact written by older code is retrained rather than misread.
  if (modelTime && JSON.parse(readFileSync(model, "utf8")).schemaVersion !== SEGMENTATION_SCHEMA_VERSION) modelTime = 0;
  const dataTime = manifest ? (statSync(manifest, {throwIfNoEntry: false})?.mtimeMs ?? Infinity) : Infinity;
  if (modelTime === 0 || dataTime > modelTime) await trainModels(env);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await trainModels();
