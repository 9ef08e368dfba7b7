import {mkdtemp} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {generateRegistry} from "../loaders/generate.js";
import {trainRiskModels} from "../scripts/train-risk.js";
import {accountsServer, signUp, signUpAs, type Person} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";

const newBill = (id: string, payer: string, installments = 3) => ({
  bill_id: id,
  participant_id: "PART-0001",
  assignor_id: "PTY-000000010",
  payer_id: payer,
  kind: "goods",
  ballast: "invoice",
  registered_at: "2025-01-02",
  value: 3000,
  installments: Array.from({length: installments}, (_, i) => ({
    number: i + 1,
    due_date: `2025-0${i + 2}-10`,
    value: 1000
  }))
});

describe("late-payment risk through the scoring API", () => {
  let server: TestServer;
  let analyst: Person;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    const data = await mkdtemp(join(tmpdir(), "registry-"));
    const models = await mkdtemp(join(tmpdir(), "models-"));
    await generateRegistry({seed: 7, bills: 2500, out: data, formats: ["arrow"]});
    const env = {...process.env, GRAFENO_SOURCE: `dir:${data}`, GRAFENO_MODEL_DIR: models};
    await trainRiskModels(env, []);
    for (const k of ["GRAFENO_SOURCE", "GRAFENO_MODEL_DIR"] as const) {
      saved[k] = process.env[k];
      process.env[k] = env[k];
    }
    server = await accountsServer();
    analyst = await signUpAs(server, "analyst", "risk-analyst@example.com");
  }, 180_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await server?.close();
  });

  it("scores every installment of new bills with the saved model and names its version", async () => {
    const response = await analyst.client.post("/api/score/bills", {
      bills: [newBill("NEW-1", "PTY-000000001"), newBill("NEW-2", "PTY-000000002", 2)]
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const body = await response.json();
    expect(body.modelVersion).toMatch(/^risk-late-payment-[0-9a-f]{12}$/);
    expect(body.bills.map((b: {bill_id: string}) => b.bill_id)).toEqual(["NEW-1", "NEW-2"]);
    expect(body.bills[0].installments.map((i: {number: number}) => i.number)).toEqual([1, 2, 3]);
    for (const b of body.bills) {
      for (const i of b.installments) {
        expect(i.risk).toBeGreaterThan(0);
        expect(i.risk).toBeLessThan(1);
      }
    }
  });

  it("gives the same risk whatever else is in the request: features only look at the past", async () => {
    const alone = await (
      await analyst.client.post("/api/score/bills", {bills: [newBill("NEW-3", "PTY-000000003")]})
    ).json();
    const together = await (
      await analyst.client.post("/api/score/bills", {
        bills: [newBill("NEW-4", "PTY-000000004"), newBill("NEW-3", "PTY-000000003")]
      })
    ).json();
    expect(together.bills[1].installments).toEqual(alone.bills[0].installments);
  });

  it("refuses bills already in the registry, and bad input field by field, scoring nothing", async () => {
    const clash = await analyst.client.post("/api/score/bills", {bills: [newBill("TB-0000000001", "PTY-000000001")]});
    expect(clash.status).toBe(409);
    const bad = await analyst.client.post("/api/score/bills", {
      bills: [{...newBill("X", "P"), value: -5, kind: "loan", role: "admin"}]
    });
    expect(bad.status).toBe(400);
    const paths = (await bad.json()).fields.map((f: {path: string}) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["bills.0.value", "bills.0.kind", "bills.0"]));
  });

  it("keeps clients out", async () => {
    const client = await signUp(server, "risk-client@example.com");
    expect((await client.client.post("/api/score/bills", {bills: [newBill("NEW-9", "P")]})).status).toBe(403);
  });
});
