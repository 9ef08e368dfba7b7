import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {generateRegistry} from "../loaders/generate.js";
import {
  DAY_MS,
  MARKET_WINDOW_DAYS,
  encodeRiskFeatures,
  fitRiskFeatureSpec,
  msOf,
  readRiskData,
  riskDataChecksum,
  riskOutcomes,
  riskRows,
  smoothedRate,
  type RiskBillInput,
  type RiskData,
  type RiskInstallmentInput,
  type RiskPartyInput,
  type RiskRow
} from "../loaders/risk-features.js";
import {directorySource} from "../loaders/source.js";
import {LATE_DAYS, dayOf, installmentOutcomes} from "../loaders/statistics-registry.js";

// A hand-made history for payer P1 (assignor A1) and payer P2 (assignor A2), with every edge the features care about.
function bill(id: string, payer: string, registered: string, extra: Partial<RiskBillInput> = {}): RiskBillInput {
  return {
    bill_id: id,
    participant_id: "X1",
    assignor_id: payer === "P1" ? "A1" : "A2",
    payer_id: payer,
    kind: "goods",
    ballast: "nfe_key",
    state: "active",
    registered_at: registered,
    value: 1000,
    ...extra
  };
}

function installment(billId: string, number: number, due: string, paid: string | null, original?: string) {
  return {
    bill_id: billId,
    number,
    due_date: due,
    original_due_date: original ?? due,
    value: 500,
    paid_at: paid
  } satisfies RiskInstallmentInput;
}

const parties = new Map<string, RiskPartyInput>([
  ["P1", {uf: "SP", segment: "retail", person_type: "PJ"}],
  ["P2", {uf: "RJ", segment: "individual", person_type: "PF"}]
]);

function handMade(): RiskData {
  return {
    bills: [
      bill("B1", "P1", "2024-01-01T12:00:00.000Z"),
      bill("C1", "P1", "2024-01-05T12:00:00.000Z", {state: "canceled"}),
      bill("B2", "P1", "2024-02-01T12:00:00.000Z"),
      bill("B3", "P1", "2024-03-11T12:00:00.000Z", {kind: "services", ballast: "invoice", value: 2500}),
      bill("B4", "P1", "2024-03-12T00:00:00.000Z"),
      bill("B5", "P1", "2024-03-21T10:00:00.000Z"),
      bill("B6", "P1", "2024-03-21T10:00:00.000Z"),
      bill("B7", "P2", "2024-05-01T12:00:00.000Z"),
      bill("B8", "P2", "2024-05-02T12:00:00.000Z")
    ],
    installments: [
      installment("B1", 1, "2024-01-10", "2024-01-10"),
      installment("B1", 2, "2024-02-10", null),
      installment("C1", 1, "2024-01-20", null),
      installment("B2", 1, "2024-02-05", "2024-03-20"),
      // Extended from May 1 to June 1 after registration: the tenor uses the registered due date.
      installment("B3", 1, "2024-06-01", null, "2024-05-01"),
      installment("B4", 1, "2024-06-01", "2024-06-01"),
      installment("B5", 1, "2024-06-01", "2024-06-01"),
      installment("B6", 1, "2024-06-01", "2024-06-01"),
      // Registered after its own due date and window: still not its own history.
      installment("B7", 1, "2024-03-01", null),
      installment("B8", 1, "2024-06-10", null)
    ],
    parties
  };
}

function rowOf(rows: RiskRow[], billId: string, number = 1): RiskRow {
  const row = rows.find((r) => r.bill_id === billId && r.number === number);
  if (!row) throw new Error(`no row ${billId}/${number}`);
  return row;
}

