// The terms gate on the site: product pages and their data wait until the current terms' mandatory items are
// accepted; the terms, privacy and profile pages never do. And table exports from pages land in the audit log.
import {mkdir, mkdtemp, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {isTermsExempt} from "../api/site.js";
import {acceptTerms, accountsServer, publish, signUp, signUpAs, type Person} from "./helpers/accounts.js";
import {Client} from "./helpers/http.js";
import type {TestServer} from "./helpers/server.js";

async function fakeSite(): Promise<string> {
  const dist = await mkdtemp(join(tmpdir(), "dist-"));
  await mkdir(join(dist, "_file", "data"), {recursive: true});
  await mkdir(join(dist, "admin"), {recursive: true});
  for (const page of ["index", "sign-in", "sign-up", "terms", "privacy", "profile", "registrations", "admin/audit"]) {
    await writeFile(join(dist, `${page}.html`), `<h1>${page}</h1>`);
  }
  await writeFile(join(dist, "_file", "data", "registrations.abc.arrow"), "ARROW BYTES");
  return dist;
}

describe("the terms gate", () => {
  let server: TestServer;
  let admin: Person;
  let ana: Person;
  const status = async (who: Person | Client, path: string) => {
    const response = await ("client" in who ? who.client : who).request(path);
    return [response.status, response.headers.get("location")];
  };
  beforeAll(async () => {
    server = await accountsServer({GRAFENO_DIST: await fakeSite()});
    admin = await signUpAs(server, "admin", "admin@example.com");
    ana = await signUp(server, "ana@example.com");
  });
  afterAll(() => server?.close());

  it("lets everyone in while no terms are published", async () => {
    expect(await status(ana, "/registrations")).toEqual([200, null]);
    expect(await status(ana, "/_file/data/registrations.abc.arrow")).toEqual([200, null]);
  });

  it("sends a signed-in person who has not accepted the current terms to /terms, keeping where they were going", async () => {
    await publish(admin.client);
    expect(await status(ana, "/registrations?period=2024")).toEqual([
      302,
      "/terms?next=%2Fregistrations%3Fperiod%3D2024"
    ]);
    expect(await status(ana, "/")).toEqual([302, "/terms?next=%2F"]);
    expect(await status(ana, "/admin/audit")).toEqual([302, "/terms?next=%2Fadmin%2Faudit"]);
    const data = await ana.client.request("/_file/data/registrations.abc.arrow");
    expect(data.status).toBe(403);
    expect(await data.text()).not.toContain("ARROW BYTES");
  });

  it("keeps the terms, privacy and profile pages, the public pages and sign-out reachable", async () => {
    for (const path of ["/terms", "/privacy", "/profile", "/sign-in", "/sign-up"]) {
      expect(await status(ana, path), path).toEqual([200, null]);
    }
    expect((await ana.client.request("/api/consent")).status).toBe(200);
    const temp = await signUp(server, "temp@example.com");
    expect((await temp.client.post("/api/auth/sign-out", {})).status).toBe(200);
  });

  it("still sends anonymous visitors to sign-in first, terms page included", async () => {
    expect(await status(new Client(server.url), "/terms")).toEqual([302, "/sign-in?next=%2Fterms"]);
  });

  it("opens the product once the mandatory items are accepted, and closes it when one is revoked", async () => {
    expect((await acceptTerms(ana.client)).status).toBe(200);
    expect(await status(ana, "/registrations")).toEqual([200, null]);
    expect(await status(ana, "/_file/data/registrations.abc.arrow")).toEqual([200, null]);
    await ana.client.post("/api/consent", {version: 1, decisions: [{item: "privacy-policy", decision: "revoke"}]});
    expect(await status(ana, "/registrations")).toEqual([302, "/terms?next=%2Fregistrations"]);
    await acceptTerms(ana.client);
  });

  it("asks again after a new version is published, administrators too", async () => {
    await acceptTerms(admin.client);
    expect(await status(admin, "/admin/audit")).toEqual([200, null]);
    await publish(admin.client, {
      title: "Terms of use, v2",
      items: [{code: "terms-of-use", mandatory: true, title: "Terms of use", text: "Changed."}]
    });
    expect(await status(ana, "/registrations")).toEqual([302, "/terms?next=%2Fregistrations"]);
    expect(await status(admin, "/admin/audit")).toEqual([302, "/terms?next=%2Fadmin%2Faudit"]);
    await acceptTerms(ana.client);
    await acceptTerms(admin.client);
    expect(await status(ana, "/registrations")).toEqual([200, null]);
  });

  it("treats /terms, /privacy and /profile as exempt in any spelling, and nothing else", () => {
    for (const path of ["/terms", "/terms/", "/terms.html", "/privacy", "/profile.html"])
      expect(isTermsExempt(path)).toBe(true);
    for (const path of ["/", "/rfm", "/terms-x", "/admin/terms", "/_file/terms"])
      expect(isTermsExempt(path)).toBe(false);
  });

  it("writes an audit entry for every table exported from a page", async () => {
    const table = {
      name: "rfm-participants",
      columns: [{key: "name", header: "Name", type: "string"}],
      rows: [{name: "A"}, {name: "B"}]
    };
    expect((await ana.client.post("/api/exports/csv", table)).status).toBe(200);
    expect((await ana.client.post("/api/exports/xlsx", table)).status).toBe(200);
    const entries = await server.runtime.db.sql`SELECT actor_id, detail FROM audit_log
      WHERE action = 'table.exported' ORDER BY id`;
    expect(entries.map((e) => [e.actor_id, e.detail])).toEqual([
      [ana.id, {format: "csv", name: "rfm-participants", rows: 2}],
      [ana.id, {format: "xlsx", name: "rfm-participants", rows: 2}]
    ]);
  });
});
