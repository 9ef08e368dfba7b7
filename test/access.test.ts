import {request as httpRequest} from "node:http";
import {Hono} from "hono";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {forwardedClient, requireSession, requireTerms, trustedProxies, type SessionEnv} from "../api/access.js";
import {loadConfig} from "../api/config.js";
import {termsAccepted} from "../api/terms.js";
import {Client} from "./helpers/http.js";
import {
  acceptTerms,
  accountsServer,
  count,
  foreignRequest,
  publish,
  signUp,
  signUpAs,
  userIdByEmail,
  type Person
} from "./helpers/accounts.js";
import {startTestServer, type TestServer} from "./helpers/server.js";

describe("who may call what", () => {
  let server: TestServer;
  let admin: Person;
  let analyst: Person;
  let client: Person;
  beforeAll(async () => {
    server = await accountsServer();
    admin = await signUpAs(server, "admin", "admin@example.com");
    analyst = await signUpAs(server, "analyst", "analyst@example.com");
    client = await signUp(server, "client@example.com");
  });
  afterAll(() => server?.close());

  it("answers 401 to anonymous requests for personal data", async () => {
    const anonymous = new Client(server.url);
    for (const path of [
      "/api/profile",
      "/api/me/data",
      "/api/consent",
      "/api/notifications",
      "/api/users",
      "/api/audit"
    ]) {
      expect((await anonymous.request(path)).status, path).toBe(401);
    }
  });

  it("answers 403 when a client or an analyst calls an administrator route", async () => {
    for (const person of [client, analyst]) {
      expect((await person.client.request("/api/users")).status).toBe(403);
      expect((await person.client.request(`/api/users/${admin.id}`)).status).toBe(403);
      expect((await person.client.request("/api/audit/verify")).status).toBe(403);
      expect((await person.client.post("/api/terms", {title: "mine", items: []})).status).toBe(403);
      const promote = await person.client.request(`/api/users/${person.id}`, {method: "PATCH", json: {role: "admin"}});
      expect(promote.status).toBe(403);
    }
    const [{role}] = await server.runtime.db.sql`SELECT role FROM "user" WHERE id = ${client.id}`;
    expect(role).toBe("client");
    expect((await admin.client.request("/api/users")).status).toBe(200);
  });

  it("refuses a state change carrying a session cookie from a foreign Origin, writing nothing", async () => {
    const before = await count(server.runtime.db.sql, "profile_changes");
    const response = await foreignRequest(server, "/api/profile", client.cookie, {
      method: "PATCH",
      body: JSON.stringify({name: "Pwned"})
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({error: "foreign_origin"});
    expect(await count(server.runtime.db.sql, "profile_changes")).toBe(before);
    const signOut = await foreignRequest(server, "/api/auth/sign-out", client.cookie, {method: "POST", body: "{}"});
    expect(signOut.status).toBe(403);
    expect((await client.client.request("/api/profile")).status).toBe(200);
  });

  it("treats a cross-site fetch without an Origin header as foreign too", async () => {
    const response = await fetch(`${server.url}/api/me/exports`, {
      method: "POST",
      headers: {cookie: client.cookie, "sec-fetch-site": "cross-site", "content-type": "application/json"},
      body: JSON.stringify({format: "json"})
    });
    expect(response.status).toBe(403);
  });

  it("refuses a body over 1 MB before reading it all (resource consumption)", async () => {
    // On a connection of its own, since the server answers before the upload ends.
    const status = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({name: "x".repeat(2_000_000)});
      const request = httpRequest(`${server.url}/api/profile`, {
        method: "PATCH",
        agent: false,
        headers: {
          cookie: client.cookie,
          origin: server.url,
          "content-type": "application/json",
          "content-length": body.length
        }
      });
      request.on("response", (response) => {
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on("error", reject);
      // The declared length is enough for the refusal; the rest of the body is never sent.
      request.write(body.slice(0, 1024));
    });
    expect(status).toBe(413);
  });

  it("refuses a role sent at sign-up (mass assignment through better-auth), creating nobody", async () => {
    const sneaky = new Client(server.url);
    const response = await sneaky.post("/api/auth/sign-up/email", {
      email: "sneaky@example.com",
      password: "correct horse battery",
      name: "Sneaky",
      role: "admin"
    });
    expect(response.status).toBe(400);
    expect(await userIdByEmail(server, "sneaky@example.com")).toBeUndefined();
  });

  it("closes better-auth endpoints that would bypass the change log, the audit or anonymization", async () => {
    expect((await client.client.post("/api/auth/update-user", {name: "Quiet change"})).status).toBe(404);
    expect((await client.client.post("/api/auth/delete-user", {})).status).toBe(404);
    expect((await admin.client.post("/api/auth/admin/set-role", {userId: client.id, role: "admin"})).status).toBe(404);
    expect((await admin.client.post("/api/auth/admin/remove-user", {userId: client.id})).status).toBe(404);
  });

  it("sets the session cookie httpOnly and SameSite=Lax", async () => {
    const response = await new Client(server.url).signIn("client@example.com");
    const cookie = response.headers.getSetCookie().find((c) => c.includes("session_token"))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it("audits each sign-in and keeps only a keyed hash of the address in the session table", async () => {
    const sql = server.runtime.db.sql;
    const [entry] = await sql`SELECT detail FROM audit_log WHERE action = 'auth.sign_in' AND actor_id = ${client.id}
      ORDER BY id DESC LIMIT 1`;
    expect(entry.detail.ipHash).toMatch(/^[0-9a-f]{64}$/);
    const sessions = await sql`SELECT "ipAddress" FROM session WHERE "userId" = ${client.id}`;
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) expect(s.ipAddress).toMatch(/^[0-9a-f]{64}$/);
  });

  it("audits signing out, signing out everywhere, and the admin plugin's remaining acts (ban)", async () => {
    const temp = await signUp(server, "temp@example.com");
    expect((await temp.client.post("/api/auth/revoke-sessions", {})).status).toBe(200);
    await temp.client.signIn("temp@example.com");
    expect((await temp.client.post("/api/auth/sign-out", {})).status).toBe(200);
    const ban = await admin.client.post("/api/auth/admin/ban-user", {userId: temp.id, banReason: "test"});
    expect(ban.status).toBe(200);
    const rows = await server.runtime.db.sql`SELECT action, actor_id FROM audit_log
      WHERE subject_id = ${temp.id} AND action IN ('auth.revoke_sessions', 'auth.sign_out', 'admin.ban-user')
      ORDER BY id`;
    expect(rows).toEqual([
      {action: "auth.revoke_sessions", actor_id: temp.id},
      {action: "auth.sign_out", actor_id: temp.id},
      {action: "admin.ban-user", actor_id: admin.id}
    ]);
  });

  it("asks for the current terms before product routes, and exports termsAccepted for the site", async () => {
    await publish(admin.client);
    const sql = server.runtime.db.sql;
    expect(await termsAccepted(sql, admin.id)).toBe(false);
    const blocked = await admin.client.request("/api/users");
    expect(blocked.status).toBe(403);
    expect(await blocked.json()).toEqual({error: "terms_required", version: 1});
    // The rights of the data subject stay open meanwhile.
    expect((await admin.client.request("/api/me/data")).status).toBe(200);
    expect((await acceptTerms(admin.client)).status).toBe(200);
    expect(await termsAccepted(sql, admin.id)).toBe(true);
    expect((await admin.client.request("/api/users")).status).toBe(200);

    // Any product route gets the same gate by stacking the two middlewares.
    const product = new Hono<SessionEnv>()
      .use(requireSession(server.runtime.auth), requireTerms(sql))
      .get("/", (c) => c.json({score: 0.42}));
    expect((await product.request("/", {headers: {cookie: client.cookie}})).status).toBe(403);
    await acceptTerms(client.client);
    expect((await product.request("/", {headers: {cookie: client.cookie}})).status).toBe(200);
  });
});

describe("the sign-in rate limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({SIGN_IN_RATE_LIMIT: "3/60"});
    await new Client(server.url).signUp("target@example.com");
  });
  afterAll(() => server?.close());

  it("answers 429 after too many attempts from one address, even with the right password", async () => {
    const attacker = new Client(server.url);
    for (let i = 0; i < 3; i++)
      expect((await attacker.signIn("target@example.com", `guess number ${i}!`)).status).toBe(401);
    const blocked = await attacker.signIn("target@example.com");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("x-retry-after"))).toBeGreaterThan(0);
  });

  it("cannot be dodged with a forged X-Forwarded-For", async () => {
    const response = await new Client(server.url).request("/api/auth/sign-in/email", {
      method: "POST",
      headers: {"x-forwarded-for": "203.0.113.9", "x-grafeno-client-ip": "203.0.113.10"},
      json: {email: "target@example.com", password: "another guess!"}
    });
    expect(response.status).toBe(429);
  });

  it("records failed sign-ins in the audit log by a keyed hash of the email", async () => {
    const rows = await server.runtime.db.sql`SELECT detail FROM audit_log WHERE action = 'auth.sign_in_failed'`;
    expect(rows).toHaveLength(3);
    expect(JSON.stringify(rows)).not.toContain("target@example.com");
  });
});

