// Scores the installments still open at the observation date with the saved risk model (through predictRisk, the
// function the scoring API uses) and ranks payers and bills by predicted late-payment risk.
import {maskDocument} from "./documents.js";
import {rowsMatching, valueAt} from "./column-read.js";
import {readColumns, type RegistrySource} from "./source.js";
import {DAY_MS, riskOutcomes, riskRows, type RiskData, type RiskRow} from "./risk-features.js";
import {predictRisk, type RiskScorer} from "./risk-models.js";
import {isoDate} from "./registry-schema.js";

export interface OpenScore {
  /** Where the installment is and what it is worth (a RiskRow has all of it). */
  row: Pick<RiskRow, "bill_id" | "participant_id" | "payer_id" | "registered_ms" | "due_day" | "value">;
  /** P(late30) predicted from the features known when the bill was registered. */
  risk: number;
}

/** Installments of bills not canceled, unpaid at the observation date and whose 30-day window is still open. */
export function scoreOpenInstallments(model: RiskScorer, data: RiskData, observationDate: number): OpenScore[] {
  const rows = riskRows(data);
  const outcomes = riskOutcomes(rows, observationDate);
  const out: OpenScore[] = [];
  rows.forEach((row, i) => {
    if (outcomes[i].status === "open") out.push({row, risk: predictRisk(model, row.features)});
  });
  return out;
}

export interface PartyCard {
  name: string;
  /** Masked CPF or formatted CNPJ (maskDocument): never the full CPF. */
  document: string;
  uf: string;
  segment: string;
  person_type: string;
}

/** Cards of the given parties (all when absent), read from the source's columns. */
export async function readPartyCards(
  source: RegistrySource,
  only?: ReadonlySet<string>
): Promise<Map<string, PartyCard>> {
  const names = ["party_id", "name", "document", "uf", "segment", "person_type"] as const;
  const c = await readColumns(source, "parties", names);
  const cards = new Map<string, PartyCard>();
  const rows = only ? rowsMatching(c.party_id, only) : Array.from({length: c.party_id.length}, (_, i) => i);
  for (const i of rows) {
    const id = String(valueAt(c.party_id, i));
    const text = (name: (typeof names)[number]) => String(valueAt(c[name], i));
    cards.set(id, {
      name: text("name"),
      document: maskDocument(text("document")),
      uf: text("uf"),
      segment: text("segment"),
      person_type: text("person_type")
    });
  }
  return cards;
}

/** The payers of the scored installments, to read only their cards. */
export function scoredPayers(scores: readonly OpenScore[]): Set<string> {
  return new Set(scores.map((s) => s.row.payer_id));
}

export interface Exposure {
  installments: number;
  exposure: number;
  riskSum: number;
  maxRisk: number;
  expectedLate: number;
  nextDue: number;
}

function accumulate(into: Exposure | undefined, s: OpenScore): Exposure {
  const e = into ?? {installments: 0, exposure: 0, riskSum: 0, maxRisk: 0, expectedLate: 0, nextDue: Infinity};
  e.installments++;
  e.exposure += s.row.value;
  e.riskSum += s.risk;
  e.maxRisk = Math.max(e.maxRisk, s.risk);
  e.expectedLate += s.risk * s.row.value;
  e.nextDue = Math.min(e.nextDue, s.row.due_day);
  return e;
}

export interface PayerRisk {
  payer_id: string;
  name: string;
  document: string;
  uf: string;
  segment: string;
  person_type: string;
  bills: number;
  open_installments: number;
  /** Value of the open installments (BRL). */
  exposure: number;
  mean_risk: number;
  max_risk: number;
  /** Σ risk × value over the open installments. */
  expected_late_value: number;
  next_due: string;
}

export const round2 = (x: number) => Math.round(x * 100) / 100;

/** A payer's row of the table: its card and what its open installments add up to. */
export function payerRisk(id: string, card: PartyCard | undefined, e: Exposure, bills: number): PayerRisk {
  return {
    payer_id: id,
    name: card?.name ?? "",
    document: card?.document ?? "",
    uf: card?.uf ?? "",
    segment: card?.segment ?? "",
    person_type: card?.person_type ?? "",
    bills,
    open_installments: e.installments,
    exposure: round2(e.exposure),
    mean_risk: e.riskSum / e.installments,
    max_risk: e.maxRisk,
    expected_late_value: round2(e.expectedLate),
    next_due: isoDate(e.nextDue)
  };
}

/** A bill's row of the table. */
export function billRisk(
  row: Pick<OpenScore["row"], "bill_id" | "payer_id" | "registered_ms">,
  participant: string,
  card: PartyCard | undefined,
  e: Exposure
): BillRisk {
  return {
    bill_id: row.bill_id,
    participant,
    payer_id: row.payer_id,
    payer_name: card?.name ?? "",
    payer_document: card?.document ?? "",
    registered_at: isoDate(Math.floor(row.registered_ms / DAY_MS)),
    open_installments: e.installments,
    open_value: round2(e.exposure),
    mean_risk: e.riskSum / e.installments,
    max_risk: e.maxRisk,
    expected_late_value: round2(e.expectedLate),
    next_due: isoDate(e.nextDue)
  };
}

/** Payers by mean predicted risk of their open installments (then exposure), the first `limit`. */
export function riskiestPayers(
  scores: readonly OpenScore[],
  cards: ReadonlyMap<string, PartyCard>,
  limit = 500
): PayerRisk[] {
  const byPayer = new Map<string, {exposure: Exposure; bills: Set<string>}>();
  for (const s of scores) {
    const entry = byPayer.get(s.row.payer_id);
    if (entry) {
      accumulate(entry.exposure, s);
      entry.bills.add(s.row.bill_id);
    } else {
      byPayer.set(s.row.payer_id, {exposure: accumulate(undefined, s), bills: new Set([s.row.bill_id])});
    }
  }
  return [...byPayer]
    .map(([id, {exposure: e, bills}]) => payerRisk(id, cards.get(id), e, bills.size))
    .sort((a, b) => b.mean_risk - a.mean_risk || b.exposure - a.exposure || (a.payer_id < b.payer_id ? -1 : 1))
    .slice(0, limit);
}

export interface BillRisk {
  bill_id: string;
  participant: string;
  payer_id: string;
  payer_name: string;
  payer_document: string;
  registered_at: string;
  open_installments: number;
  open_value: number;
  mean_risk: number;
  max_risk: number;
  expected_late_value: number;
  next_due: string;
}

/** Bills by mean predicted risk of their open installments (then open value), the first `limit`. */
export function riskiestBills(
  scores: readonly OpenScore[],
  cards: ReadonlyMap<string, PartyCard>,
  participantNames: ReadonlyMap<string, string>,
  limit = 500
): BillRisk[] {
  const byBill = new Map<string, {row: OpenScore["row"]; exposure: Exposure}>();
  for (const s of scores) {
    const entry = byBill.get(s.row.bill_id);
    byBill.set(s.row.bill_id, {row: s.row, exposure: accumulate(entry?.exposure, s)});
  }
  return [...byBill.values()]
    .map(({row, exposure: e}) =>
      billRisk(row, participantNames.get(row.participant_id) ?? row.participant_id, cards.get(row.payer_id), e)
    )
    .sort((a, b) => b.mean_risk - a.mean_risk || b.open_value - a.open_value || (a.bill_id < b.bill_id ? -1 : 1))
    .slice(0, limit);
}