describe("risk features on a hand-made history", () => {
  const rows = riskRows(handMade());

  it("one row per installment of bills not canceled, in registration order", () => {
    expect(rows.map((r) => `${r.bill_id}/${r.number}`)).toEqual([
      "B1/1",
      "B1/2",
      "B2/1",
      "B3/1",
      "B4/1",
      "B5/1",
      "B6/1",
      "B7/1",
      "B8/1"
    ]);
  });

  it("a first bill has no history", () => {
    const f = rowOf(rows, "B1").features;
    expect([f.payer_known, f.payer_late, f.payer_overdue, f.payer_bills, f.payer_days_since_first]).toEqual([
      0,
      0,
      0,
      0,
      null
    ]);
  });

  it("prior bills include canceled ones; their installments owe nothing and are not history", () => {
    const f = rowOf(rows, "B2").features;
    // B1 and C1 before it; B1/1's window (due Jan 10 + 30) closes at the end of Feb 9, after Feb 1.
    expect([f.payer_bills, f.payer_days_since_first, f.payer_known, f.payer_late]).toEqual([2, 31, 0, 0]);
  });

  it("a window that closes on the registration day is not yet known; a late one is overdue until paid", () => {
    const f = rowOf(rows, "B3").features;
    // Known by Mar 11 12:00: B1/1 (on time) and B2/1 (due Feb 5, paid Mar 20: late, unpaid on Mar 11).
    // Not known: B1/2 (due Feb 10, window closes at the end of Mar 11).
    expect([f.payer_known, f.payer_late, f.payer_overdue, f.payer_bills, f.payer_days_since_first]).toEqual([
      2, 1, 1, 3, 70
    ]);
  });

  it("known from the start of the day after due + 30", () => {
    const f = rowOf(rows, "B4").features;
    expect([f.payer_known, f.payer_late, f.payer_overdue, f.payer_bills]).toEqual([3, 2, 2, 4]);
  });

  it("a late installment stops being overdue the day after it is paid; same-instant bills do not see each other", () => {
    for (const id of ["B5", "B6"]) {
      const f = rowOf(rows, id).features;
      expect([f.payer_known, f.payer_late, f.payer_overdue, f.payer_bills]).toEqual([3, 2, 1, 5]);
    }
  });

  it("the assignor history of P1's bills is the same history (one assignor, one payer)", () => {
    for (const r of rows.filter((x) => x.payer_id === "P1")) {
      const f = r.features;
      expect([f.assignor_known, f.assignor_late, f.assignor_overdue, f.assignor_bills]).toEqual([
        f.payer_known,
        f.payer_late,
        f.payer_overdue,
        f.payer_bills
      ]);
    }
  });

  it("a bill's own installments are never its history, even when decided before its registration", () => {
    const own = rowOf(rows, "B7").features;
    expect([own.payer_known, own.payer_bills]).toEqual([0, 0]);
    const next = rowOf(rows, "B8").features;
    expect([next.payer_known, next.payer_late, next.payer_overdue, next.payer_bills]).toEqual([1, 1, 1, 1]);
  });

  it("market counts: installments decided in the 90 days before registration, every payer", () => {
    const f = rowOf(rows, "B5").features;
    // B1/1 (Feb 10, on time), B2/1 (Mar 7, late), B1/2 (Mar 12, late).
    expect([f.market_known, f.market_late]).toEqual([3, 2]);
    const b8 = rowOf(rows, "B8").features;
    // By May 2, B1/1 was decided 82 days earlier: still inside the window; B7/1 joined on May 1.
    expect([b8.market_known, b8.market_late]).toEqual([4, 3]);
    expect(MARKET_WINDOW_DAYS).toBe(90);
  });

  it("bill and schedule features come from the registration: tenor from the registered due date", () => {
    const f = rowOf(rows, "B3").features;
    expect(f).toMatchObject({
      value: 2500,
      installment_value: 500,
      installment_number: 1,
      installment_count: 1,
      tenor_days: 51,
      kind: "services",
      ballast: "invoice",
      participant_id: "X1",
      payer_uf: "SP",
      payer_segment: "retail",
      payer_person_type: "PJ"
    });
    expect(rowOf(rows, "B1", 2).features.installment_count).toBe(2);
  });

  it("outcomes at the observation date follow installmentOutcomes (closed = due + 30 on or before it)", () => {
    const observation = "2024-07-01";
    const outcomes = riskOutcomes(rows, observation);
    const reference = installmentOutcomes(
      rows.map((r) => ({
        bill_id: r.bill_id,
        number: r.number,
        due_date: r.due_day * DAY_MS,
        paid_at: r.paid_day === null ? null : r.paid_day * DAY_MS
      })),
      observation
    );
    outcomes.forEach((o, i) => {
      expect(o.status === "closed").toBe(reference[i].closed);
      if (o.status === "closed") expect(o.late30).toBe(reference[i].late30);
    });
    // B3/1 is due Jun 1 (in force): closed on Jul 1 and unpaid → late.
    expect(outcomes[rows.indexOf(rowOf(rows, "B3"))]).toEqual({status: "closed", late30: true});
    // B8/1 is due Jun 10: its window is still running and it is unpaid.
    expect(outcomes[rows.indexOf(rowOf(rows, "B8"))]).toEqual({status: "open", late30: null});
    expect(LATE_DAYS).toBe(30);
  });

  it("input order does not matter", () => {
    const data = handMade();
    const shuffled = {...data, bills: [...data.bills].reverse(), installments: [...data.installments].reverse()};
    expect(riskRows(shuffled)).toEqual(rows);
    expect(riskDataChecksum(shuffled)).toBe(riskDataChecksum(data));
  });
});

