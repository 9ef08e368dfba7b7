import {mkdir, mkdtemp, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createAdministrator} from "../api/users.js";
import {identities} from "./helpers/accounts.js";
import {Client} from "./helpers/http.js";
import {startTestServer, type TestServer} from "./helpers/server.js";

async function fakeSite(): Promise<string> {
  const dist = await mkdtemp(join(tmpdir(), "dist-"));
  await mkdir(join(dist, "_file", "data"), {recursive: true});
  await mkdir(join(dist, "_npm", "d3@7.9.2"), {recursive: true});
  await writeFile(join(dist, "index.html"), "<h1>home</h1>");
  await writeFile(join(dist, "sign-in.html"), "<form>sign in</form>");
  await writeFile(join(dist, "registrations.html"), "<h1>registrations</h1>");
  await writeFile(join(dist, "_file", "data", "registrations.abc.arrow"), "ARROW BYTES");
  await writeFile(join(dist, "_npm", "d3@7.9.2", "abc.js"), "export {}");
  return dist;
}

describe("the API and the site on one origin", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({GRAFENO_DIST: await fakeSite()});
  });
  afterAll(() => server?.close());

  it("reports health: database reachable and migrations current", async () => {
    const response = await fetch(`${server.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({status: "ok", database: "ok", migrations: {pending: []}});
    expect(response.headers.get("x-request-id")).toMatch(/\w{8,}/);
  });

  it("sends anonymous page requests to sign-in, keeping where they were going", async () => {
    const response = await new Client(server.url).request("/registrations?period=2024");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/sign-in?next=%2Fregistrations%3Fperiod%3D2024");
  });

  it("refuses anonymous requests for data files, never sending the bytes", async () => {
    const response = await new Client(server.url).request("/_file/data/registrations.abc.arrow");
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain("ARROW BYTES");
  });

  it("serves the sign-in page and library code without a session", async () => {
    const anonymous = new Client(server.url);
    expect((await anonymous.request("/sign-in")).status).toBe(200);
    expect((await anonymous.request("/_npm/d3@7.9.2/abc.js")).status).toBe(200);
  });

  it("serves pages and data files once signed in, with a content security policy", async () => {
    const client = new Client(server.url);
    expect((await client.signUp("ana@example.com")).status).toBe(200);
    const page = await client.request("/registrations");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("registrations");
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const data = await client.request("/_file/data/registrations.abc.arrow");
    expect(data.status).toBe(200);
    expect(data.headers.get("cache-control")).toContain("immutable");
    expect(await data.text()).toBe("ARROW BYTES");
  });

  it("signs in with email and password and rejects a wrong password", async () => {
    const client = new Client(server.url);
    await client.signUp("bia@example.com");
    const stranger = new Client(server.url);
    expect((await stranger.signIn("bia@example.com", "wrong password!")).status).toBe(401);
    expect((await stranger.request("/registrations")).status).toBe(302);
    expect((await stranger.signIn("bia@example.com")).status).toBe(200);
    expect((await stranger.request("/registrations")).status).toBe(200);
  });

  it("creates the first administrator, who gets the admin role", async () => {
    const admin = await createAdministrator(server.runtime, {
      email: "Root@Example.com",
      name: "Root",
      password: "a long admin password"
    });
    const [row] = await server.runtime.db.sql`SELECT role FROM "user" WHERE id = ${admin.id}`;
    expect(row).toEqual({role: "admin"});
    expect((await identities(server)).find((u) => u.id === admin.id)?.email).toBe("root@example.com");
    const client = new Client(server.url);
    expect((await client.signIn("root@example.com", "a long admin password")).status).toBe(200);
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const response = await fetch(`${server.url}/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({error: "not found"});
  });
});
