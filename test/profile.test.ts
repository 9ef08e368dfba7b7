import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {accountsServer, count, identities, linkIn, outbox, signUp, type Person} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";

describe("my profile", () => {
  let server: TestServer;
  let ana: Person;
  let bia: Person;
  const sql = () => server.runtime.db.sql;
  const patch = (who: Person, json: unknown) => who.client.request("/api/profile", {method: "PATCH", json});
  beforeAll(async () => {
    server = await accountsServer();
    ana = await signUp(server, "ana@example.com", "Ana Silva");
    bia = await signUp(server, "bia@example.com", "Bia Costa");
  });
  afterAll(() => server?.close());

  it("shows me my own data", async () => {
    const profile = await (await ana.client.request("/api/profile")).json();
    expect(profile).toMatchObject({
      id: ana.id,
      name: "Ana Silva",
      email: "ana@example.com",
      role: "client",
      cpf: null,
      phone: null
    });
  });

  it("corrects my CPF and phone, encrypted at rest and unique through a keyed hash", async () => {
    const response = await patch(ana, {cpf: "529.982.247-25", phone: "+55 11 98888-7777"});
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      changed: ["cpf", "phone"],
      profile: {cpf: "52998224725", phone: "+5511988887777"}
    });
    const [row] = await sql()`SELECT cpf_enc, phone_enc, cpf_hash FROM user_profile WHERE user_id = ${ana.id}`;
    expect(row.cpf_enc).toMatch(/^\w+:/);
    expect(JSON.stringify(row)).not.toContain("52998224725");
    expect(JSON.stringify(await sql()`SELECT old_enc, new_enc FROM profile_changes`)).not.toContain("98888");
    expect(row.cpf_hash).toBe(server.runtime.keys.hash("cpf", "52998224725"));
    const taken = await patch(bia, {cpf: "52998224725"});
    expect(taken.status).toBe(409);
    expect(await taken.json()).toEqual({error: "conflict", fields: {cpf: ["already in use"]}});
  });

  it("records each change with old and new value and when, and tells me in-app and by email", async () => {
    await patch(ana, {name: "Ana Silva Santos", phone: null});
    const changes = (await (await ana.client.request("/api/profile/changes")).json()).changes;
    expect(
      changes.map((c: {field: string; old: string | null; new: string | null}) => [c.field, c.old, c.new])
    ).toEqual([
      ["name", "Ana Silva", "Ana Silva Santos"],
      ["phone", "+5511988887777", null],
      ["cpf", null, "52998224725"],
      ["phone", null, "+5511988887777"]
    ]);
    expect(new Date(changes[0].changedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const notices = (await (await ana.client.request("/api/notifications")).json()).notifications;
    expect(notices[0]).toMatchObject({kind: "profile", body: expect.stringContaining("name, phone")});
    expect(
      (await outbox(server)).some(
        (m) => m.includes("To: ana@example.com") && m.includes("Your personal data was changed")
      )
    ).toBe(true);
    const [entry] = await sql()`SELECT detail FROM audit_log WHERE action = 'profile.updated' ORDER BY id DESC LIMIT 1`;
    expect(entry.detail).toEqual({fields: ["name", "phone"]});
  });

  it("refuses bad input with a message per field, writing nothing", async () => {
    const before = await count(sql(), "profile_changes");
    const response = await patch(ana, {name: " ", email: "ana@", cpf: "111.111.111-11", phone: "12"});
    expect(response.status).toBe(400);
    const {fields} = await response.json();
    expect(fields).toEqual({
      name: ["enter a name"],
      email: ["enter a valid email address"],
      cpf: ["not a valid CPF (check digits)"],
      phone: ["a phone number has 10 to 15 digits, e.g. +55 11 99999-0000"]
    });
    expect(await count(sql(), "profile_changes")).toBe(before);
  });

  it("refuses my attempt to set my role, id or verification (mass assignment)", async () => {
    const response = await patch(ana, {role: "admin", id: bia.id, emailVerified: true, name: "Ana"});
    expect(response.status).toBe(400);
    expect(Object.keys((await response.json()).fields).sort()).toEqual(["emailVerified", "id", "role"]);
    const [row] = await sql()`SELECT role FROM "user" WHERE id = ${ana.id}`;
    expect(row).toEqual({role: "client"});
    expect((await identities(server)).find((u) => u.id === ana.id)?.name).toBe("Ana Silva Santos");
  });

  it("changes my email: verification again at the new address, a warning to the old one", async () => {
    expect((await patch(ana, {email: "bia@example.com"})).status).toBe(409);
    const response = await patch(ana, {email: "Ana.Santos@Example.com"});
    expect((await response.json()).profile).toMatchObject({email: "ana.santos@example.com", emailVerified: false});
    const mails = await outbox(server);
    expect(mails.some((m) => m.includes("To: ana@example.com") && m.includes("ana.santos@example.com"))).toBe(true);
    const verification = mails
      .filter((m) => m.includes("To: ana.santos@example.com") && m.includes("Confirm your email"))
      .at(-1)!;
    await fetch(linkIn(verification), {redirect: "manual"});
    expect((await (await ana.client.request("/api/profile")).json()).emailVerified).toBe(true);
    const [row] = await sql()`SELECT email_hash FROM user_profile WHERE user_id = ${ana.id}`;
    expect(row.email_hash).toBe(server.runtime.keys.hash("email", "ana.santos@example.com"));
  });

  it("keeps each person to their own data: no route takes another user's id", async () => {
    expect((await bia.client.request(`/api/users/${ana.id}`)).status).toBe(403);
    expect((await bia.client.request(`/api/users/${ana.id}/changes`)).status).toBe(403);
    expect((await (await bia.client.request("/api/profile/changes")).json()).changes).toEqual([]);
  });
});
