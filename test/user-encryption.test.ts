import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {loadConfig} from "../api/config.js";
import {createKeyRing, keyMaterialFromEnv} from "../api/crypto.js";
import {createLogger} from "../api/logger.js";
import {openRuntime} from "../api/server.js";
import {ciphertextsByKey, encryptPlainUsers, openIdentity, rotateKeys, type StoredIdentity} from "../api/pii.js";
import {
  acceptTerms,
  accountsServer,
  identities,
  linkIn,
  mailText,
  outbox,
  publish,
  signUp,
  signUpAs,
  userIdByEmail,
  type Person
} from "./helpers/accounts.js";
import {Client} from "./helpers/http.js";
import type {TestServer} from "./helpers/server.js";

type StoredUser = StoredIdentity & {id: string};

async function storedUser(server: TestServer, id: string): Promise<StoredUser> {
  const [row] = await server.runtime.db.sql<StoredUser[]>`
    SELECT id, email, email_enc, name, name_enc FROM "user" WHERE id = ${id}`;
  return row;
}

/** The whole row as text, every column, so a clear value anywhere in it shows. */
async function rowText(server: TestServer, id: string): Promise<string> {
  const [{line}] = await server.runtime.db.sql<{line: string}[]>`
    SELECT row_to_json(u)::text AS line FROM "user" u WHERE id = ${id}`;
  return line.toLowerCase();
}