describe("the client address behind a reverse proxy (TRUST_PROXY)", () => {
  const trusted = trustedProxies(["10.0.0.5", "172.16.0.0/12", "fd00::/8"]);

  it("believes X-Forwarded-For only from a trusted proxy, taking the rightmost hop it does not trust", () => {
    expect(forwardedClient("10.0.0.5", "203.0.113.9", trusted)).toBe("203.0.113.9");
    expect(forwardedClient("::ffff:10.0.0.5", "203.0.113.9", trusted)).toBe("203.0.113.9");
    // The client wrote the first hop itself; our proxies appended the others.
    expect(forwardedClient("10.0.0.5", "198.51.100.1, 203.0.113.9, 172.20.1.1", trusted)).toBe("203.0.113.9");
    expect(forwardedClient("fd00::1", "2001:db8::7", trusted)).toBe("2001:db8::7");
    expect(forwardedClient("203.0.113.50", "198.51.100.1", trusted)).toBe("203.0.113.50");
    expect(forwardedClient("10.0.0.6", "198.51.100.1", trusted)).toBe("10.0.0.6");
  });

  it("stops at the last address a proxy vouched for when a hop is missing or malformed", () => {
    expect(forwardedClient("10.0.0.5", undefined, trusted)).toBe("10.0.0.5");
    expect(forwardedClient("10.0.0.5", "203.0.113.9, not-an-ip", trusted)).toBe("10.0.0.5");
    expect(forwardedClient("10.0.0.5", "not-an-ip, 172.16.0.9", trusted)).toBe("172.16.0.9");
  });

  it("takes addresses and CIDR ranges from the environment, and refuses anything else", () => {
    expect(loadConfig({}).TRUST_PROXY).toEqual([]);
    expect(loadConfig({TRUST_PROXY: " 10.0.0.5, 172.16.0.0/12 ,fd00::/8"}).TRUST_PROXY).toEqual([
      "10.0.0.5",
      "172.16.0.0/12",
      "fd00::/8"
    ]);
    for (const bad of ["proxy.internal", "10.0.0.0/33", "10.0.0.1/8/1", "*"])
      expect(() => loadConfig({TRUST_PROXY: bad}), bad).toThrow(/TRUST_PROXY\S*: must be IP addresses or CIDR ranges/);
  });

  describe("through the product, with the test client as the proxy", () => {
    let server: TestServer;
    const attempt = (forwardedFor: string, password = "a wrong guess!") =>
      new Client(server.url).request("/api/auth/sign-in/email", {
        method: "POST",
        headers: {"x-forwarded-for": forwardedFor},
        json: {email: "target@example.com", password}
      });
    beforeAll(async () => {
      server = await startTestServer({SIGN_IN_RATE_LIMIT: "3/60", TRUST_PROXY: "127.0.0.1"});
      await new Client(server.url).signUp("target@example.com");
    });
    afterAll(() => server?.close());

    it("limits each forwarded client on its own, and a prepended address does not dodge the limit", async () => {
      for (let i = 0; i < 3; i++) expect((await attempt("203.0.113.9")).status).toBe(401);
      expect((await attempt("203.0.113.9")).status).toBe(429);
      expect((await attempt("198.51.100.1, 203.0.113.9")).status).toBe(429);
      expect((await attempt("203.0.113.10", "correct horse battery")).status).toBe(200);
    });

    it("keys each session's hashed address to the forwarded client (the proxy's own when none is forwarded)", async () => {
      const {keys, db} = server.runtime;
      const rows = await db.sql<{ipAddress: string}[]>`SELECT "ipAddress" FROM session ORDER BY "createdAt"`;
      // The sign-up came without the header, the successful sign-in through the proxy for 203.0.113.10.
      expect(rows.map((r) => r.ipAddress)).toEqual([keys.hash("ip", "127.0.0.1"), keys.hash("ip", "203.0.113.10")]);
    });
  });
});
