import {mkdtemp, readFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {saveModel} from "../loaders/model-store.js";
import {fitRetention} from "../loaders/retention.js";
import {trainSegmentation} from "../loaders/segmentation-model.js";
import {accountsServer, count, signUp, signUpAs, type Person} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";

const cdnow = join("..", "shared", "reference", "cdnow", "CDNOW_sample.txt");
const day = (yyyymmdd: string) => Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8));
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("the scoring API", () => {
  let server: TestServer;
  let analyst: Person;
  let admin: Person;
  let client: Person;
  const events: {customer: string; date: number; amount: number}[] = [];
  const observationDate = Date.UTC(1998, 5, 30);
  let upload: {customer: string; date: string; amount: number}[] = [];

  beforeAll(async () => {
    for (const line of (await readFile(cdnow, "utf8")).trim().split("\n")) {
      const [, id, date, , amount] = line.trim().split(/\s+/);
      events.push({customer: id, date: day(date), amount: Number(amount)});
    }
    upload = events.slice(0, 300).map((e) => ({customer: e.customer, date: iso(e.date), amount: e.amount}));
    const dir = await mkdtemp(join(tmpdir(), "models-"));
    const {model} = trainSegmentation(events, {entity: "payer", observationDate: Date.UTC(1998, 2, 31), bootstraps: 3});
    await saveModel("segmentation-payer", model, dir);
    await saveModel("retention-payer", fitRetention(events, {entity: "payer", observationDate}), dir);
    process.env.GRAFENO_MODEL_DIR = dir;
    server = await accountsServer();
    delete process.env.GRAFENO_MODEL_DIR;
    analyst = await signUpAs(server, "analyst", "analyst@example.com");
    admin = await signUpAs(server, "admin", "admin@example.com");
    client = await signUp(server, "client@example.com");
  }, 120_000);
  afterAll(() => server?.close());

  it("scores uploaded transactions per customer, naming both model versions", async () => {
    const response = await analyst.client.post("/api/score/customers?entity=payer", {
      observationDate: "1998-06-30",
      transactions: upload
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const body = await response.json();
    expect(body.modelVersions.segmentation).toMatch(/^segmentation-payer-/);
    expect(body.modelVersions.retention).toMatch(/^retention-payer-/);
    expect(body.customers.length).toBe(new Set(upload.map((t) => t.customer)).size);
    const first = body.customers[0];
    const theirs = upload.filter((t) => t.customer === first.customer);
    expect(first.frequency).toBe(theirs.length);
    expect(first.monetary).toBeCloseTo(
      theirs.reduce((s, t) => s + t.amount, 0),
      2
    );
    for (const c of body.customers) {
      expect(c.r).toBeGreaterThanOrEqual(1);
      expect(c.r).toBeLessThanOrEqual(5);
      expect(c.pAlive).toBeGreaterThanOrEqual(0);
      expect(c.pAlive).toBeLessThanOrEqual(1);
      expect(typeof c.segment).toBe("string");
    }
  });

  it("reads a semicolon CSV with Brazilian dates and decimal commas exactly as the JSON", async () => {
    const csv = [
      "customer;date;amount",
      ...upload.map(
        (t) => `${t.customer};${t.date.split("-").reverse().join("/")};${String(t.amount).replace(".", ",")}`
      )
    ].join("\n");
    const viaCsv = await analyst.client.request("/api/score/customers?entity=payer&observationDate=1998-06-30", {
      method: "POST",
      body: csv,
      headers: {"content-type": "text/csv"}
    });
    const viaJson = await analyst.client.post("/api/score/customers?entity=payer", {
      observationDate: "1998-06-30",
      transactions: upload
    });
    expect(viaCsv.status).toBe(200);
    expect(await viaCsv.json()).toEqual(await viaJson.json());
  });

  it("answers CSV when asked, with the model version in every row", async () => {
    const response = await analyst.client.request("/api/score/customers?entity=payer", {
      method: "POST",
      body: JSON.stringify({transactions: upload}),
      headers: {"content-type": "application/json", accept: "text/csv"}
    });
    const lines = (await response.text()).trim().split("\r\n");
    expect(lines[0]).toContain("customer,recency,frequency");
    expect(lines[1]).toMatch(/segmentation-payer-\w+,retention-payer-\w+$/);
  });

  it("refuses a file with bad rows, naming each row, column and reason, and scores nothing", async () => {
    const audited = await count(server.runtime.db.sql, "audit_log");
    const csv = "customer,date,amount\n0001,1997-01-01,10.5\n,1997-01-02,3\n0002,31/02/1997,4\n0003,1997-01-03,-2\n";
    const response = await analyst.client.request("/api/score/customers?entity=payer", {
      method: "POST",
      body: csv,
      headers: {"content-type": "text/csv"}
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toBe("invalid_rows");
    expect(body.rows).toEqual([
      {row: 3, column: "customer", value: "", reason: "empty customer id"},
      {row: 4, column: "date", value: "31/02/1997", reason: "not a date (expected YYYY-MM-DD or dd/mm/yyyy)"},
      {row: 5, column: "amount", value: "-2", reason: "must not be negative"}
    ]);
    expect(await count(server.runtime.db.sql, "audit_log")).toBe(audited);
  });

  it("names a header that lacks a column", async () => {
    const response = await analyst.client.request("/api/score/customers", {
      method: "POST",
      body: "client,when,value\n1,2,3\n",
      headers: {"content-type": "text/csv"}
    });
    expect(response.status).toBe(400);
    expect((await response.json()).rows[0].reason).toBe(
      "header lacks customer, date, amount (expected customer,date,amount)"
    );
  });

  it("answers 413 beyond the row limit and beyond the size limit", async () => {
    const many = "customer,date,amount\n" + "1,1997-01-01,1\n".repeat(200_001);
    const tooMany = await analyst.client.request("/api/score/customers", {
      method: "POST",
      body: many,
      headers: {"content-type": "text/csv"}
    });
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json()).error).toBe("too_many_rows");
    const huge = await analyst.client.request("/api/score/customers", {
      method: "POST",
      body: "x".repeat(11 * 1024 * 1024),
      headers: {"content-type": "text/csv"}
    });
    expect(huge.status).toBe(413);
  });

  it("lets analysts, administrators and API keys in, and keeps clients and strangers out", async () => {
    const body = {transactions: upload.slice(0, 20)};
    expect((await client.client.post("/api/score/customers?entity=payer", body)).status).toBe(403);
    expect(
      (
        await fetch(`${server.url}/api/score/customers`, {
          method: "POST",
          body: JSON.stringify(body),
          headers: {"content-type": "application/json"}
        })
      ).status
    ).toBe(401);
    expect((await admin.client.post("/api/score/customers?entity=payer", body)).status).toBe(200);
    expect((await analyst.client.post("/api/api-keys", {name: "ERP"})).status).toBe(403);
    const created = await admin.client.post("/api/api-keys", {name: "ERP integration"});
    expect(created.status).toBe(201);
    const {key, id} = await created.json();
    const withKey = (k: string) =>
      fetch(`${server.url}/api/score/customers?entity=payer`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: {"content-type": "application/json", authorization: `Bearer ${k}`}
      });
    expect((await withKey(key)).status).toBe(200);
    expect((await withKey(`${key.slice(0, -2)}xx`)).status).toBe(401);
    expect((await admin.client.request(`/api/api-keys/${id}`, {method: "DELETE"})).status).toBe(200);
    expect((await withKey(key)).status).toBe(401);
    const [row] = await server.runtime.db.sql`SELECT key_hash FROM api_key WHERE id = ${id}`;
    expect(row.key_hash).not.toContain(key.slice(3, 20));
  });

  it("is described in the OpenAPI document, with its limits and both ways to authenticate", async () => {
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json();
    for (const path of [
      "/score/customers",
      "/score/bills",
      "/api-keys",
      "/api-keys/{id}",
      "/metrics",
      "/datasets/{name}/{table}"
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(doc.paths["/score/customers"].post.summary).toContain("200000 rows");
    expect(doc.paths["/score/customers"].post.security).toEqual([{session: []}, {apiKey: []}]);
    expect(Object.keys(doc.paths["/score/customers"].post.requestBody.content)).toEqual([
      "application/json",
      "text/csv"
    ]);
  });

  it("records every scoring call in the audit log and in the Prometheus metrics", async () => {
    const [{n}] = await server.runtime.db.sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'model.scored'`;
    expect(n).toBeGreaterThanOrEqual(4);
    expect((await analyst.client.request("/api/metrics")).status).toBe(403);
    const metrics = await (await admin.client.request("/api/metrics")).text();
    expect(metrics).toMatch(/grafeno_scoring_requests_total\{endpoint="customers",status="200"\} \d+/);
    expect(metrics).toMatch(/grafeno_scoring_requests_total\{endpoint="customers",status="400"\} [1-9]/);
    expect(metrics).toMatch(/grafeno_scoring_duration_seconds_bucket\{endpoint="customers",le="\+Inf"\} \d+/);
  });
});