describe("names and addresses in better-auth's user table, encrypted at rest", () => {
  let server: TestServer;
  let admin: Person;
  let helena: Person;
  beforeAll(async () => {
    server = await accountsServer();
    admin = await signUpAs(server, "admin", "admin@example.com");
    await publish(admin.client);
    await acceptTerms(admin.client);
    helena = await signUp(server, "Helena.Prado@Example.com", "Helena Prado");
    await acceptTerms(helena.client);
  });
  afterAll(() => server?.close());

  it("stores a sign-up's email as a keyed hash and the address and name encrypted, nothing in clear", async () => {
    const row = await storedUser(server, helena.id);
    expect(row.email).toBe(server.runtime.keys.hash("email", "helena.prado@example.com"));
    expect(row.name).toBe("");
    expect(row.email_enc).toMatch(/^t1:[\w-]+$/);
    expect(row.name_enc).toMatch(/^t1:[\w-]+$/);
    const text = await rowText(server, helena.id);
    for (const clear of ["helena", "prado", "example.com"]) expect(text).not.toContain(clear);
    expect(openIdentity(server.runtime.keys, helena.id, row)).toEqual({
      email: "helena.prado@example.com",
      name: "Helena Prado"
    });
  });

  it("signs in by address in any case, and refuses a second account with the same address", async () => {
    expect((await new Client(server.url).signIn("HELENA.PRADO@example.com")).status).toBe(200);
    expect((await new Client(server.url).signIn("helena.prado@example.com", "wrong password!")).status).toBe(401);
    const again = await new Client(server.url).signUp("helena.prado@EXAMPLE.com", "another password 1", "Other");
    expect(again.status).toBe(422);
    expect((await identities(server)).filter((u) => u.email === "helena.prado@example.com")).toHaveLength(1);
  });

  it("sends the password-reset link to the real address, and the reset works", async () => {
    const before = (await outbox(server)).length;
    const stranger = new Client(server.url);
    const asked = await stranger.post("/api/auth/request-password-reset", {
      email: "helena.prado@example.com",
      redirectTo: "/reset-password"
    });
    expect(asked.status).toBe(200);
    const [mail] = (await outbox(server)).slice(before);
    expect(mail).toMatch(/^To: helena\.prado@example\.com$/m);
    expect(mailText(mail)).toContain("reset the password");
    const callback = await fetch(linkIn(mail), {redirect: "manual"});
    const token = new URL(callback.headers.get("location")!, server.url).searchParams.get("token")!;
    const reset = await stranger.post("/api/auth/reset-password", {token, newPassword: "a brand new password"});
    expect(reset.status).toBe(200);
    // The reset signed Helena out everywhere; she signs in again with the new password.
    expect((await helena.client.signIn("helena.prado@example.com", "a brand new password")).status).toBe(200);
  });

  it("shows the real name and address to administrators: list, search by part of either, pages", async () => {
    await signUp(server, "igor@example.net", "Igor Prado");
    await signUp(server, "julia@example.net", "Júlia Prado");
    const list = async (query: string) => (await admin.client.request(`/api/users?${query}`)).json();
    const all = await list("pageSize=100");
    expect(all.users.find((u: {id: string}) => u.id === helena.id)).toMatchObject({
      name: "Helena Prado",
      email: "helena.prado@example.com"
    });
    expect((await list("q=PRADO")).total).toBe(3);
    expect((await list("q=example.net")).users.map((u: {name: string}) => u.name).sort()).toEqual([
      "Igor Prado",
      "Júlia Prado"
    ]);
    expect((await list("q=helena.prado@example.com")).users.map((u: {id: string}) => u.id)).toEqual([helena.id]);
    const pages = [await list("q=prado&pageSize=2&page=1"), await list("q=prado&pageSize=2&page=2")];
    expect(pages.map((p) => p.total)).toEqual([3, 3]);
    expect(pages.map((p) => p.users.length)).toEqual([2, 1]);
    const seen = pages.flatMap((p) => p.users.map((u: {name: string}) => u.name)).sort();
    expect(seen).toEqual(["Helena Prado", "Igor Prado", "Júlia Prado"]);
    expect((await list("q=prado&role=admin")).total).toBe(0);
  });

  it("shows me my own name and address, in my profile and in my data export", async () => {
    const profile = await (await helena.client.request("/api/profile")).json();
    expect(profile).toMatchObject({name: "Helena Prado", email: "helena.prado@example.com"});
    const link = await (await helena.client.post("/api/me/exports", {format: "json"})).json();
    const data = await (await helena.client.request(link.url)).json();
    expect(data.profile).toMatchObject({id: helena.id, name: "Helena Prado", email: "helena.prado@example.com"});
  });

  it("keeps a corrected name and address encrypted; the new address signs in, the old one no longer", async () => {
    const response = await helena.client.request("/api/profile", {
      method: "PATCH",
      json: {name: "Helena Prado Lima", email: "helena.lima@example.org"}
    });
    expect(response.status).toBe(200);
    const text = await rowText(server, helena.id);
    for (const clear of ["helena", "lima", "example.org"]) expect(text).not.toContain(clear);
    expect(await userIdByEmail(server, "Helena.Lima@example.org")).toBe(helena.id);
    expect(await userIdByEmail(server, "helena.prado@example.com")).toBeUndefined();
    expect((await new Client(server.url).signIn("helena.lima@example.org", "a brand new password")).status).toBe(200);
    expect((await new Client(server.url).signIn("helena.prado@example.com", "a brand new password")).status).toBe(401);
    const changes = (await (await helena.client.request("/api/profile/changes")).json()).changes;
    expect(changes.find((c: {field: string}) => c.field === "email")).toMatchObject({
      old: "helena.prado@example.com",
      new: "helena.lima@example.org"
    });
  });

  it("refuses to filter or sort users by name through better-auth: encrypted, it would match nothing", async () => {
    const {adapter} = await server.runtime.auth.$context;
    await expect(
      adapter.findMany({model: "user", where: [{field: "name", operator: "contains", value: "Prado"}]})
    ).rejects.toThrow(/encrypted/);
    await expect(
      adapter.findMany({model: "user", where: [{field: "email", operator: "starts_with", value: "helena"}]})
    ).rejects.toThrow(/keyed hash/);
    await expect(adapter.findMany({model: "user", sortBy: {field: "name", direction: "asc"}})).rejects.toThrow(
      /encrypted/
    );
  });
});

