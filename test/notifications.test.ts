import type {AddressInfo} from "node:net";
import {SMTPServer} from "smtp-server";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {Client} from "./helpers/http.js";
import {accountsServer, linkIn, outbox, signUp, type Person} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on a random port, keeping every message it accepts. */
async function startSmtp(): Promise<{url: string; inbox: Received[]; close(): Promise<void>}> {
  const inbox: Received[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8")
        });
        done();
      });
    }
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const {port} = smtp.server.address() as AddressInfo;
  return {url: `smtp://127.0.0.1:${port}`, inbox, close: () => new Promise((resolve) => smtp.close(() => resolve()))};
}

async function waitFor<T>(find: () => T | undefined, ms = 5000): Promise<T> {
  for (const start = Date.now(); Date.now() - start < ms; await new Promise((r) => setTimeout(r, 25))) {
    const found = find();
    if (found) return found;
  }
  throw new Error("timed out waiting");
}

describe("email through a real SMTP server", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await accountsServer({SMTP_URL: smtp.url, MAIL_FROM: "Workbench <no-reply@grafeno.test>"});
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it("sends the verification email at sign-up; its link verifies the address", async () => {
    const ana = await signUp(server, "ana@example.com");
    const mail = await waitFor(() => smtp.inbox.find((m) => m.to.includes("ana@example.com")));
    expect(mail.from).toBe("no-reply@grafeno.test");
    expect(mail.raw).toMatch(/Subject: Confirm your email address/);
    await fetch(linkIn(mail.raw), {redirect: "manual"});
    expect((await (await ana.client.request("/api/profile")).json()).emailVerified).toBe(true);
    expect(await outbox(server)).toEqual([]);
  });

  it("resets a forgotten password through the emailed link, then tells the person", async () => {
    const stranger = new Client(server.url);
    expect(
      (
        await stranger.post("/api/auth/request-password-reset", {
          email: "ana@example.com",
          redirectTo: "/reset-password"
        })
      ).status
    ).toBe(200);
    const mail = await waitFor(() => smtp.inbox.find((m) => m.raw.includes("Reset your Grafeno Workbench password")));
    const link = new URL(linkIn(mail.raw));
    const callback = await fetch(link, {redirect: "manual"});
    const token = new URL(callback.headers.get("location")!, server.url).searchParams.get("token")!;
    expect((await stranger.post("/api/auth/reset-password", {token, newPassword: "a brand new password"})).status).toBe(
      200
    );
    expect((await stranger.signIn("ana@example.com", "a brand new password")).status).toBe(200);
    expect((await new Client(server.url).signIn("ana@example.com")).status).toBe(401);
    const notices = (await (await stranger.request("/api/notifications")).json()).notifications;
    expect(notices[0]).toMatchObject({kind: "security", title: "Your password was changed"});
    await waitFor(() => smtp.inbox.find((m) => m.raw.includes("Subject: Your password was changed")));
    const [entry] = await server.runtime.db.sql`SELECT subject_id FROM audit_log WHERE action = 'auth.password_reset'`;
    expect(entry).toBeDefined();
  });
});

describe("without SMTP, the outbox", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await accountsServer();
  });
  afterAll(() => server?.close());

  it("keeps every message as an .eml file under data/outbox", async () => {
    await signUp(server, "bia@example.com");
    const mails = await outbox(server);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/To: bia@example.com/);
    expect(linkIn(mails[0])).toContain(`${server.url}/api/auth/verify-email?token=`);
  });
});

describe("in-app notifications", () => {
  let server: TestServer;
  let ana: Person;
  let bia: Person;
  beforeAll(async () => {
    server = await accountsServer();
    ana = await signUp(server, "ana@example.com");
    bia = await signUp(server, "bia@example.com");
    await ana.client.request("/api/profile", {method: "PATCH", json: {name: "Ana A"}});
    await ana.client.request("/api/profile", {method: "PATCH", json: {name: "Ana B"}});
  });
  afterAll(() => server?.close());

  it("lists mine, newest first, with an unread count", async () => {
    const list = await (await ana.client.request("/api/notifications")).json();
    expect(list.unread).toBe(2);
    expect(list.notifications.map((n: {body: string}) => n.body)).toEqual([
      expect.stringContaining("name"),
      expect.stringContaining("name")
    ]);
    expect((await (await bia.client.request("/api/notifications")).json()).notifications).toEqual([]);
  });

  it("marks one read, but never someone else's", async () => {
    const [first] = (await (await ana.client.request("/api/notifications")).json()).notifications;
    expect((await bia.client.post(`/api/notifications/${first.id}/read`, {})).status).toBe(404);
    expect((await ana.client.post(`/api/notifications/${first.id}/read`, {})).status).toBe(200);
    const unread = await (await ana.client.request("/api/notifications?unread=true")).json();
    expect(unread).toMatchObject({unread: 1});
    expect(unread.notifications).toHaveLength(1);
  });

  it("marks all read", async () => {
    expect(await (await ana.client.post("/api/notifications/read-all", {})).json()).toEqual({marked: 1});
    expect((await (await ana.client.request("/api/notifications")).json()).unread).toBe(0);
  });
});
