import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {Client} from "./helpers/http.js";
import {
  acceptTerms,
  accountsServer,
  count,
  publish,
  signUp,
  signUpAs,
  termsV1,
  type Person
} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";

describe("versioned terms and consent", () => {
  let server: TestServer;
  let admin: Person;
  let ana: Person;
  let bia: Person;
  const sql = () => server.runtime.db.sql;
  beforeAll(async () => {
    server = await accountsServer();
    admin = await signUpAs(server, "admin", "admin@example.com");
    ana = await signUp(server, "ana@example.com");
    bia = await signUp(server, "bia@example.com");
  });
  afterAll(() => server?.close());

  it("has nothing to accept before any version is published", async () => {
    expect((await new Client(server.url).request("/api/terms/current")).status).toBe(404);
    expect(await (await ana.client.request("/api/consent")).json()).toMatchObject({version: null, accepted: true});
  });

  it("refuses malformed terms with a message per field, publishing nothing", async () => {
    const response = await admin.client.post("/api/terms", {
      title: "",
      items: [
        {code: "Bad Code", mandatory: true, title: "x", text: "y"},
        {code: "ok", mandatory: "yes", title: "x", text: "y"}
      ],
      version: 7
    });
    expect(response.status).toBe(400);
    const {error, fields} = await response.json();
    expect(error).toBe("invalid_input");
    expect(Object.keys(fields).sort()).toEqual(["items.0.code", "items.1.mandatory", "title", "version"]);
    const duplicate = await admin.client.post("/api/terms", {...termsV1, items: [termsV1.items[0], termsV1.items[0]]});
    expect((await duplicate.json()).fields.items).toEqual(["item codes must be unique"]);
    expect(await count(sql(), "term_versions")).toBe(0);
  });

  it("publishes version 1, readable by anyone (sign-up shows it)", async () => {
    expect(await publish(admin.client)).toBe(1);
    const current = await (await new Client(server.url).request("/api/terms/current")).json();
    expect(current).toMatchObject({version: 1, title: "Terms of use"});
    expect(current.items.map((i: {code: string}) => i.code)).toEqual([
      "terms-of-use",
      "privacy-policy",
      "newsletter",
      "research"
    ]);
  });

  it("asks a user to accept the mandatory items, and records each acceptance with its proof", async () => {
    expect(await (await ana.client.request("/api/consent")).json()).toMatchObject({version: 1, accepted: false});
    const response = await ana.client.request("/api/consent", {
      method: "POST",
      headers: {"user-agent": "TestBrowser/1.0"},
      json: {
        version: 1,
        channel: "sign-up",
        decisions: [
          {item: "terms-of-use", decision: "accept"},
          {item: "privacy-policy", decision: "accept"}
        ]
      }
    });
    expect(response.status).toBe(200);
    expect((await response.json()).status.accepted).toBe(true);
    const records = await sql()`SELECT * FROM consent_records WHERE user_id = ${ana.id} ORDER BY id`;
    expect(records.map((r) => [r.version, r.item_code, r.decision, r.channel])).toEqual([
      [1, "terms-of-use", "accept", "sign-up"],
      [1, "privacy-policy", "accept", "sign-up"]
    ]);
    expect(records[0].user_agent).toBe("TestBrowser/1.0");
    expect(records[0].ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(records[0].decided_at).toBeInstanceOf(Date);
  });

  it("switches an optional item on and off at any time, one record per change, none for a repeat", async () => {
    const decide = (decision: string) =>
      ana.client.post("/api/consent", {
        version: 1,
        channel: "privacy-center",
        decisions: [{item: "newsletter", decision}]
      });
    expect((await (await decide("accept")).json()).changed).toEqual([{item: "newsletter", decision: "accept"}]);
    expect((await (await decide("accept")).json()).changed).toEqual([]);
    const revoked = await (await decide("revoke")).json();
    expect(revoked.changed).toEqual([{item: "newsletter", decision: "revoke"}]);
    expect(revoked.status.accepted).toBe(true);
    const history = (await (await ana.client.request("/api/consent/history")).json()).records;
    expect(history.map((r: {item: string; decision: string}) => `${r.item}:${r.decision}`)).toEqual([
      "newsletter:revoke",
      "newsletter:accept",
      "privacy-policy:accept",
      "terms-of-use:accept"
    ]);
    const [entry] = await sql()`SELECT detail FROM audit_log WHERE action = 'consent.changed' AND actor_id = ${ana.id}
      ORDER BY id DESC LIMIT 1`;
    expect(entry.detail).toEqual({version: 1, channel: "privacy-center", accepted: [], revoked: ["newsletter"]});
  });

  it("blocks the product again when a mandatory item is revoked", async () => {
    await bia.client.post("/api/consent", {
      version: 1,
      decisions: [
        {item: "privacy-policy", decision: "accept"},
        {item: "terms-of-use", decision: "accept"}
      ]
    });
    await bia.client.post("/api/consent", {version: 1, decisions: [{item: "privacy-policy", decision: "revoke"}]});
    expect(await (await bia.client.request("/api/consent")).json()).toMatchObject({accepted: false});
  });

  it("refuses unknown items, stale versions and foreign fields, writing nothing", async () => {
    const before = await count(sql(), "consent_records");
    const unknown = await ana.client.post("/api/consent", {
      version: 1,
      decisions: [{item: "marketing", decision: "accept"}]
    });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).fields).toEqual({"decisions.0.item": ['no item "marketing" in version 1']});
    const stale = await ana.client.post("/api/consent", {
      version: 9,
      decisions: [{item: "research", decision: "accept"}]
    });
    expect(stale.status).toBe(409);
    const forged = await ana.client.post("/api/consent", {
      version: 1,
      userId: bia.id,
      decisions: [{item: "research", decision: "accept", decidedAt: "2020-01-01"}]
    });
    expect(forged.status).toBe(400);
    expect(Object.keys((await forged.json()).fields).sort()).toEqual(["decisions.0.decidedAt", "userId"]);
    const bad = await ana.client.post("/api/consent", {version: 1, decisions: [{item: "research", decision: "maybe"}]});
    expect(bad.status).toBe(400);
    expect(await count(sql(), "consent_records")).toBe(before);
  });

  it("keeps consent records append-only in the database", async () => {
    await expect(sql()`UPDATE consent_records SET decision = 'accept'`).rejects.toThrow(/append-only/);
    await expect(sql()`DELETE FROM consent_records`).rejects.toThrow(/append-only/);
    await expect(sql()`UPDATE term_items SET text = 'changed'`).rejects.toThrow(/append-only/);
  });

  it("asks everyone again after a new version, which keeps the earlier one readable", async () => {
    expect((await admin.client.post("/api/terms", termsV1)).status).toBe(403); // v1 not accepted by the admin yet
    await acceptTerms(admin.client);
    const v2 = {
      ...termsV1,
      title: "Terms of use, revised",
      items: termsV1.items.map((i) => ({...i, text: `${i.text} (v2)`}))
    };
    expect(await publish(admin.client, v2)).toBe(2);
    const status = await (await ana.client.request("/api/consent")).json();
    expect(status).toMatchObject({version: 2, accepted: false});
    expect(status.items.every((i: {decision: unknown}) => i.decision === null)).toBe(true);
    expect((await (await ana.client.request("/api/terms/1")).json()).items[0].text).toBe(termsV1.items[0].text);
    const list = (await (await ana.client.request("/api/terms")).json()).versions;
    expect(list.map((v: {version: number; current: boolean}) => [v.version, v.current])).toEqual([
      [2, true],
      [1, false]
    ]);
    const notices = (await (await ana.client.request("/api/notifications")).json()).notifications;
    expect(
      notices.some((n: {kind: string; title: string}) => n.kind === "terms" && n.title.includes("version 2"))
    ).toBe(true);
    expect((await acceptTerms(ana.client)).status).toBe(200);
    expect((await (await ana.client.request("/api/consent")).json()).accepted).toBe(true);
  });

  it("lets administrators, and only them, read anyone's consent history", async () => {
    await acceptTerms(admin.client);
    const response = await admin.client.request(`/api/users/${ana.id}/consent`);
    expect(response.status).toBe(200);
    expect((await response.json()).records.length).toBe(6);
    expect((await bia.client.request(`/api/users/${ana.id}/consent`)).status).toBe(403);
  });
});
