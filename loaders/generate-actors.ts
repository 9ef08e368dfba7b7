// Participants and parties of the synthetic registry. Both are small enough to keep in memory (parties as typed
// arrays), unlike bills. Concentration is Zipf-like: rank r gets weight (r + 1)^-s, and ranks are shuffled over ids
// so that an id says nothing about size. Each payer gets a hidden risk (log-odds of paying late).
import {generateCnpj, generateCpf} from "./documents.js";
import type {Random} from "./random.js";
import type {ParticipantRow, PartyRow} from "./registry-schema.js";
import {UFS, isoDate} from "./registry-schema.js";
import type {ParticipantKind, Uf} from "./generate-world.js";
import {
  INDIVIDUAL_SEGMENT,
  SEGMENTS,
  SEGMENT_WEIGHTS,
  UF_WEIGHTS,
  companyName,
  participantName,
  personName,
  pickCity
} from "./generate-world.js";

export const ZIPF = {participants: 1.3, assignors: 1.05, payers: 0.8};
/** Baseline payer risk: log-odds of an installment being paid late, before segment, PF and macro shifts. */
export const RISK = {intercept: -2.7, pf: 0.5, sd: 1.0};
export const PF_PAYER_SHARE = 0.35;

export function partyId(index: number): string {
  return `PTY-${String(index + 1).padStart(9, "0")}`;
}

export function participantId(index: number): string {
  return `PRT-${String(index + 1).padStart(4, "0")}`;
}

/** Cumulative Zipf weights for n ranks (sampling = binary search on a uniform times the total). */
export function zipfCumulative(n: number, s: number): Float64Array {
  const cum = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cum[r] = total += Math.pow(r + 1, -s);
  return cum;
}

