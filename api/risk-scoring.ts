// Late-payment risk for trade bills posted to the API: each new bill is placed after the registry's history (read
// once from the configured source and kept), its point-in-time features are built by the same riskRows the
// loaders use, and predictRisk scores every installment with the saved model.
import {z} from "zod";
import {readRiskData, riskRows, type RiskData, type RiskPartyInput} from "../loaders/risk-features.js";
import {predictRisk} from "../loaders/risk-models.js";
import {RISK_MODEL_NAME, type RiskModelArtifact} from "../loaders/risk-training.js";
import {sourceFromEnv} from "../loaders/source.js";
import type {ModelRegistry} from "./model-registry.js";
import {parseDay} from "./scoring-input.js";

export const maxScoredBills = 10_000;

const day = z.string().refine((v) => parseDay(v) !== null, "not a date (YYYY-MM-DD)");

export const billsToScore = z.strictObject({
  bills: z
    .array(
      z.strictObject({
        bill_id: z.string().min(1).max(100),
        participant_id: z.string().min(1).max(100),
        assignor_id: z.string().min(1).max(100),
        payer_id: z.string().min(1).max(100),
        kind: z.enum(["goods", "services"]),
        ballast: z.enum(["nfe_key", "invoice"]),
        registered_at: day,
        value: z.number().positive(),
        payer: z
          .strictObject({
            uf: z.string().length(2),
            segment: z.string().min(1).max(60),
            person_type: z.enum(["PF", "PJ"])
          })
          .optional(),
        installments: z
          .array(
            z.strictObject({number: z.number().int().min(1).max(360), due_date: day, value: z.number().positive()})
          )
          .min(1)
          .max(360)
      })
    )
    .min(1)
    .max(maxScoredBills)
});
export type BillsToScore = z.infer<typeof billsToScore>;

export interface BillRisk {
  bill_id: string;
  meanRisk: number;
  maxRisk: number;
  installments: {number: number; due_date: string; risk: number}[];
}

let history: Promise<RiskData> | undefined;

/** The registry history new bills are placed after; read once per process. */
export function riskHistory(): Promise<RiskData> {
  return (history ??= readRiskData(sourceFromEnv()));
}

export class BillConflict extends Error {}

export async function scoreBills(
  models: ModelRegistry,
  request: BillsToScore,
  past: RiskData
): Promise<{modelVersion: string; bills: BillRisk[]}> {
  const model = await models.get<RiskModelArtifact>(RISK_MODEL_NAME);
  const known = new Set(past.bills.map((b) => b.bill_id));
  const clash = request.bills.find((b) => known.has(b.bill_id));
  if (clash) throw new BillConflict(`bill ${clash.bill_id} is already in the registry; score new bills only`);
  const parties = new Map<string, RiskPartyInput>(past.parties);
  for (const b of request.bills) if (b.payer && !parties.has(b.payer_id)) parties.set(b.payer_id, b.payer);
  const data: RiskData = {
    bills: [...past.bills, ...request.bills.map((b) => ({...b, state: "active"}))],
    installments: [
      ...past.installments,
      ...request.bills.flatMap((b) =>
        b.installments.map((i) => ({
          bill_id: b.bill_id,
          number: i.number,
          due_date: i.due_date,
          original_due_date: i.due_date,
          value: i.value,
          paid_at: null
        }))
      )
    ],
    parties
  };
  const fresh = new Set(request.bills.map((b) => b.bill_id));
  const byBill = new Map<string, BillRisk["installments"]>();
  for (const row of riskRows(data)) {
    if (!fresh.has(row.bill_id)) continue;
    const list = byBill.get(row.bill_id) ?? [];
    list.push({
      number: row.number,
      due_date: new Date(row.due_day * 86_400_000).toISOString().slice(0, 10),
      risk: predictRisk(model, row.features)
    });
    byBill.set(row.bill_id, list);
  }
  return {
    modelVersion: model.modelVersion,
    bills: request.bills.map((b) => {
      const installments = (byBill.get(b.bill_id) ?? []).sort((x, y) => x.number - y.number);
      const risks = installments.map((i) => i.risk);
      return {
        bill_id: b.bill_id,
        meanRisk: risks.reduce((s, r) => s + r, 0) / (risks.length || 1),
        maxRisk: Math.max(0, ...risks),
        installments
      };
    })
  };
}
