import {createHash} from "node:crypto";
import {existsSync} from "node:fs";
import {mkdtemp, readFile, readdir, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {readArrowRows} from "../loaders/arrow-io.js";
import {isValidCnpj, isValidCpf, isValidNfeKey} from "../loaders/documents.js";
import {PF_PAYER_SHARE} from "../loaders/generate-actors.js";
import {BusinessCalendar} from "../loaders/generate-calendar.js";
import {DIRTY_KINDS} from "../loaders/generate-dirty.js";
import type {GenerateProgress, RegistryManifest} from "../loaders/generate.js";
import {generateRegistry} from "../loaders/generate.js";
import type {RowOf, TableName} from "../loaders/registry-schema.js";
import {TABLE_NAMES, columnOrder, epochDay} from "../loaders/registry-schema.js";
import {UsageError, parseCli} from "../scripts/generate.js";

interface Registry {
  dir: string;
  manifest: RegistryManifest;
  participants: RowOf<"participants">[];
  parties: RowOf<"parties">[];
  bills: RowOf<"trade_bills">[];
  installments: RowOf<"installments">[];
  payments: RowOf<"payments">[];
  truth: Record<string, Record<string, unknown>[]>;
}

let root: string;
const runs = new Map<string, Promise<Registry>>();
const progress: GenerateProgress[] = [];

async function rows<T extends TableName>(dir: string, table: T): Promise<RowOf<T>[]> {
  const out: RowOf<T>[] = [];
  for await (const row of readArrowRows(table, join(dir, `${table}.arrow`))) out.push(row);
  return out;
}

/** Generates once per set of options (tests share runs) and loads every table. */
function registry(name: string, options: {seed: number; bills: number; dirty?: number}): Promise<Registry> {
  let run = runs.get(name);
  if (!run) {
    run = (async () => {
      const dir = join(root, name);
      const manifest = await generateRegistry({
        ...options,
        out: dir,
        onProgress: (p) => name === "clean" && progress.push(p)
      });
      const truth: Registry["truth"] = {};
      for (const file of ["participants", "parties", "macro", "dirty"]) {
        const text = await readFile(join(dir, "truth", `${file}.jsonl`), "utf8");
        truth[file] = text
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      }
      const [participants, parties, bills, installments, payments] = await Promise.all([
        rows(dir, "participants"),
        rows(dir, "parties"),
        rows(dir, "trade_bills"),
        rows(dir, "installments"),
        rows(dir, "payments")
      ]);
      return {dir, manifest, participants, parties, bills, installments, payments, truth};
    })();
    runs.set(name, run);
  }
  return run;
}

const clean = () => registry("clean", {seed: 7, bills: 15_000});
const dirty = () => registry("dirty", {seed: 7, bills: 15_000, dirty: 0.05});
const AS_OF = epochDay("2024-12-31");

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "generate-"));
});
afterAll(() => rm(root, {recursive: true, force: true}));

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function topShare(bills: RowOf<"trade_bills">[], key: "participant_id" | "assignor_id"): number {
  const counts = [...groupBy(bills, (b) => b[key]).values()].map((g) => g.length).sort((a, b) => b - a);
  const top = counts.slice(0, Math.max(1, Math.round(counts.length / 10)));
  return top.reduce((a, b) => a + b, 0) / bills.length;
}