/** Index of the first cumulative weight above u · total. */
export function sampleCumulative(cum: Float64Array, u: number, length = cum.length): number {
  const target = u * cum[length - 1];
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface ParticipantActor {
  index: number;
  id: string;
  rank: number;
  /** Zipf weight: relative share of registrations when active and ramped up. */
  weight: number;
  kind: ParticipantKind;
  joined: number;
  left: number | null;
  row: ParticipantRow;
}

const KIND_WEIGHTS = Float64Array.of(0.2, 0.4, 0.15, 0.25);
const KINDS: ParticipantKind[] = ["bank", "fidc", "securitizer", "fintech"];
/** Days for a new participant to reach full volume, and the wind-down before it leaves. */
export const RAMP_UP_DAYS = 120;
export const WIND_DOWN_DAYS = 60;

export function makeParticipants(random: Random, count: number, start: number, end: number): ParticipantActor[] {
  const span = end - start;
  const draft = Array.from({length: count}, (_, rank) => {
    const big = rank < Math.max(1, Math.ceil(count * 0.2));
    // The big ones were clients before the window opens; the others join throughout it (growth).
    const joined = big ? start - random.integer(30, 1500) : start + random.integer(-365, Math.max(0, span - 90));
    const churns = rank > 0 && random.bernoulli(big ? 0.03 : 0.3);
    const earliest = Math.max(joined, start) + 120;
    const left = churns && earliest < end ? random.integer(earliest, end - 1) : null;
    const kind = rank === 0 ? "bank" : KINDS[random.weightedIndex(KIND_WEIGHTS)];
    // Financial institutions sit mostly in São Paulo.
    const uf = random.bernoulli(0.7) ? "SP" : UFS[random.weightedIndex(UF_WEIGHTS)];
    return {rank, weight: Math.pow(rank + 1, -ZIPF.participants), kind, joined, left, uf};
  });
  // Ids follow the order clients joined, as a registrar's sequence would.
  draft.sort((a, b) => a.joined - b.joined || a.rank - b.rank);
  return draft.map((d, index) => {
    const id = participantId(index);
    const row: ParticipantRow = {
      participant_id: id,
      cnpj: generateCnpj(random.next),
      name: participantName(random, d.kind),
      kind: d.kind,
      uf: d.uf,
      joined_at: isoDate(d.joined),
      left_at: d.left === null ? null : isoDate(d.left)
    };
    return {index, id, rank: d.rank, weight: d.weight, kind: d.kind, joined: d.joined, left: d.left, row};
  });
}

/** A participant's weight on a day: zero outside its contract, ramping up after joining and down before leaving. */
export function activeWeight(p: ParticipantActor, day: number): number {
  if (day < p.joined || (p.left !== null && day >= p.left)) return 0;
  const up = Math.min(1, (day - p.joined + 1) / RAMP_UP_DAYS);
  const down = p.left === null ? 1 : Math.min(1, (p.left - day) / WIND_DOWN_DAYS);
  return p.weight * up * down;
}

export interface PartyPool {
  count: number;
  /** Party index of each assignor Zipf rank, and the cumulative rank weights. */
  assignors: Int32Array;
  assignorCum: Float64Array;
  payers: Int32Array;
  payerCum: Float64Array;
  pf: Uint8Array;
  uf: Uint8Array;
  /** Index into SEGMENTS; 255 for natural persons. */
  segment: Uint8Array;
  riskLogit: Float32Array;
  /** CNPJ of assignors (their NF-e keys carry it); undefined for payers. */
  cnpj: (string | undefined)[];
}

export interface PartyTruth {
  party_id: string;
  role: "assignor" | "payer";
  zipf_rank: number;
  risk_logit: number | null;
  risk: number | null;
}

/**
 * Creates assignors and payers in id order, handing each row (and its hidden truth) to `emit` as it goes and
 * awaiting `drain` every few thousand parties so that written rows do not pile up in memory.
 */
export async function makeParties(
  random: Random,
  sizes: {assignors: number; payers: number},
  emit: (row: PartyRow, truth: PartyTruth) => void,
  drain: () => Promise<void> = async () => undefined
): Promise<PartyPool> {
  const count = sizes.assignors + sizes.payers;
  const isAssignor = new Uint8Array(count);
  isAssignor.fill(1, 0, sizes.assignors);
  shuffle(random, isAssignor);
  const assignors = new Int32Array(sizes.assignors);
  const payers = new Int32Array(sizes.payers);
  for (let i = 0, a = 0, p = 0; i < count; i++) {
    if (isAssignor[i]) assignors[a++] = i;
    else payers[p++] = i;
  }
  shuffle(random, assignors);
  shuffle(random, payers);
  const rankOf = new Int32Array(count);
  assignors.forEach((party, rank) => (rankOf[party] = rank));
  payers.forEach((party, rank) => (rankOf[party] = rank));

  const pool: PartyPool = {
    count,
    assignors,
    assignorCum: zipfCumulative(sizes.assignors, ZIPF.assignors),
    payers,
    payerCum: zipfCumulative(sizes.payers, ZIPF.payers),
    pf: new Uint8Array(count),
    uf: new Uint8Array(count),
    segment: new Uint8Array(count),
    riskLogit: new Float32Array(count),
    cnpj: new Array<string | undefined>(count)
  };
  for (let i = 0; i < count; i++) {
    if ((i & 4095) === 4095) await drain();
    const assignor = isAssignor[i] === 1;
    const pf = !assignor && random.bernoulli(PF_PAYER_SHARE);
    const ufIndex = random.weightedIndex(UF_WEIGHTS);
    const uf: Uf = UFS[ufIndex];
    const segmentIndex = pf ? 255 : random.weightedIndex(SEGMENT_WEIGHTS);
    const segment = pf ? null : SEGMENTS[segmentIndex];
    const document = pf
      ? generateCpf(random.next, {uf})
      : generateCnpj(random.next, {branch: random.bernoulli(0.9) ? 1 : random.integer(2, 9)});
    const logit = assignor ? null : RISK.intercept + (pf ? RISK.pf : segment!.risk) + random.normal(0, RISK.sd);
    pool.pf[i] = pf ? 1 : 0;
    pool.uf[i] = ufIndex;
    pool.segment[i] = segmentIndex;
    pool.riskLogit[i] = logit ?? 0;
    if (assignor) pool.cnpj[i] = document;
    const id = partyId(i);
    emit(
      {
        party_id: id,
        document,
        person_type: pf ? "PF" : "PJ",
        name: pf ? personName(random) : companyName(random, segment!),
        uf,
        city: pickCity(random, uf),
        segment: segment?.name ?? INDIVIDUAL_SEGMENT
      },
      {
        party_id: id,
        role: assignor ? "assignor" : "payer",
        zipf_rank: rankOf[i],
        // The float32 value the generator actually uses, so evaluation sees the same number.
        risk_logit: logit === null ? null : pool.riskLogit[i],
        risk: logit === null ? null : 1 / (1 + Math.exp(-pool.riskLogit[i]))
      }
    );
  }
  return pool;
}

function shuffle(random: Random, array: Uint8Array | Int32Array): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = random.integer(0, i);
    const t = array[i];
    array[i] = array[j];
    array[j] = t;
  }
}