describe("risk feature encoding", () => {
  const rows = riskRows(handMade());
  const labels = rows.map((r) => (r.bill_id === "B1" ? 1 : 0));

  it("learns categories and the Beta prior on the training rows; unseen values go to other", () => {
    const spec = fitRiskFeatureSpec(rows, labels, {minCategoryRows: 1, topParticipants: 5});
    expect(spec.participants).toEqual(["X1"]);
    expect(spec.ufs).toEqual(["RJ", "SP"]);
    expect(spec.prior.rate).toBeCloseTo(2 / 9, 12);
    const names = spec.columns.map((c) => c.name);
    const x = encodeRiskFeatures(spec, rowOf(rows, "B3").features);
    const at = (name: string) => x[names.indexOf(name)];
    expect(at("log_value")).toBeCloseTo(Math.log1p(2500), 12);
    expect(at("log_tenor_days")).toBeCloseTo(Math.log1p(51), 12);
    const rate = smoothedRate(1, 2, 2 / 9, spec.prior.strength);
    expect(at("payer_late_rate_logit")).toBeCloseTo(Math.log(rate / (1 - rate)), 12);
    expect([at("kind_services"), at("ballast_invoice"), at("payer_pf"), at("payer_new")]).toEqual([1, 1, 0, 0]);
    expect([at("participant_X1"), at("participant_other"), at("uf_SP"), at("uf_RJ"), at("uf_other")]).toEqual([
      1, 0, 1, 0, 0
    ]);
    const stranger = encodeRiskFeatures(spec, {...rowOf(rows, "B3").features, participant_id: "X9", payer_uf: null});
    expect([stranger[names.indexOf("participant_other")], stranger[names.indexOf("uf_other")]]).toEqual([1, 1]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// On a generated registry: the leakage test and a brute-force check of the O(n log n) history.

let dir = "";
let data: RiskData;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "risk-features-"));
  await generateRegistry({seed: 7, bills: 4000, out: dir, formats: ["arrow"]});
  data = await readRiskData(directorySource(dir));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, {recursive: true, force: true});
});

/**
 * The registry as it stood at `cutoff` (epoch ms): bills registered after it removed with their installments,
 * payments not certainly made before it (paid on the cutoff day or later) blanked, and the bill state reduced to
 * what the snapshot can date (active, or canceled).
 */
function truncate(full: RiskData, cutoff: number): RiskData {
  const cutoffDay = Math.floor(cutoff / DAY_MS);
  const bills = full.bills
    .filter((b) => msOf(b.registered_at) <= cutoff)
    .map((b) => ({...b, state: b.state === "canceled" ? "canceled" : "active"}));
  const kept = new Set(bills.map((b) => b.bill_id));
  const installments = full.installments
    .filter((i) => kept.has(i.bill_id))
    .map((i) => ({...i, paid_at: i.paid_at !== null && dayOf(i.paid_at) >= cutoffDay ? null : i.paid_at}));
  return {bills, installments, parties: full.parties};
}

describe("leakage: no feature can see anything dated after the bill's registration", () => {
  it("features of bills registered before a cut-off are identical on the full data and on the data cut there", () => {
    const full = riskRows(data);
    const times = full.map((r) => r.registered_ms).sort((a, b) => a - b);
    const labels = full.map((r) => (r.paid_day === null ? 1 : 0));
    const spec = fitRiskFeatureSpec(full, labels);
    // Quantiles of registration instants, an instant in the middle of a day and one at midnight; then the instants
    // where a leak would show: registrations on a day some installment was paid exactly at due + 30 (decided that
    // very day), and registrations of a payer on the day one of its late installments was paid.
    const cutoffs = [0.2, 0.4, 0.6, 0.8, 0.95].map((q) => times[Math.floor(q * times.length)]);
    cutoffs.push(Math.floor(times[Math.floor(0.5 * times.length)] / DAY_MS) * DAY_MS + 15 * 3_600_000);
    cutoffs.push(Math.floor(times[Math.floor(0.7 * times.length)] / DAY_MS) * DAY_MS);
    const edgeDays = new Set<number>();
    const latePaidDays = new Set<string>();
    for (const r of full) {
      if (r.paid_day === r.due_day + LATE_DAYS) edgeDays.add(r.paid_day);
      if (r.paid_day !== null && r.paid_day > r.due_day + LATE_DAYS) latePaidDays.add(`${r.payer_id}@${r.paid_day}`);
    }
    const edges = full.filter((r) => {
      const day = Math.floor(r.registered_ms / DAY_MS);
      return edgeDays.has(day) || latePaidDays.has(`${r.payer_id}@${day}`);
    });
    expect(edges.length).toBeGreaterThan(5);
    cutoffs.push(...new Set(edges.map((r) => r.registered_ms)));
    for (const cutoff of cutoffs) {
      const cut = riskRows(truncate(data, cutoff));
      const before = full.filter((r) => r.registered_ms <= cutoff);
      expect(cut.length).toBe(before.length);
      expect(before.length).toBeGreaterThan(100);
      const differences: string[] = [];
      for (let i = 0; i < cut.length; i++) {
        const a = JSON.stringify([cut[i].bill_id, cut[i].number, cut[i].features]);
        const b = JSON.stringify([before[i].bill_id, before[i].number, before[i].features]);
        const va = encodeRiskFeatures(spec, cut[i].features).join(",");
        const vb = encodeRiskFeatures(spec, before[i].features).join(",");
        if (a !== b || va !== vb) differences.push(`${new Date(cutoff).toISOString()}: ${a} ≠ ${b}`);
      }
      expect(differences.slice(0, 5)).toEqual([]);
    }
  }, 120_000);

  it("a feature that peeks at the future is caught by the same comparison", () => {
    // Guard for the test itself: the payer's lifetime late count differs between full and cut data.
    const cutoff = [...data.bills].map((b) => msOf(b.registered_at)).sort((a, b) => a - b)[2000];
    const lifetimeLate = (d: RiskData) => {
      const payerOf = new Map(d.bills.map((b) => [b.bill_id, b.payer_id]));
      const late = new Map<string, number>();
      for (const i of d.installments) {
        if (i.paid_at === null) late.set(payerOf.get(i.bill_id)!, (late.get(payerOf.get(i.bill_id)!) ?? 0) + 1);
      }
      return late;
    };
    const full = lifetimeLate(data);
    const cut = lifetimeLate(truncate(data, cutoff));
    const earlyPayers = data.bills.filter((b) => msOf(b.registered_at) <= cutoff).map((b) => b.payer_id);
    expect(earlyPayers.some((p) => (full.get(p) ?? 0) !== (cut.get(p) ?? 0))).toBe(true);
  });
});

