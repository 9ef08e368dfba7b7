import {readFile} from "node:fs/promises";
import {afterAll, beforeAll, describe, expect, it, vi} from "vitest";
import {processingRegister} from "../api/processing.js";
import {Client} from "./helpers/http.js";
import {acceptTerms, accountsServer, publish, signUp, signUpAs, type Person} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";

describe("the rights of the data subject", () => {
  let server: TestServer;
  let ana: Person;
  let bia: Person;
  const sql = () => server.runtime.db.sql;
  const exportLink = async (who: Person, format = "json") =>
    (await who.client.post("/api/me/exports", {format})).json();
  beforeAll(async () => {
    server = await accountsServer();
    const admin = await signUpAs(server, "admin", "admin@example.com");
    await publish(admin.client);
    ana = await signUp(server, "ana@example.com", "Ana Silva");
    bia = await signUp(server, "bia@example.com", "Bia Costa");
    await acceptTerms(ana.client);
    await ana.client.request("/api/profile", {method: "PATCH", json: {cpf: "52998224725"}});
  });
  afterAll(() => server?.close());

  it("confirms at once which categories of my data are held, and why", async () => {
    const summary = await (await ana.client.request("/api/me/data")).json();
    expect(summary.confirmation).toBe(true);
    expect(summary.categories[0]).toEqual({category: "identification", items: ["name", "email", "cpf"], count: 3});
    expect(summary.categories.find((c: {category: string}) => c.category === "consent records").count).toBe(2);
    expect(summary.processing.map((p: {id: string}) => p.id)).toContain("identification");
    expect(summary.rights.deletion).toMatch(/DELETE \/api\/me/);
  });

  it("tells me which processing applies to me, following my optional consents", async () => {
    const applies = async () =>
      (await (await ana.client.request("/api/me/processing")).json()).activities
        .filter((a: {applies: boolean}) => a.applies)
        .map((a: {id: string}) => a.id);
    expect(await applies()).not.toContain("newsletter");
    await ana.client.post("/api/consent", {version: 1, decisions: [{item: "newsletter", decision: "accept"}]});
    expect(await applies()).toContain("newsletter");
  });

  it("documents every activity of the register in docs/processing-register.md", async () => {
    const doc = await readFile("docs/processing-register.md", "utf8");
    for (const activity of processingRegister)
      expect(doc, activity.id).toMatch(new RegExp(`\\|\\s*\`${activity.id}\`\\s*\\|`));
  });

  it("exports everything about me as JSON through a link that works once", async () => {
    const link = await exportLink(ana);
    expect(link.url).toMatch(/^\/api\/me\/exports\/[\w-]{40,}$/);
    const response = await ana.client.request(link.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="my-data-.*\.json"/);
    const data = await response.json();
    expect(data.profile).toMatchObject({id: ana.id, email: "ana@example.com", cpf: "52998224725"});
    expect(data.consent.history.length).toBe(3);
    expect(data.profileChanges[0]).toMatchObject({field: "cpf", new: "52998224725"});
    expect(data.auditEntries.map((e: {action: string}) => e.action)).toEqual(
      expect.arrayContaining([
        "account.created",
        "auth.sign_in",
        "consent.changed",
        "profile.updated",
        "export.requested"
      ])
    );
    expect(data.exports[0]).toMatchObject({id: link.id, format: "json"});
    expect(JSON.stringify(data)).not.toContain(bia.id);
    const again = await ana.client.request(link.url);
    expect(again.status).toBe(410);
    expect(await again.json()).toEqual({error: "used"});
  });

  it("exports the same as CSV: one row per field, in a long table any tool can read", async () => {
    const csv = await (await ana.client.request((await exportLink(ana, "csv")).url)).text();
    const lines = csv.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe("dataset,record,field,value");
    expect(lines).toContain("profile,0,cpf,52998224725");
    expect(lines.some((l) => l.startsWith("consent_history,"))).toBe(true);
  });

  it("answers someone else's link as if it did not exist, and logs the attempt", async () => {
    const link = await exportLink(ana);
    const response = await bia.client.request(link.url);
    expect(response.status).toBe(404);
    const [entry] = await sql()`SELECT actor_id, subject_id FROM audit_log WHERE action = 'export.refused'`;
    expect(entry).toEqual({actor_id: bia.id, subject_id: ana.id});
    expect((await new Client(server.url).request(link.url)).status).toBe(401);
    expect((await ana.client.request(link.url)).status).toBe(200);
  });

  it("refuses a link after it expires", async () => {
    const link = await exportLink(ana);
    const later = new Date(Date.parse(link.expiresAt) + 1000);
    const clock = vi.spyOn(server.runtime.clock, "now").mockReturnValue(later);
    try {
      const response = await ana.client.request(link.url);
      expect(response.status).toBe(410);
      expect(await response.json()).toEqual({error: "expired"});
    } finally {
      clock.mockRestore();
    }
  });

  it("logs every export, and lists mine without their links", async () => {
    const exports = (await (await ana.client.request("/api/me/exports")).json()).exports;
    expect(exports).toHaveLength(4);
    expect(JSON.stringify(exports)).not.toMatch(/url|token/);
    const [{requested, downloaded}] = await sql()`SELECT
      count(*) FILTER (WHERE action = 'export.requested')::int AS requested,
      count(*) FILTER (WHERE action = 'export.downloaded')::int AS downloaded
      FROM audit_log WHERE subject_id = ${ana.id}`;
    expect([requested, downloaded]).toEqual([4, 3]);
    expect((await ana.client.post("/api/me/exports", {format: "pdf"})).status).toBe(400);
  });

  it("deletes my account in two steps and signs me out everywhere", async () => {
    const elsewhere = new Client(server.url);
    await elsewhere.signIn("ana@example.com");
    expect((await ana.client.request("/api/me", {method: "DELETE", json: {confirmation: "guess.guess"}})).status).toBe(
      409
    );
    const plan = await (await ana.client.post("/api/me/deletion", {})).json();
    expect(plan.kept.join(" ")).toMatch(/3 consent records/);
    // Someone else's confirmation does not delete me, nor does mine delete them.
    const biaPlan = await (await bia.client.post("/api/me/deletion", {})).json();
    const foreign = {confirmation: biaPlan.confirmation};
    expect((await ana.client.request("/api/me", {method: "DELETE", json: foreign})).status).toBe(409);
    const done = await ana.client.request("/api/me", {method: "DELETE", json: {confirmation: plan.confirmation}});
    expect(done.status).toBe(200);
    expect((await ana.client.request("/api/me/data")).status).toBe(401);
    expect((await elsewhere.request("/api/me/data")).status).toBe(401);
    expect((await new Client(server.url).signIn("ana@example.com")).status).toBe(401);
    const [entry] =
      await sql()`SELECT detail FROM audit_log WHERE action = 'user.anonymized' AND subject_id = ${ana.id}`;
    expect(entry.detail).toEqual({by: "self"});
    expect((await bia.client.request("/api/me/data")).status).toBe(200);
  });
});
