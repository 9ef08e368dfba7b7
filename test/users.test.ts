import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {Client} from "./helpers/http.js";
import {
  acceptTerms,
  accountsServer,
  count,
  identities,
  linkIn,
  outbox,
  publish,
  signUp,
  signUpAs,
  type Person
} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";

describe("user administration", () => {
  let server: TestServer;
  let admin: Person;
  let carla: Person;
  const sql = () => server.runtime.db.sql;
  beforeAll(async () => {
    server = await accountsServer();
    admin = await signUpAs(server, "admin", "admin@example.com");
    await publish(admin.client);
    await acceptTerms(admin.client);
    carla = await signUp(server, "carla@example.com", "Carla Dias");
    for (const name of ["Davi", "Elis", "Fabio"])
      await signUp(server, `${name.toLowerCase()}@example.com`, `${name} Souza`);
  });
  afterAll(() => server?.close());

  it("refuses a new user with a message per field, creating nobody", async () => {
    const before = await count(sql(), "user");
    const response = await admin.client.post("/api/users", {
      name: "",
      email: "not-an-email",
      cpf: "529.982.247-24",
      role: "superuser",
      emailVerified: true
    });
    expect(response.status).toBe(400);
    const {fields} = await response.json();
    expect(Object.keys(fields).sort()).toEqual(["cpf", "email", "emailVerified", "name", "role"]);
    expect(fields.cpf).toEqual(["not a valid CPF (check digits)"]);
    expect(await count(sql(), "user")).toBe(before);
  });

  it("creates a user who chooses their own password through an emailed link", async () => {
    const response = await admin.client.post("/api/users", {
      name: "Gabi Lima",
      email: "Gabi@Example.com",
      cpf: "529.982.247-25",
      phone: "+55 (11) 99999-0000",
      role: "analyst"
    });
    expect(response.status).toBe(201);
    const created = await response.json();
    expect(created).toMatchObject({
      email: "gabi@example.com",
      role: "analyst",
      cpf: "52998224725",
      phone: "+5511999990000"
    });
    const mail = (await outbox(server)).filter((m) => m.includes("To: gabi@example.com")).at(-1)!;
    const token = new URL(linkIn(mail)).pathname.split("/").at(-1)!;
    const gabi = new Client(server.url);
    const reset = await gabi.post("/api/auth/reset-password", {token, newPassword: "gabi's own password"});
    expect(reset.status).toBe(200);
    expect((await gabi.signIn("gabi@example.com", "gabi's own password")).status).toBe(200);
    expect((await (await gabi.request("/api/profile")).json()).emailVerified).toBe(true);
    const [entry] =
      await sql()`SELECT actor_id, detail FROM audit_log WHERE action = 'user.created' AND subject_id = ${created.id}`;
    expect(entry.actor_id).toBe(admin.id);
  });

  it("refuses an email or CPF another account already uses", async () => {
    const email = await admin.client.post("/api/users", {name: "X", email: "carla@example.com", role: "client"});
    expect(email.status).toBe(409);
    expect((await email.json()).fields).toEqual({email: ["already in use"]});
    const cpf = await admin.client.post("/api/users", {
      name: "X",
      email: "x@example.com",
      cpf: "52998224725",
      role: "client"
    });
    expect((await cpf.json()).fields).toEqual({cpf: ["already in use"]});
  });

  it("lists users by role, by search on name, email or exact CPF, a page at a time", async () => {
    const list = async (query: string) => await (await admin.client.request(`/api/users?${query}`)).json();
    expect((await list("role=analyst")).users.map((u: {email: string}) => u.email)).toEqual(["gabi@example.com"]);
    expect((await list("q=souza")).total).toBe(3);
    expect((await list("q=CARLA@")).users[0].name).toBe("Carla Dias");
    const byCpf = await list("q=529.982.247-25");
    expect(byCpf.users.map((u: {email: string; cpf: string}) => [u.email, u.cpf])).toEqual([
      ["gabi@example.com", "***.982.247-**"]
    ]);
    const page = await list("pageSize=2&page=2");
    expect(page.total).toBe(6);
    expect(page.users).toHaveLength(2);
    expect((await admin.client.request("/api/users?pageSize=1000")).status).toBe(400);
  });

  it("edits a user's data and role; the user sees the change in their history and notifications", async () => {
    const response = await admin.client.request(`/api/users/${carla.id}`, {
      method: "PATCH",
      json: {name: "Carla Dias Souza", role: "analyst"}
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({name: "Carla Dias Souza", role: "analyst"});
    const changes = (await (await carla.client.request("/api/profile/changes")).json()).changes;
    expect(changes[0]).toMatchObject({
      field: "name",
      old: "Carla Dias",
      new: "Carla Dias Souza",
      changedBy: "administrator"
    });
    const titles = (await (await carla.client.request("/api/notifications")).json()).notifications.map(
      (n: {title: string}) => n.title
    );
    expect(titles).toEqual(expect.arrayContaining(["Your role changed", "Your personal data was changed"]));
    const [entry] =
      await sql()`SELECT detail FROM audit_log WHERE action = 'user.role_changed' AND subject_id = ${carla.id}`;
    expect(entry.detail).toEqual({from: "client", to: "analyst"});
  });

  it("refuses ids and flags in an edit (mass assignment), changing nothing", async () => {
    const response = await admin.client.request(`/api/users/${carla.id}`, {
      method: "PATCH",
      json: {id: "someone-else", emailVerified: true, banned: false, name: "Nope"}
    });
    expect(response.status).toBe(400);
    expect(Object.keys((await response.json()).fields).sort()).toEqual(["banned", "emailVerified", "id"]);
    const [row] = await sql()`SELECT "emailVerified" FROM "user" WHERE id = ${carla.id}`;
    expect(row).toEqual({emailVerified: false});
    expect((await identities(server)).find((u) => u.id === carla.id)?.name).toBe("Carla Dias Souza");
  });

  it("never takes the role from the last administrator", async () => {
    const response = await admin.client.request(`/api/users/${admin.id}`, {method: "PATCH", json: {role: "client"}});
    expect(response.status).toBe(409);
    expect((await response.json()).error).toBe("last_admin");
  });

  it("answers 404 for a user that does not exist", async () => {
    expect((await admin.client.request("/api/users/nobody")).status).toBe(404);
    expect((await admin.client.request("/api/users/nobody", {method: "PATCH", json: {name: "x"}})).status).toBe(404);
  });

  it("deletes only after an explicit confirmation, then anonymizes and keeps what the law requires", async () => {
    await acceptTerms(carla.client, ["newsletter"]);
    const consents = await count(sql(), "consent_records");
    expect((await admin.client.request(`/api/users/${carla.id}`, {method: "DELETE", json: {}})).status).toBe(400);
    const forged = await admin.client.request(`/api/users/${carla.id}`, {
      method: "DELETE",
      json: {confirmation: "x.y"}
    });
    expect(forged.status).toBe(409);
    const planFor = async (id: string) => (await admin.client.post(`/api/users/${id}/deletion`, {})).json();
    const other = await signUp(server, "hugo@example.com");
    const wrongUser = await admin.client.request(`/api/users/${carla.id}`, {
      method: "DELETE",
      json: {confirmation: (await planFor(other.id)).confirmation}
    });
    expect(wrongUser.status).toBe(409);
    expect((await carla.client.request("/api/profile")).status).toBe(200);

    const plan = await planFor(carla.id);
    expect(plan.erased).toContain("cpf");
    expect(plan.kept.join(" ")).toMatch(/consent records/);
    const done = await admin.client.request(`/api/users/${carla.id}`, {
      method: "DELETE",
      json: {confirmation: plan.confirmation}
    });
    expect(done.status).toBe(200);

    const [user] = await sql()`SELECT name, name_enc, email, email_enc, banned FROM "user" WHERE id = ${carla.id}`;
    expect(user).toEqual({
      name: "Deleted user",
      name_enc: null,
      email: `deleted-${carla.id}@anonymized.invalid`,
      email_enc: null,
      banned: true
    });
    const [profile] =
      await sql()`SELECT email_hash, cpf_enc, phone_enc, anonymized_at FROM user_profile WHERE user_id = ${carla.id}`;
    expect(profile).toMatchObject({email_hash: null, cpf_enc: null, phone_enc: null});
    expect(profile.anonymized_at).toBeInstanceOf(Date);
    expect(await count(sql(), "consent_records")).toBe(consents);
    const leftovers = await sql()`SELECT
      (SELECT count(*)::int FROM session WHERE "userId" = ${carla.id}) AS sessions,
      (SELECT count(*)::int FROM account WHERE "userId" = ${carla.id}) AS accounts,
      (SELECT count(*)::int FROM profile_changes WHERE user_id = ${carla.id}) AS changes,
      (SELECT count(*)::int FROM notifications WHERE user_id = ${carla.id}) AS notifications`;
    expect(leftovers[0]).toEqual({sessions: 0, accounts: 0, changes: 0, notifications: 0});
    expect((await carla.client.request("/api/profile")).status).toBe(401);
    expect((await new Client(server.url).signIn("carla@example.com")).status).toBe(401);
    const dump = JSON.stringify(await sql()`SELECT action, actor_id, subject_id, detail FROM audit_log`);
    expect(dump).not.toMatch(/carla/i);
    const [entry] =
      await sql()`SELECT actor_id, detail FROM audit_log WHERE action = 'user.anonymized' AND subject_id = ${carla.id}`;
    expect(entry).toEqual({actor_id: admin.id, detail: {by: "administrator"}});
    expect(
      (await outbox(server)).some((m) => m.includes("To: carla@example.com") && m.includes("Your account was deleted"))
    ).toBe(true);

    const anonymized = await (await admin.client.request("/api/users?status=anonymized")).json();
    expect(anonymized.users.map((u: {id: string}) => u.id)).toEqual([carla.id]);
    expect((await admin.client.post(`/api/users/${carla.id}/deletion`, {})).status).toBe(404);
    expect(
      (await admin.client.request(`/api/users/${carla.id}`, {method: "PATCH", json: {name: "Carla"}})).status
    ).toBe(404);
  });
});