describe("users stored before the encryption, and key rotation", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await accountsServer();
  });
  afterAll(() => server?.close());

  it("encrypts users still stored in clear (as the server does at start), after which they sign in", async () => {
    const {sql} = server.runtime.db;
    const keys = server.runtime.keys;
    const kim = await signUp(server, "kim@example.com", "Kim Old");
    // As the row was before migration 0400.
    await sql`UPDATE "user" SET email = 'kim@example.com', email_enc = NULL, name = 'Kim Old', name_enc = NULL
      WHERE id = ${kim.id}`;
    expect((await new Client(server.url).signIn("kim@example.com")).status).toBe(401);

    expect(await encryptPlainUsers(sql, keys)).toBe(1);
    expect(await encryptPlainUsers(sql, keys)).toBe(0);
    const text = await rowText(server, kim.id);
    for (const clear of ["kim", "example.com"]) expect(text).not.toContain(clear);
    expect(openIdentity(keys, kim.id, await storedUser(server, kim.id))).toEqual({
      email: "kim@example.com",
      name: "Kim Old"
    });
    expect((await new Client(server.url).signIn("kim@example.com")).status).toBe(200);
  });

  it("does it when the server starts: an embedded database reopened", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "grafeno-plain-users-"));
    // The embedded default, whatever this run's DATABASE_URL; the test server's keys.
    const config = loadConfig({
      GRAFENO_DATA_DIR: dataDir,
      BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
      PII_KEYS: server.runtime.config.PII_KEYS,
      PII_HASH_KEY: server.runtime.config.PII_HASH_KEY
    });
    const logger = createLogger("silent");
    try {
      const first = await openRuntime(config, logger);
      await first.db
        .sql`INSERT INTO "user" (id, name, email, "emailVerified") VALUES ('old', 'Olga', 'olga@example.com', false)`;
      await first.db.close();
      const second = await openRuntime(config, logger);
      const [row] = await second.db.sql<StoredUser[]>`SELECT id, email, email_enc, name, name_enc FROM "user"`;
      await second.db.close();
      expect(row).toMatchObject({email: second.keys.hash("email", "olga@example.com"), name: ""});
      expect(openIdentity(second.keys, "old", row)).toEqual({email: "olga@example.com", name: "Olga"});
    } finally {
      await rm(dataDir, {recursive: true, force: true});
    }
  }, 60_000);

  it("leaves anonymized users' placeholders as they are", async () => {
    const {sql} = server.runtime.db;
    const gone = await signUp(server, "gone@example.com", "Gone Person");
    const {confirmation} = await (await gone.client.post("/api/me/deletion", {})).json();
    expect((await gone.client.request("/api/me", {method: "DELETE", json: {confirmation}})).status).toBe(200);
    expect(await encryptPlainUsers(sql, server.runtime.keys)).toBe(0);
    expect(await storedUser(server, gone.id)).toEqual({
      id: gone.id,
      email: `deleted-${gone.id}@anonymized.invalid`,
      email_enc: null,
      name: "Deleted user",
      name_enc: null
    });
  });

  it("re-encrypts users' addresses and names with the active key, like every other encrypted column", async () => {
    const {sql} = server.runtime.db;
    const lia = await signUp(server, "lia@example.com", "Lia Nova");
    const before = await ciphertextsByKey(sql);
    const [{users}] = await sql<
      {users: number}[]
    >`SELECT count(*)::int AS users FROM "user" WHERE email_enc IS NOT NULL`;
    // No other personal data in this suite: two values per user, address and name.
    expect(before).toEqual({t1: 2 * users});

    const config = server.runtime.config;
    const both = createKeyRing(
      keyMaterialFromEnv({
        PII_KEYS: `${config.PII_KEYS},t2:${Buffer.alloc(32, 7).toString("base64")}`,
        PII_ACTIVE_KEY: "t2",
        PII_HASH_KEY: config.PII_HASH_KEY
      })
    );
    const report = await rotateKeys(sql, both);
    expect(report.reencrypted).toBe(before.t1);
    expect(report.remaining).toEqual({t2: before.t1});

    const onlyNew = createKeyRing(
      keyMaterialFromEnv({PII_KEYS: `t2:${Buffer.alloc(32, 7).toString("base64")}`, PII_HASH_KEY: config.PII_HASH_KEY})
    );
    const row = await storedUser(server, lia.id);
    expect(row.email_enc).toMatch(/^t2:/);
    expect(row.name_enc).toMatch(/^t2:/);
    expect(openIdentity(onlyNew, lia.id, row)).toEqual({email: "lia@example.com", name: "Lia Nova"});
  });
});
