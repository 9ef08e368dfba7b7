// Dirt that real registry extracts carry, injected on purpose so cleaning and validation have something to find:
// staging/test rows, duplicated bills, zero or negative values, absurd due dates, invalid documents. Every injected
// row is listed in the hidden truth with its kind. Dirt draws from its own random stream, so the clean rows of a
// dirty run are the same as those of a clean run with the same seed.
import {generateCnpj, generateCpf} from "./documents.js";
import type {GeneratedBill} from "./generate-bills.js";
import {addMonths} from "./generate-calendar.js";
import {participantId, partyId} from "./generate-actors.js";
import {SEGMENTS, companyName, personName} from "./generate-world.js";
import type {Random} from "./random.js";
import type {ParticipantRow, PartyRow} from "./registry-schema.js";
import {epochDay, isoDate} from "./registry-schema.js";

export const DIRTY_KINDS = ["test_row", "duplicate", "nonpositive_value", "far_future_due", "bad_document"] as const;
export type DirtyKind = (typeof DIRTY_KINDS)[number];

export interface DirtyRecord {
  table: "participants" | "parties" | "trade_bills";
  id: string;
  kind: DirtyKind;
  detail: string;
}

export interface DirtyActors {
  participant: ParticipantRow;
  parties: PartyRow[];
  records: DirtyRecord[];
  testParties: string[];
  badDocumentParties: string[];
}

const BAD_DOCUMENTS = ["wrong_check_digit", "repeated_digits", "lost_leading_zero", "placeholder"] as const;

/**
 * The staging participant, test parties and parties with invalid documents, with ids after the clean ones.
 * `expectedBills` (bills × dirty rate) sizes the bad-document pool so each such party is used a few times.
 */
export function makeDirtyActors(
  random: Random,
  firstParticipant: number,
  firstParty: number,
  start: number,
  expectedBills: number
): DirtyActors {
  const records: DirtyRecord[] = [];
  const participant: ParticipantRow = {
    participant_id: participantId(firstParticipant),
    cnpj: generateCnpj(random.next),
    name: "GRAFENO HOMOLOGACAO TESTE",
    kind: "fintech",
    uf: "SP",
    joined_at: isoDate(start),
    left_at: null
  };
  records.push({table: "participants", id: participant.participant_id, kind: "test_row", detail: "staging"});
  const parties: PartyRow[] = [];
  const add = (row: Omit<PartyRow, "party_id">, kind: DirtyKind, detail: string) => {
    const id = partyId(firstParty + parties.length);
    parties.push({party_id: id, ...row});
    records.push({table: "parties", id, kind, detail});
    return id;
  };
  const place = {uf: "SP", city: "São Paulo"} as const;
  const testParties = (
    [
      ["EMPRESA TESTE LTDA", "PJ", "retail"],
      ["TESTE HOMOLOGACAO", "PJ", "wholesale"],
      ["FULANO DE TAL TESTE", "PF", "individual"],
      ["SACADO TESTE QA", "PF", "individual"]
    ] as const
  ).map(([name, type, segment]) => {
    const document = type === "PF" ? generateCpf(random.next, place) : generateCnpj(random.next);
    return add({document, person_type: type, name, ...place, segment}, "test_row", "staging");
  });
  const badDocumentParties: string[] = [];
  const pool = Math.max(BAD_DOCUMENTS.length, Math.ceil(expectedBills / 15));
  for (let i = 0; i < pool; i++) {
    const variant = BAD_DOCUMENTS[i % BAD_DOCUMENTS.length];
    const pf = i % 2 === 0;
    const segment = SEGMENTS[random.integer(0, SEGMENTS.length - 1)];
    const row = {
      document: badDocument(random, variant, pf),
      person_type: pf ? "PF" : "PJ",
      name: pf ? personName(random) : companyName(random, segment),
      ...place,
      segment: pf ? "individual" : segment.name
    } as const;
    badDocumentParties.push(add(row, "bad_document", variant));
  }
  return {participant, parties, records, testParties, badDocumentParties};
}

function badDocument(random: Random, variant: (typeof BAD_DOCUMENTS)[number], pf: boolean): string {
  const valid = () => (pf ? generateCpf(random.next) : generateCnpj(random.next));
  switch (variant) {
    case "wrong_check_digit": {
      const doc = valid();
      const last = (+doc[doc.length - 1] + random.integer(1, 9)) % 10;
      return doc.slice(0, -1) + last;
    }
    case "repeated_digits":
      return String(random.integer(0, 9)).repeat(pf ? 11 : 14);
    case "lost_leading_zero": {
      // A spreadsheet read the document as a number: a valid one starting with 0 loses that digit.
      let doc = valid();
      while (doc[0] !== "0") doc = valid();
      return doc.slice(1);
    }
    case "placeholder":
      return random.bernoulli(0.5) ? "NAO INFORMADO" : "00000000000";
  }
}

/** Turns a clean bill into a dirty one of the given kind (in place) and says what was done. */
export function injectDirt(
  generated: GeneratedBill,
  kind: DirtyKind,
  random: Random,
  actors: DirtyActors
): DirtyRecord {
  const {bill, installments} = generated;
  const record = (detail: string): DirtyRecord => ({table: "trade_bills", id: bill.bill_id, kind, detail});
  switch (kind) {
    case "test_row": {
      bill.participant_id = actors.participant.participant_id;
      bill.assignor_id = actors.testParties[random.integer(0, 1)];
      bill.payer_id = actors.testParties[random.integer(0, actors.testParties.length - 1)];
      return record("staging");
    }
    case "duplicate":
      generated.copies = 2;
      return record("bill row written twice");
    case "nonpositive_value": {
      const zero = random.bernoulli(0.5);
      bill.value = zero ? 0 : -bill.value;
      for (const row of installments) {
        row.value = zero ? 0 : -row.value;
        row.paid_value = null;
        row.paid_at = null;
      }
      generated.payments = [];
      if (bill.state === "finished") bill.state = "active";
      return record(zero ? "zero" : "negative");
    }
    case "far_future_due": {
      const last = installments[installments.length - 1];
      const variant = random.integer(0, 2);
      // A century typo (2024 → 2124), the 9999-12-31 "no due date" convention, or a far placeholder year.
      const day =
        variant === 0
          ? addMonths(epochDay(last.original_due_date), 1200)
          : epochDay(variant === 1 ? "9999-12-31" : "2099-12-31");
      last.due_date = last.original_due_date = isoDate(day);
      last.paid_value = null;
      last.paid_at = null;
      generated.payments = generated.payments.filter((p) => p.installment_number !== last.number);
      if (bill.state === "finished") bill.state = "active";
      return record(last.due_date);
    }
    case "bad_document": {
      const payer = actors.badDocumentParties[random.integer(0, actors.badDocumentParties.length - 1)];
      bill.payer_id = payer;
      return record(payer);
    }
  }
}