describe("history counts against a brute-force scan", () => {
  it("the two-pointer history equals a direct count over every installment", () => {
    const rows = riskRows(data);
    const bills = data.bills.map((b) => ({...b, ms: msOf(b.registered_at)}));
    const billById = new Map(bills.map((b) => [b.bill_id, b]));
    const installments = data.installments
      .filter((i) => billById.get(i.bill_id)!.state !== "canceled")
      .map((i) => ({
        bill: billById.get(i.bill_id)!,
        known: (dayOf(i.due_date) + LATE_DAYS + 1) * DAY_MS,
        late: i.paid_at === null || dayOf(i.paid_at) > dayOf(i.due_date) + LATE_DAYS,
        paidKnown: i.paid_at === null ? Infinity : (dayOf(i.paid_at) + 1) * DAY_MS
      }));
    const window = MARKET_WINDOW_DAYS * DAY_MS;
    // Every 13th row: a few hundred, spread over the whole period.
    for (let k = 0; k < rows.length; k += 13) {
      const r = rows[k];
      const t = r.registered_ms;
      const prior = (key: "payer_id" | "assignor_id") => {
        const id = r[key];
        const past = bills.filter((b) => b[key] === id && b.ms < t);
        const known = installments.filter((i) => i.bill[key] === id && i.bill.ms < t && i.known <= t);
        const late = known.filter((i) => i.late);
        const first = past.length ? Math.min(...past.map((b) => b.ms)) : null;
        return {
          known: known.length,
          late: late.length,
          overdue: late.filter((i) => i.paidKnown > t).length,
          bills: past.length,
          days_since_first: first === null ? null : Math.floor(t / DAY_MS) - Math.floor(first / DAY_MS)
        };
      };
      const p = prior("payer_id");
      const a = prior("assignor_id");
      const market = installments.filter((i) => i.bill.ms < t && i.known <= t && i.known > t - window);
      const f = r.features;
      expect([f.payer_known, f.payer_late, f.payer_overdue, f.payer_bills, f.payer_days_since_first]).toEqual([
        p.known,
        p.late,
        p.overdue,
        p.bills,
        p.days_since_first
      ]);
      expect([f.assignor_known, f.assignor_late, f.assignor_overdue, f.assignor_bills]).toEqual([
        a.known,
        a.late,
        a.overdue,
        a.bills
      ]);
      expect([f.market_known, f.market_late]).toEqual([market.length, market.filter((i) => i.late).length]);
    }
  }, 60_000);

  it("features never read the generator's truth: the reader opens only the registry tables", async () => {
    const opened: string[] = [];
    const source = directorySource(dir);
    await readRiskData({
      describe: source.describe,
      rows<T>(table: string) {
        opened.push(table);
        return source.rows<T>(table);
      }
    });
    expect(opened.sort()).toEqual(["installments", "parties", "trade_bills"]);
  });
});
