// The riskiest payers and bills at the observation date, from one scoring pass over the open installments that the
// two risk loaders share (sharedResult).
import {progress} from "./emit.js";
import type {RegistryContext} from "./registry-context.js";
import {frameOpenScores} from "./risk-frame.js";
import {
  readPartyCards,
  riskiestBills,
  riskiestPayers,
  scoredPayers,
  type BillRisk,
  type PayerRisk
} from "./risk-scoring.js";
import type {RiskModelArtifact} from "./risk-training.js";
import {sharedResult} from "./shared-result.js";

export interface RiskTables {
  scored: number;
  payers: PayerRisk[];
  bills: BillRisk[];
}

export async function riskTables(ctx: RegistryContext, model: RiskModelArtifact): Promise<RiskTables> {
  const key = ctx.frameKey === null ? null : [ctx.frameKey, model.modelVersion, ctx.observationDate];
  return sharedResult("risk-tables", key, async () => {
    const scores = frameOpenScores(model, ctx.frame, ctx.observationDate);
    progress("risk", `${scores.length} open installments scored with ${model.modelVersion}`);
    const cards = await readPartyCards(ctx.source, scoredPayers(scores));
    return {
      scored: scores.length,
      payers: riskiestPayers(scores, cards),
      bills: riskiestBills(scores, cards, ctx.participantNames)
    };
  });
}
