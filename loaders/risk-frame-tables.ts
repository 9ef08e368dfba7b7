// riskiestPayers and riskiestBills (risk-scoring.ts) over the registry frame: exposure and risk summed per payer
// code and bill row in typed arrays during the scoring sweep, in the same order as the row-based path (so the sums
// are the same to the last bit), and names and documents read only for the rows that make the tables.
import type {RegistryFrame} from "./registry-frame.js";
import {openAt, sweepRiskFeatures} from "./risk-frame.js";
import {predictRisk, type RiskScorer} from "./risk-models.js";
import {
  billRisk,
  payerRisk,
  round2,
  type BillRisk,
  type Exposure,
  type PartyCard,
  type PayerRisk
} from "./risk-scoring.js";

interface Sums {
  installments: Int32Array;
  exposure: Float64Array;
  riskSum: Float64Array;
  maxRisk: Float64Array;
  expectedLate: Float64Array;
  nextDue: Float64Array;
}

function sums(n: number): Sums {
  return {
    installments: new Int32Array(n),
    exposure: new Float64Array(n),
    riskSum: new Float64Array(n),
    maxRisk: new Float64Array(n),
    expectedLate: new Float64Array(n),
    nextDue: new Float64Array(n).fill(Infinity)
  };
}

function add(s: Sums, k: number, value: number, risk: number, due: number): void {
  s.installments[k]++;
  s.exposure[k] += value;
  s.riskSum[k] += risk;
  s.maxRisk[k] = Math.max(s.maxRisk[k], risk);
  s.expectedLate[k] += risk * value;
  s.nextDue[k] = Math.min(s.nextDue[k], due);
}

export interface FrameRiskScores {
  scored: number;
  payers: Sums & {bills: Int32Array};
  bills: Sums;
}

/** Scores every open installment with the model and sums the results by payer and by bill. */
export function frameRiskSums(model: RiskScorer, frame: RegistryFrame, observationDate: number): FrameRiskScores {
  const payers = {...sums(frame.parties.length), bills: new Int32Array(frame.parties.length)};
  const lastBill = new Int32Array(frame.parties.length).fill(-1);
  const bills = sums(frame.bills.length);
  const {payer} = frame.bills;
  const {value, dueDay} = frame.installments;
  let scored = 0;
  sweepRiskFeatures(frame, openAt(frame, observationDate), (b, i, features) => {
    const risk = predictRisk(model, features);
    const p = payer[b];
    scored++;
    add(payers, p, value[i], risk, dueDay[i]);
    if (lastBill[p] !== b) {
      lastBill[p] = b;
      payers.bills[p]++;
    }
    add(bills, b, value[i], risk, dueDay[i]);
  });
  return {scored, payers, bills};
}

/** The first `limit` keys with open installments by mean risk, then rounded exposure, then id (as the row path). */
function ranked(s: Sums, id: (k: number) => string, limit: number): number[] {
  const keys: number[] = [];
  for (let k = 0; k < s.installments.length; k++) if (s.installments[k] > 0) keys.push(k);
  const mean = (k: number) => s.riskSum[k] / s.installments[k];
  return keys
    .sort((a, b) => mean(b) - mean(a) || round2(s.exposure[b]) - round2(s.exposure[a]) || (id(a) < id(b) ? -1 : 1))
    .slice(0, limit);
}

export interface RiskTables {
  scored: number;
  payers: PayerRisk[];
  bills: BillRisk[];
}

/** The riskiest payers and bills; `readCards` is asked only for the payers the two tables name. */
export async function frameRiskTables(
  frame: RegistryFrame,
  scores: FrameRiskScores,
  readCards: (payers: ReadonlySet<string>) => Promise<ReadonlyMap<string, PartyCard>>,
  participantNames: ReadonlyMap<string, string>,
  limit = 500
): Promise<RiskTables> {
  const payerKeys = ranked(scores.payers, (k) => frame.parties[k], limit);
  const billKeys = ranked(scores.bills, (b) => frame.bills.id.get(b) ?? "", limit);
  const cards = await readCards(
    new Set([...payerKeys, ...billKeys.map((b) => frame.bills.payer[b])].map((k) => frame.parties[k]))
  );
  return {
    scored: scores.scored,
    payers: payerTable(frame, scores, payerKeys, cards),
    bills: billTable(frame, scores, billKeys, cards, participantNames)
  };
}

function payerTable(
  frame: RegistryFrame,
  scores: FrameRiskScores,
  keys: number[],
  cards: ReadonlyMap<string, PartyCard>
): PayerRisk[] {
  const s = scores.payers;
  return keys.map((k) => payerRisk(frame.parties[k], cards.get(frame.parties[k]), exposureOf(s, k), s.bills[k]));
}

function billTable(
  frame: RegistryFrame,
  scores: FrameRiskScores,
  keys: number[],
  cards: ReadonlyMap<string, PartyCard>,
  participantNames: ReadonlyMap<string, string>
): BillRisk[] {
  const s = scores.bills;
  const {bills} = frame;
  return keys.map((b) => {
    const payerId = frame.parties[bills.payer[b]];
    const participant = frame.participants[bills.participant[b]];
    const row = {bill_id: bills.id.get(b) ?? "", payer_id: payerId, registered_ms: bills.registeredAt[b]};
    return billRisk(row, participantNames.get(participant) ?? participant, cards.get(payerId), exposureOf(s, b));
  });
}

function exposureOf(s: Sums, k: number): Exposure {
  return {
    installments: s.installments[k],
    exposure: s.exposure[k],
    riskSum: s.riskSum[k],
    maxRisk: s.maxRisk[k],
    expectedLate: s.expectedLate[k],
    nextDue: s.nextDue[k]
  };
}
