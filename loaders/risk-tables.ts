// The riskiest payers and bills at the observation date, from one scoring pass over the open installments that the
// two risk loaders share (sharedResult).
import {progress} from "./emit.js";
import type {RegistryContext} from "./registry-context.js";
import {frameRiskSums, frameRiskTables, type RiskTables} from "./risk-frame-tables.js";
import {readPartyCards} from "./risk-scoring.js";
import type {RiskModelArtifact} from "./risk-training.js";
import {sharedResult} from "./shared-result.js";

export type {RiskTables};

export async function riskTables(ctx: RegistryContext, model: RiskModelArtifact): Promise<RiskTables> {
  const key = ctx.frameKey === null ? null : [ctx.frameKey, model.modelVersion, ctx.observationDate];
  return sharedResult("risk-tables", key, async () => {
    const sums = frameRiskSums(model, ctx.frame, ctx.observationDate);
    progress("risk", `${sums.scored} open installments scored with ${model.modelVersion}`);
    return frameRiskTables(ctx.frame, sums, (payers) => readPartyCards(ctx.source, payers), ctx.participantNames);
  });
}
