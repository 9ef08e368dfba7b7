// riskRows (risk-features.ts) over the registry frame: the same point-in-time features, computed in one sweep over
// time with counters per payer and assignor instead of per-party lists, and materialized only for the installments
// asked for (the open ones when scoring). The tests check it row for row against riskRows on the sample.
import {ascendingOrder} from "./radix-sort.js";
import {BALLASTS, BILL_KINDS, PERSON_TYPES, UFS} from "./registry-schema.js";
import {CANCELED, NULL_DAY, type RegistryFrame} from "./registry-frame.js";
import {DAY_MS, MARKET_WINDOW_DAYS, type RiskFeatureRow, type RiskRow} from "./risk-features.js";
import {predictRisk, type RiskScorer} from "./risk-models.js";
import type {OpenScore} from "./risk-scoring.js";
import {LATE_DAYS, dayOf, type DateValue} from "./statistics-registry.js";

/** Bill rows by registration instant, ties by bill id: the order riskRows walks. */
export function registrationOrder(frame: RegistryFrame): Int32Array {
  const {registeredAt, id, length} = frame.bills;
  const before = (a: number, b: number) => {
    if (registeredAt[a] !== registeredAt[b]) return registeredAt[a] - registeredAt[b];
    const x = id.get(a) ?? "";
    const y = id.get(b) ?? "";
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const order = new Int32Array(length);
  let sorted = true;
  for (let b = 0; b < length; b++) {
    order[b] = b;
    if (b > 0 && sorted && before(b - 1, b) > 0) sorted = false;
  }
  return sorted ? order : order.sort(before);
}

/** Each bill's installments, by number: CSR offsets into `items` (installment rows). */
function schedules(frame: RegistryFrame): {start: Int32Array; items: Int32Array} {
  const {bill, number} = frame.installments;
  const start = new Int32Array(frame.bills.length + 1);
  for (let i = 0; i < bill.length; i++) if (bill[i] >= 0) start[bill[i] + 1]++;
  for (let b = 0; b < frame.bills.length; b++) start[b + 1] += start[b];
  const fill = start.slice(0, -1);
  const items = new Int32Array(start[frame.bills.length]);
  for (let i = 0; i < bill.length; i++) if (bill[i] >= 0) items[fill[bill[i]]++] = i;
  for (let b = 0; b < frame.bills.length; b++) {
    // Insertion sort: schedules are short and usually already in order; stable like Array#sort.
    for (let k = start[b] + 1; k < start[b + 1]; k++) {
      const item = items[k];
      let j = k - 1;
      while (j >= start[b] && number[items[j]] > number[item]) {
        items[j + 1] = items[j];
        j--;
      }
      items[j + 1] = item;
    }
  }
  return {start, items};
}

/** Indices of the finite `times`, ascending (ties in index order); Infinity marks "never". */
function ascending(times: Float64Array): Uint32Array {
  let finite = 0;
  for (const t of times) if (t !== Infinity) finite++;
  // The radix order puts +Infinity after every finite time.
  return ascendingOrder(times).subarray(0, finite);
}

interface Role {
  known: Int32Array;
  late: Int32Array;
  cured: Int32Array;
  bills: Int32Array;
  first: Float64Array;
}

function role(parties: number): Role {
  return {
    known: new Int32Array(parties),
    late: new Int32Array(parties),
    cured: new Int32Array(parties),
    bills: new Int32Array(parties),
    first: new Float64Array(parties)
  };
}

function history(r: Role, party: number, t: number) {
  const bills = r.bills[party];
  return {
    known: r.known[party],
    late: r.late[party],
    overdue: r.late[party] - r.cured[party],
    bills,
    days_since_first: bills > 0 ? Math.floor(t / DAY_MS) - Math.floor(r.first[party] / DAY_MS) : null
  };
}

/** One installment's place and features, as the sweep hands it over. */
export type RiskVisit = (bill: number, installment: number, features: RiskFeatureRow) => void;

/**
 * The features of the installments `keep` marks with 1, in riskRows order. Everything before a bill's registration
 * instant feeds its features, exactly as riskRows defines it.
 */
export function sweepRiskFeatures(frame: RegistryFrame, keep: Uint8Array, visit: RiskVisit): void {
  const {bills, installments: inst, partyInfo, parties} = frame;
  const order = registrationOrder(frame);
  const {start, items} = schedules(frame);

  // Every installment of a bill not canceled is an outcome in its payer's, its assignor's and the market's history.
  let events = 0;
  for (const b of order) if (bills.state[b] !== CANCELED) events += start[b + 1] - start[b];
  const known = new Float64Array(events);
  const cured = new Float64Array(events).fill(Infinity);
  const late = new Uint8Array(events);
  const payerOf = new Int32Array(events);
  const assignorOf = new Int32Array(events);
  let e = 0;
  for (const b of order) {
    if (bills.state[b] === CANCELED) continue;
    const ms = bills.registeredAt[b];
    for (let k = start[b]; k < start[b + 1]; k++, e++) {
      const i = items[k];
      const due = inst.dueDay[i];
      const paid = inst.paidDay[i];
      const isLate = paid === NULL_DAY || paid > due + LATE_DAYS;
      known[e] = Math.max((due + LATE_DAYS + 1) * DAY_MS, ms + 1);
      if (isLate && paid !== NULL_DAY) cured[e] = Math.max((paid + 1) * DAY_MS, known[e]);
      late[e] = isLate ? 1 : 0;
      payerOf[e] = bills.payer[b];
      assignorOf[e] = bills.assignor[b];
    }
  }
  const byKnown = ascending(known);
  const byCure = ascending(cured);

  const payer = role(parties.length);
  const assignor = role(parties.length);
  let billPointer = 0;
  let knownPointer = 0;
  let curePointer = 0;
  let marketOut = 0;
  let marketKnown = 0;
  let marketLate = 0;
  const window = MARKET_WINDOW_DAYS * DAY_MS;
  for (const b of order) {
    const ms = bills.registeredAt[b];
    for (; billPointer < order.length && bills.registeredAt[order[billPointer]] < ms; billPointer++) {
      const prior = order[billPointer];
      const at = bills.registeredAt[prior];
      if (payer.bills[bills.payer[prior]]++ === 0) payer.first[bills.payer[prior]] = at;
      if (assignor.bills[bills.assignor[prior]]++ === 0) assignor.first[bills.assignor[prior]] = at;
    }
    for (; knownPointer < byKnown.length && known[byKnown[knownPointer]] <= ms; knownPointer++) {
      const x = byKnown[knownPointer];
      payer.known[payerOf[x]]++;
      assignor.known[assignorOf[x]]++;
      marketKnown++;
      if (late[x]) {
        payer.late[payerOf[x]]++;
        assignor.late[assignorOf[x]]++;
        marketLate++;
      }
    }
    for (; marketOut < knownPointer && known[byKnown[marketOut]] <= ms - window; marketOut++) {
      marketKnown--;
      if (late[byKnown[marketOut]]) marketLate--;
    }
    for (; curePointer < byCure.length && cured[byCure[curePointer]] <= ms; curePointer++) {
      payer.cured[payerOf[byCure[curePointer]]]++;
      assignor.cured[assignorOf[byCure[curePointer]]]++;
    }
    if (bills.state[b] === CANCELED) continue;
    let wanted = false;
    for (let k = start[b]; k < start[b + 1] && !wanted; k++) wanted = keep[items[k]] === 1;
    if (!wanted) continue;
    const p = history(payer, bills.payer[b], ms);
    const a = history(assignor, bills.assignor[b], ms);
    const payerCode = bills.payer[b];
    const uf = partyInfo.uf[payerCode];
    const segment = partyInfo.segment[payerCode];
    const personType = partyInfo.personType[payerCode];
    const participant = frame.participants[bills.participant[b]];
    const registeredDay = Math.floor(ms / DAY_MS);
    const count = start[b + 1] - start[b];
    for (let k = start[b]; k < start[b + 1]; k++) {
      const i = items[k];
      if (keep[i] !== 1) continue;
      visit(b, i, {
        value: bills.value[b],
        installment_value: inst.value[i],
        installment_number: inst.number[i],
        installment_count: count,
        tenor_days: inst.originalDueDay[i] - registeredDay,
        kind: BILL_KINDS[bills.kind[b]],
        ballast: BALLASTS[bills.ballast[b]],
        participant_id: participant,
        payer_uf: uf >= 0 ? UFS[uf] : null,
        payer_segment: segment >= 0 ? frame.segments[segment] : null,
        payer_person_type: personType >= 0 ? PERSON_TYPES[personType] : null,
        payer_known: p.known,
        payer_late: p.late,
        payer_overdue: p.overdue,
        payer_bills: p.bills,
        payer_days_since_first: p.days_since_first,
        assignor_known: a.known,
        assignor_late: a.late,
        assignor_overdue: a.overdue,
        assignor_bills: a.bills,
        assignor_days_since_first: a.days_since_first,
        market_known: marketKnown,
        market_late: marketLate
      });
    }
  }
}

/** riskRows for the installments `keep` marks with 1 (all when absent), in riskRows order. */
export function frameRiskRows(
  frame: RegistryFrame,
  keep: Uint8Array = new Uint8Array(frame.installments.length).fill(1)
): RiskRow[] {
  const {bills, installments: inst, parties} = frame;
  const rows: RiskRow[] = [];
  const placeOf = places(frame);
  sweepRiskFeatures(frame, keep, (b, i, features) =>
    rows.push({
      ...placeOf(b, i),
      number: inst.number[i],
      assignor_id: parties[bills.assignor[b]],
      paid_day: inst.paidDay[i] === NULL_DAY ? null : inst.paidDay[i],
      features
    })
  );
  return rows;
}

/** The place of installment i of bill b; consecutive visits of one bill share its id, decoded once. */
function places(frame: RegistryFrame): (b: number, i: number) => OpenScore["row"] {
  const {bills, installments: inst} = frame;
  let last = -1;
  let billId = "";
  return (b, i) => {
    if (b !== last) {
      last = b;
      billId = bills.id.get(b) ?? "";
    }
    return {
      bill_id: billId,
      participant_id: frame.participants[bills.participant[b]],
      payer_id: frame.parties[bills.payer[b]],
      registered_ms: bills.registeredAt[b],
      due_day: inst.dueDay[i],
      value: inst.value[i]
    };
  };
}

/** Whether an installment is open at the observation date: unpaid then and its 30-day window not yet closed. */
export function openAt(frame: RegistryFrame, observationDate: DateValue): Uint8Array {
  const observation = dayOf(observationDate);
  const {dueDay, paidDay, length} = frame.installments;
  const open = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    open[i] = dueDay[i] + LATE_DAYS > observation && !(paidDay[i] !== NULL_DAY && paidDay[i] <= observation) ? 1 : 0;
  }
  return open;
}

/** scoreOpenInstallments over the frame. */
export function frameOpenScores(model: RiskScorer, frame: RegistryFrame, observationDate: number): OpenScore[] {
  const scores: OpenScore[] = [];
  const placeOf = places(frame);
  sweepRiskFeatures(frame, openAt(frame, observationDate), (b, i, features) =>
    scores.push({row: placeOf(b, i), risk: predictRisk(model, features)})
  );
  return scores;
}
