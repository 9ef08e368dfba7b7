// Helpers for the accounts and LGPD suites: users straight in the database, servers with a generous sign-in
// limit, signed-in clients, published terms, and raw requests with a chosen cookie and Origin.
import {readdir, readFile} from "node:fs/promises";
import {join} from "node:path";
import type {Sql} from "../../api/db.js";
import {emailHash, openIdentity, type StoredIdentity} from "../../api/pii.js";
import {Client} from "./http.js";
import {startTestServer, type TestServer} from "./server.js";

/** A bare user row, for service tests that need someone to own data. */
export async function insertUser(
  sql: Sql,
  id: string,
  {email = `${id}@example.com`, role = "client"}: {email?: string; role?: string} = {}
): Promise<void> {
  await sql`INSERT INTO "user" (id, name, email, "emailVerified", role)
    VALUES (${id}, ${`User ${id}`}, ${email}, false, ${role})`;
}

/** The account with this address, looked up by its keyed hash as the product does (the table holds no address). */
export async function userIdByEmail(server: TestServer, email: string): Promise<string | undefined> {
  const {sql} = server.runtime.db;
  const [row] = await sql<{id: string}[]>`SELECT id FROM "user" WHERE email = ${emailHash(server.runtime.keys, email)}`;
  return row?.id;
}

/** Every user's id, address and name, decrypted with the server's keys. */
export async function identities(server: TestServer): Promise<{id: string; email: string; name: string}[]> {
  const rows = await server.runtime.db.sql<(StoredIdentity & {id: string})[]>`
    SELECT id, email, email_enc, name, name_enc FROM "user" ORDER BY id`;
  return rows.map((r) => ({id: r.id, ...openIdentity(server.runtime.keys, r.id, r)}));
}

/** The product on a test database; suites sign many people in from one address, so the limit is raised. */
export function accountsServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({SIGN_IN_RATE_LIMIT: "1000/60", ...env});
}

export interface Person {
  client: Client;
  id: string;
  email: string;
  /** The session cookie, for hand-made requests (foreign origins). */
  cookie: string;
}

export async function signUp(server: TestServer, email: string, name = "Test Person"): Promise<Person> {
  const client = new Client(server.url);
  const response = await client.signUp(email, "correct horse battery", name);
  if (response.status !== 200)
    throw new Error(`sign-up of ${email} failed: ${response.status} ${await response.text()}`);
  const {user} = (await response.json()) as {user: {id: string}};
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return {client, id: user.id, email, cookie};
}

export async function signUpAs(server: TestServer, role: "admin" | "analyst", email: string): Promise<Person> {
  const person = await signUp(server, email, `The ${role}`);
  await server.runtime.db.sql`UPDATE "user" SET role = ${role} WHERE id = ${person.id}`;
  return person;
}

export const termsV1 = {
  title: "Terms of use",
  summary: "How the workbench uses your data",
  items: [
    {code: "terms-of-use", mandatory: true, title: "Terms of use", text: "You use the workbench under these terms."},
    {code: "privacy-policy", mandatory: true, title: "Privacy policy", text: "We process your data as described."},
    {code: "newsletter", mandatory: false, title: "Product news", text: "Send me news about data products."},
    {code: "research", mandatory: false, title: "Research", text: "Use my usage data to improve the product."}
  ]
};

export async function publish(admin: Client, terms: object = termsV1): Promise<number> {
  const response = await admin.post("/api/terms", terms);
  if (response.status !== 201) throw new Error(`publish failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as {version: number}).version;
}

/** Accepts the current version's mandatory items (and the optional ones listed). */
export async function acceptTerms(client: Client, optional: string[] = []): Promise<Response> {
  const terms = (await (await client.request("/api/terms/current")).json()) as typeof termsV1 & {version: number};
  const decisions = terms.items
    .filter((i) => i.mandatory || optional.includes(i.code))
    .map((i) => ({item: i.code, decision: "accept"}));
  return client.post("/api/consent", {version: terms.version, decisions, channel: "sign-up"});
}

/** A request as a browser on another site would send it: the victim's cookie, the attacker's Origin. */
export function foreignRequest(server: TestServer, path: string, cookie: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("cookie", cookie);
  headers.set("origin", "https://attacker.example");
  headers.set("content-type", "application/json");
  return fetch(new URL(path, server.url), {...init, headers});
}

/** The messages the outbox mailer wrote (no SMTP configured), oldest first. */
export async function outbox(server: TestServer): Promise<string[]> {
  const dir = join(server.runtime.config.GRAFENO_DATA_DIR, "outbox");
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".eml")).sort();
  return Promise.all(names.map((n) => readFile(join(dir, n), "utf8")));
}

export async function count(sql: Sql, table: string): Promise<number> {
  const [{n}] = await sql<{n: number}[]>`SELECT count(*)::int AS n FROM ${sql(table)}`;
  return n;
}

/** A message's text body, with quoted-printable or base64 transfer encoding undone. */
export function mailText(message: string): string {
  const [head, ...rest] = message.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body, "base64").toString("utf8");
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
    const bytes = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/** The first link to our server in a message. */
export function linkIn(message: string): string {
  const match = /https?:\/\/[^\s"<>]+/.exec(mailText(message));
  if (!match) throw new Error(`no link in message:\n${message}`);
  return match[0];
}