describe("determinism and output files", () => {
  it("the same seed and size give byte-identical files; another seed gives different ones", async () => {
    const options = {bills: 2_000, dirty: 0.02};
    const a = await generateRegistry({...options, seed: 11, out: join(root, "same-a")});
    const b = await generateRegistry({...options, seed: 11, out: join(root, "same-b")});
    const c = await generateRegistry({...options, seed: 12, out: join(root, "other")});
    expect(b).toEqual(a);
    expect(await readFile(join(root, "same-b", "manifest.json"))).toEqual(
      await readFile(join(root, "same-a", "manifest.json"))
    );
    for (const table of TABLE_NAMES) {
      expect(c.tables[table].files.arrow!.sha256).not.toBe(a.tables[table].files.arrow!.sha256);
      expect(c.tables[table].files.csv!.sha256).not.toBe(a.tables[table].files.csv!.sha256);
    }
  });

  it("writes an Arrow and a CSV file per table, and a manifest whose checksums match the files", async () => {
    const {dir, manifest} = await clean();
    expect(manifest).toMatchObject({seed: 7, bills: 15_000, dirty: 0, formats: ["arrow", "csv"], as_of: "2024-12-31"});
    for (const table of TABLE_NAMES) {
      for (const format of ["arrow", "csv"] as const) {
        const entry = manifest.tables[table].files[format]!;
        expect(entry.file).toBe(`${table}.${format}`);
        const bytes = await readFile(join(dir, entry.file));
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(entry.sha256);
      }
      const csv = await readFile(join(dir, `${table}.csv`), "utf8");
      expect(csv.slice(0, csv.indexOf("\r\n"))).toBe(columnOrder(table).join(","));
    }
    expect(manifest.truth.parties.file).toBe("truth/parties.jsonl");
    expect((await readdir(dir)).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("writes only the formats asked for", async () => {
    const out = join(root, "arrow-only");
    const manifest = await generateRegistry({seed: 1, bills: 300, out, formats: ["arrow"]});
    expect(manifest.tables.trade_bills.files.csv).toBeUndefined();
    expect((await readdir(out)).some((f) => f.endsWith(".csv"))).toBe(false);
  });

  it("row counts in the manifest are the rows in the files; progress ends at the totals", async () => {
    const r = await clean();
    expect(r.manifest.tables.trade_bills.rows).toBe(r.bills.length);
    expect(r.bills.length).toBe(15_000);
    expect(r.manifest.tables.installments.rows).toBe(r.installments.length);
    expect(r.manifest.tables.payments.rows).toBe(r.payments.length);
    const last = (table: string) => progress.filter((p) => p.table === table).at(-1);
    expect(last("trade_bills")).toEqual({table: "trade_bills", rows: 15_000, total: 15_000});
    expect(last("installments")?.rows).toBe(r.installments.length);
    expect(last("parties")).toEqual({table: "parties", rows: r.parties.length, total: r.parties.length});
  });

  it("rejects bad options before writing anything", async () => {
    const out = join(root, "never");
    await expect(generateRegistry({seed: 1, bills: 0, out})).rejects.toThrow(/bills/);
    await expect(generateRegistry({seed: -1, bills: 5, out})).rejects.toThrow(/seed/);
    await expect(generateRegistry({seed: 1, bills: 5, out, dirty: 2})).rejects.toThrow(/dirty/);
    await expect(generateRegistry({seed: 1, bills: 5, out, start: "2024-13-01"})).rejects.toThrow(/start/);
    await expect(generateRegistry({seed: 1, bills: 5, out, formats: ["xlsx" as never]})).rejects.toThrow(/formats/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("domain consistency", () => {
  it("every participant and party document is a valid CNPJ (PJ) or CPF (PF)", async () => {
    const {participants, parties} = await clean();
    expect(participants.filter((p) => !isValidCnpj(p.cnpj))).toEqual([]);
    expect(parties.filter((p) => !(p.person_type === "PF" ? isValidCpf(p.document) : isValidCnpj(p.document)))).toEqual(
      []
    );
  });

  it("bills backed by an NF-e carry a valid key issued under the assignor's CNPJ", async () => {
    const {bills, parties} = await clean();
    const byId = new Map(parties.map((p) => [p.party_id, p]));
    const wrong = bills.filter((b) =>
      b.nfe_key === null
        ? b.ballast !== "invoice"
        : b.ballast !== "nfe_key" ||
          !isValidNfeKey(b.nfe_key) ||
          b.nfe_key.slice(6, 20) !== byId.get(b.assignor_id)!.document
    );
    expect(wrong).toEqual([]);
    expect(bills.filter((b) => b.nfe_key).length).toBeGreaterThan(bills.length / 3);
  });

  it("each bill has 1–12 installments, numbered in order, due monthly on business days, summing to its value", async () => {
    const {bills, installments} = await clean();
    const byBill = groupBy(installments, (i) => i.bill_id);
    const calendar = new BusinessCalendar();
    const problems: string[] = [];
    const counts = new Set<number>();
    for (const b of bills) {
      const list = byBill.get(b.bill_id) ?? [];
      counts.add(list.length);
      if (list.length < 1 || list.length > 12) problems.push(`${b.bill_id}: ${list.length} installments`);
      if (list.some((i, k) => i.number !== k + 1)) problems.push(`${b.bill_id}: numbering`);
      if (Math.abs(list.reduce((sum, i) => sum + i.value, 0) - b.value) >= 0.01) problems.push(`${b.bill_id}: sum`);
      list.forEach((i, k) => {
        const due = epochDay(i.original_due_date);
        if (!calendar.isBusinessDay(due)) problems.push(`${b.bill_id}#${i.number}: due on a holiday`);
        if (epochDay(i.due_date) < due) problems.push(`${b.bill_id}#${i.number}: due before original`);
        if (k > 0 && due <= epochDay(list[k - 1].original_due_date)) problems.push(`${b.bill_id}#${i.number}: order`);
      });
    }
    expect(problems).toEqual([]);
    expect(counts).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  });

  it("states agree with dates: finished bills are fully paid, canceled ones have a reason and no payments", async () => {
    const {bills, installments, payments} = await clean();
    const byBill = groupBy(installments, (i) => i.bill_id);
    const paidBills = new Set(payments.map((p) => p.bill_id));
    const wrong = bills.filter((b) => {
      const paid = byBill.get(b.bill_id)!.every((i) => i.paid_at !== null);
      const expected = b.state === "canceled" ? !paidBills.has(b.bill_id) : b.state === (paid ? "finished" : "active");
      return !expected || (b.cancel_reason !== null) !== (b.state === "canceled") || b.emitted_at > b.registered_at;
    });
    expect(wrong).toEqual([]);
    const reasons = new Set(bills.map((b) => b.cancel_reason).filter(Boolean));
    expect(reasons).toEqual(new Set(["operational_error", "reversal", "other"]));
  });

  it("payments add up to each installment's paid value, the last one on its paid date, none after the as-of date", async () => {
    const {installments, payments} = await clean();
    const byInstallment = groupBy(payments, (p) => `${p.bill_id}#${p.installment_number}`);
    const wrong = installments.filter((i) => {
      const list = byInstallment.get(`${i.bill_id}#${i.number}`) ?? [];
      if (i.paid_at === null) return list.length > 0 || i.paid_value !== null;
      return (
        list.length === 0 ||
        Math.abs(list.reduce((sum, p) => sum + p.value, 0) - i.paid_value!) >= 0.01 ||
        list.at(-1)!.performed_at.slice(0, 10) !== i.paid_at ||
        i.paid_value! < i.value ||
        epochDay(i.paid_at) > AS_OF
      );
    });
    expect(wrong).toEqual([]);
    expect(payments.length).toBeGreaterThan(installments.length / 2);
  });

  it("participants register bills only while they are clients", async () => {
    const {bills, participants} = await clean();
    const byId = new Map(participants.map((p) => [p.participant_id, p]));
    const outside = bills.filter((b) => {
      const p = byId.get(b.participant_id)!;
      const day = b.registered_at.slice(0, 10);
      return day < p.joined_at || (p.left_at !== null && day >= p.left_at);
    });
    expect(outside).toEqual([]);
  });
});

describe("distributions the analyses can find", () => {
  it("a few participants and assignors hold most bills (top 10% > 50%)", async () => {
    const {bills} = await clean();
    expect(topShare(bills, "participant_id")).toBeGreaterThan(0.5);
    expect(topShare(bills, "assignor_id")).toBeGreaterThan(0.5);
  });

  it("most installments are paid on time, some late (a few over 30 days), some never", async () => {
    const {bills, installments} = await clean();
    const canceled = new Set(bills.filter((b) => b.state === "canceled").map((b) => b.bill_id));
    const matured = installments.filter((i) => !canceled.has(i.bill_id) && epochDay(i.due_date) <= AS_OF - 60);
    const delay = (i: (typeof matured)[number]) =>
      i.paid_at === null ? Infinity : epochDay(i.paid_at) - epochDay(i.due_date);
    const share = (test: (d: number) => boolean) => matured.filter((i) => test(delay(i))).length / matured.length;
    expect(share((d) => d > 0)).toBeGreaterThan(0.08);
    expect(share((d) => d > 0)).toBeLessThan(0.35);
    expect(share((d) => d > 30 && d < Infinity)).toBeGreaterThan(0.01);
    expect(share((d) => d === Infinity)).toBeGreaterThan(0.01);
    expect(share((d) => d === Infinity)).toBeLessThan(0.15);
  });

  it("payers with a higher hidden risk pay late more often", async () => {
    const {bills, installments, truth} = await clean();
    const risk = new Map(truth.parties.filter((p) => p.role === "payer").map((p) => [p.party_id, p.risk as number]));
    const median = [...risk.values()].sort((a, b) => a - b)[Math.floor(risk.size / 2)];
    const payerOf = new Map(bills.map((b) => [b.bill_id, b]));
    const late = {high: [0, 0], low: [0, 0]};
    for (const i of installments) {
      const b = payerOf.get(i.bill_id)!;
      if (b.state === "canceled" || epochDay(i.due_date) > AS_OF - 60) continue;
      const group = late[risk.get(b.payer_id)! > median ? "high" : "low"];
      group[0] += i.paid_at === null || i.paid_at > i.due_date ? 1 : 0;
      group[1] += 1;
    }
    expect(late.high[0] / late.high[1]).toBeGreaterThan((1.5 * late.low[0]) / late.low[1]);
  });

  it("payers mix natural persons (PF) and companies (PJ) near the configured share", async () => {
    const {truth, parties} = await clean();
    const payers = new Set(truth.parties.filter((p) => p.role === "payer").map((p) => p.party_id));
    const pf = parties.filter((p) => payers.has(p.party_id) && p.person_type === "PF").length / payers.size;
    expect(Math.abs(pf - PF_PAYER_SHARE)).toBeLessThan(0.04);
    expect(parties.filter((p) => !payers.has(p.party_id)).every((p) => p.person_type === "PJ")).toBe(true);
    expect(parties.filter((p) => p.person_type === "PF").every((p) => p.segment === "individual")).toBe(true);
  });

  it("parties are spread by economic size: SP first, then RJ and MG", async () => {
    const {parties} = await clean();
    const counts = [...groupBy(parties, (p) => p.uf)].map(([uf, list]) => [uf, list.length / parties.length] as const);
    counts.sort((a, b) => b[1] - a[1]);
    expect(counts[0][0]).toBe("SP");
    expect(counts[0][1]).toBeGreaterThan(0.27);
    expect(counts[0][1]).toBeLessThan(0.37);
    expect(new Set(counts.slice(1, 3).map(([uf]) => uf))).toEqual(new Set(["RJ", "MG"]));
  });

  it("registrations grow over time, fall on business days and peak at month end", async () => {
    const {bills} = await clean();
    const years = groupBy(bills, (b) => b.registered_at.slice(0, 4));
    expect(years.get("2024")!.length).toBeGreaterThan(1.5 * years.get("2021")!.length);
    const calendar = new BusinessCalendar();
    const days = bills.map((b) => epochDay(b.registered_at.slice(0, 10)));
    expect(days.filter((d) => !calendar.isBusinessDay(d)).length / days.length).toBeLessThan(0.03);
    const perDay = (test: (d: number) => boolean) => {
      const hits = days.filter(test).length;
      const span = new Set(days.filter(test)).size;
      return hits / span;
    };
    const monthEnd = perDay((d) => calendar.isBusinessDay(d) && calendar.businessDaysLeftInMonth(d) < 2);
    const midMonth = perDay((d) => calendar.isBusinessDay(d) && calendar.businessDaysLeftInMonth(d) > 8);
    expect(monthEnd).toBeGreaterThan(1.2 * midMonth);
  });

  it("bill values are log-normal: a long right tail, mean well above the median", async () => {
    const {bills} = await clean();
    const values = bills.map((b) => b.value).sort((a, b) => a - b);
    const median = values[values.length >> 1];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(1.3 * median);
    expect(values[Math.floor(values.length * 0.99)]).toBeGreaterThan(10 * median);
    expect(values[0]).toBeGreaterThan(0);
  });

  it("participants join throughout the window and some leave (growth and churn)", async () => {
    const {participants, truth} = await clean();
    expect(participants.filter((p) => p.joined_at >= "2022-01-01").length).toBeGreaterThan(participants.length * 0.3);
    expect(participants.some((p) => p.left_at !== null)).toBe(true);
    expect(truth.participants).toHaveLength(participants.length);
    expect(truth.macro.length).toBe(48);
  });
});

describe("dirty rows", () => {
  it("inject about the requested share of bills, every kind of dirt, each listed in the hidden truth", async () => {
    const r = await dirty();
    const records = r.truth.dirty.filter((d) => d.table === "trade_bills");
    expect(records.length / 15_000).toBeGreaterThan(0.04);
    expect(records.length / 15_000).toBeLessThan(0.06);
    expect(new Set(records.map((d) => d.kind))).toEqual(new Set(DIRTY_KINDS));
    const bills = groupBy(r.bills, (b) => b.bill_id);
    const parties = new Map(r.parties.map((p) => [p.party_id, p]));
    const installments = groupBy(r.installments, (i) => i.bill_id);
    for (const d of records) {
      const [bill, ...copies] = bills.get(d.id as string)!;
      if (d.kind === "duplicate") expect(copies).toEqual([bill]);
      else expect(copies).toEqual([]);
      if (d.kind === "test_row") expect(parties.get(bill.payer_id)!.name).toMatch(/TESTE/);
      if (d.kind === "nonpositive_value") expect(bill.value).toBeLessThanOrEqual(0);
      if (d.kind === "far_future_due") expect(installments.get(bill.bill_id)!.at(-1)!.due_date >= "2099").toBe(true);
      if (d.kind === "bad_document") {
        const payer = parties.get(bill.payer_id)!;
        expect(payer.person_type === "PF" ? isValidCpf(payer.document) : isValidCnpj(payer.document)).toBe(false);
      }
    }
    expect(r.bills.length).toBe(15_000 + records.filter((d) => d.kind === "duplicate").length);
  });

  it("mark every party with an invalid document or a test name, so none goes unnoticed", async () => {
    const r = await dirty();
    const flagged = new Set(r.truth.dirty.filter((d) => d.table === "parties").map((d) => d.id));
    for (const p of r.parties) {
      const valid = p.person_type === "PF" ? isValidCpf(p.document) : isValidCnpj(p.document);
      if (!valid || /TESTE/.test(p.name)) expect(flagged.has(p.party_id), p.party_id).toBe(true);
    }
  });

  it("leave the clean rows as they are in a run without dirt", async () => {
    const [a, b] = await Promise.all([clean(), dirty()]);
    const dirtyIds = new Set(b.truth.dirty.map((d) => d.id));
    const cleanBills = new Map(a.bills.map((x) => [x.bill_id, x]));
    for (const bill of b.bills) if (!dirtyIds.has(bill.bill_id)) expect(bill).toEqual(cleanBills.get(bill.bill_id));
    expect(b.parties.slice(0, a.parties.length)).toEqual(a.parties);
  });

  it("far-future due dates are rare in clean data", async () => {
    const {installments} = await clean();
    const far = installments.filter((i) => i.due_date > "2035-01-01").length;
    expect(far / installments.length).toBeLessThan(0.005);
  });
});

describe("command line", () => {
  it("has documented defaults and reads thousands separators", () => {
    expect(parseCli([])).toMatchObject({
      seed: 42,
      bills: 10_000,
      out: "data/sample",
      dirty: 0,
      formats: ["arrow", "csv"]
    });
    expect(parseCli(["--bills", "1_000_000", "--formats", "arrow", "--dirty", "0.02"])).toMatchObject({
      bills: 1_000_000,
      formats: ["arrow"],
      dirty: 0.02
    });
  });

  it("explains bad flags clearly", () => {
    expect(() => parseCli(["--bills", "ten"])).toThrow(UsageError);
    expect(() => parseCli(["--bills", "ten"])).toThrow(/--bills must be a non-negative integer/);
    expect(() => parseCli(["--dirty", "5%"])).toThrow(/--dirty must be a rate/);
    expect(() => parseCli(["--formats", "parquet"])).toThrow(/--formats/);
    expect(() => parseCli(["--start", "01/01/2024"])).toThrow(/YYYY-MM-DD/);
    expect(() => parseCli(["--start", "2024-06-01", "--end", "2024-01-01"])).toThrow(/after start/);
    expect(() => parseCli(["--sede", "1"])).toThrow(/Unknown option/);
  });
});
