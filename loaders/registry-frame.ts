// The registry as columns: trade bills, installments and the payers' attributes in typed arrays, ids interned to
// dense codes, dates as day numbers. Ten million installments fit in a few hundred megabytes and every registry
// loader reads them in well under a second from the frame cache (frame-cache.ts); the first one builds it.
// No names or documents are held here: those are read from the source only for the rows a loader shows.
import {BALLASTS, BILL_KINDS, BILL_STATES, PERSON_TYPES, UFS} from "./registry-schema.js";
import {codesIn, days, intern, Interner, millis, numbers, NULL_DAY, resolveRows} from "./column-read.js";
import {readColumns, type RegistrySource} from "./source.js";

export {NULL_DAY};

/** A string column read on demand (an Arrow vector, or an array wrapped to look like one). */
export interface LazyStrings {
  readonly length: number;
  get(i: number): string | null;
}

export interface BillFrame {
  length: number;
  id: LazyStrings;
  /** Codes into RegistryFrame.participants. */
  participant: Int32Array;
  /** Codes into RegistryFrame.parties (assignor and payer share them). */
  assignor: Int32Array;
  payer: Int32Array;
  /** Codes into BILL_KINDS, BALLASTS and BILL_STATES. */
  kind: Int32Array;
  ballast: Int32Array;
  state: Int32Array;
  registeredAt: Float64Array;
  value: Float64Array;
}

export interface InstallmentFrame {
  length: number;
  /** Row of its bill in BillFrame; -1 when the bill is not in trade_bills. */
  bill: Int32Array;
  number: Int32Array;
  dueDay: Int32Array;
  /** The registered due date; the due date in force when the source has none. */
  originalDueDay: Int32Array;
  value: Float64Array;
  /** NULL_DAY while unpaid. */
  paidDay: Int32Array;
}

/** Attributes of each party code; -1 where the party is missing from the parties table. */
export interface PartyFrame {
  uf: Int32Array;
  segment: Int32Array;
  personType: Int32Array;
}

export interface RegistryFrame {
  participants: string[];
  parties: string[];
  /** Dictionary of PartyFrame.segment. */
  segments: string[];
  bills: BillFrame;
  installments: InstallmentFrame;
  partyInfo: PartyFrame;
}

export const CANCELED = BILL_STATES.indexOf("canceled");
export const FRAME_TABLES = ["trade_bills", "installments", "parties"] as const;

export type FrameProgress = (step: string) => void;

export function lazyStrings(values: readonly string[]): LazyStrings {
  return {length: values.length, get: (i) => values[i] ?? null};
}

export async function buildRegistryFrame(
  source: RegistrySource,
  onProgress: FrameProgress = () => {}
): Promise<RegistryFrame> {
  onProgress(`reading trade_bills from ${source.describe}`);
  const b = await readColumns(source, "trade_bills", [
    "bill_id",
    "participant_id",
    "assignor_id",
    "payer_id",
    "kind",
    "ballast",
    "state",
    "registered_at",
    "value"
  ]);
  const partyIndex = new Interner();
  const assignor = intern(b.assignor_id, partyIndex).codes;
  const payer = intern(b.payer_id, partyIndex).codes;
  const bills: BillFrame = {
    length: b.bill_id.length,
    id: Array.isArray(b.bill_id) ? lazyStrings(b.bill_id.map(String)) : (b.bill_id as LazyStrings),
    participant: new Int32Array(0),
    assignor,
    payer,
    kind: codesIn(b.kind, BILL_KINDS),
    ballast: codesIn(b.ballast, BALLASTS),
    state: codesIn(b.state, BILL_STATES),
    registeredAt: millis(b.registered_at, "trade_bills.registered_at"),
    value: numbers(b.value)
  };
  const participantCodes = intern(b.participant_id);
  bills.participant = participantCodes.codes;
  onProgress(`${bills.length.toLocaleString("en-US")} bills; reading installments`);

  const i = await readColumns(source, "installments", [
    "bill_id",
    "number",
    "due_date",
    "original_due_date",
    "value",
    "paid_at"
  ]);
  const billOf = resolveRows(b.bill_id, i.bill_id);
  const dueDay = days(i.due_date);
  const originalDueDay = days(i.original_due_date);
  for (let k = 0; k < dueDay.length; k++) if (originalDueDay[k] === NULL_DAY) originalDueDay[k] = dueDay[k];
  const installments: InstallmentFrame = {
    length: billOf.length,
    bill: billOf,
    number: Int32Array.from(numbers(i.number)),
    dueDay,
    originalDueDay,
    value: numbers(i.value),
    paidDay: days(i.paid_at)
  };
  onProgress(`${installments.length.toLocaleString("en-US")} installments; reading parties`);

  const p = await readColumns(source, "parties", ["party_id", "uf", "segment", "person_type"]);
  const referenced = partyIndex.size;
  const parties = partyIndex.values.slice();
  const partyCodes = intern(p.party_id, partyIndex).codes;
  const segments = intern(p.segment);
  const ufs = codesIn(p.uf, UFS);
  const personTypes = codesIn(p.person_type, PERSON_TYPES);
  const partyInfo: PartyFrame = {
    uf: new Int32Array(referenced).fill(-1),
    segment: new Int32Array(referenced).fill(-1),
    personType: new Int32Array(referenced).fill(-1)
  };
  for (let row = 0; row < partyCodes.length; row++) {
    const code = partyCodes[row];
    if (code < 0 || code >= referenced || partyInfo.uf[code] !== -1) continue;
    partyInfo.uf[code] = ufs[row];
    partyInfo.segment[code] = segments.codes[row];
    partyInfo.personType[code] = personTypes[row];
  }
  return {
    participants: participantCodes.values,
    parties,
    segments: segments.values,
    bills,
    installments,
    partyInfo
  };
}
