// The accounts and LGPD pages in a real browser, as people use them: an administrator publishes the terms, a
// newcomer signs up accepting them, switches an optional item off, exports their data, deletes their account,
// and the administrator finds every step in the audit log, whose chain verifies.
import {readFile} from "node:fs/promises";
import type {Browser, BrowserContext} from "playwright-core";
import {afterAll, beforeAll, expect, it} from "vitest";
import {identities, userIdByEmail} from "./helpers/accounts.js";
import {expectWellBehaved, launchBrowser, screenshot, watchedPage} from "./helpers/browser.js";
import {describeWith} from "./helpers/services.js";
import {startTestServer, type TestServer} from "./helpers/server.js";
import {signedInContext} from "./helpers/session.js";
import {ensureBuiltSite} from "./helpers/site.js";

async function open(context: BrowserContext, url: string) {
  const {page, requests, consoleErrors: errors} = await watchedPage(context, url);
  return {page, requests, errors};
}

/** Pages answer after a request or two: wait up to 10 s, not vitest's default second. */
const eventually = <T>(value: () => T | Promise<T>) => expect.poll(value, {timeout: 10_000});

const newcomer = {name: "Carla Cliente", email: "carla@example.com", password: "carla password 1"};

describeWith("chromium", "accounts and LGPD pages in a real browser", () => {
  let server: TestServer;
  let browser: Browser;
  let admin: BrowserContext;
  let person: BrowserContext;
  let personId: string;
  const sql = () => server.runtime.db.sql;
  beforeAll(async () => {
    await ensureBuiltSite();
    server = await startTestServer({GRAFENO_DIST: "dist", SIGN_IN_RATE_LIMIT: "1000/60"});
    browser = await launchBrowser();
    admin = await signedInContext(browser, server);
    person = await browser.newContext({viewport: {width: 1440, height: 900}, acceptDownloads: true});
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the administrator publishes the terms, is sent to them like everyone, and accepts them", async () => {
    const {page} = await open(admin, `${server.url}/admin/terms`);
    await expect.poll(() => page.locator(".term-editor-item").count(), {timeout: 20_000}).toBe(4);
    await page.getByLabel("Summary of what changed").fill("First version.");
    await page.getByRole("button", {name: "Publish…"}).click();
    const dialog = page.getByRole("dialog", {name: "Publish version 1?"});
    await dialog.getByRole("button", {name: "Publish version 1"}).click();
    await eventually(() => page.locator("#terms-publish .status").textContent()).toContain("Version 1 published");
    await eventually(() => page.locator("#terms-versions details").count()).toBe(1);

    await page.goto(`${server.url}/admin/audit`);
    expect(new URL(page.url()).pathname).toBe("/terms");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/admin/audit");
    await page.locator("#terms-form").waitFor({timeout: 20_000});
    await screenshot(page, "terms-pending-1440");
    await page.getByRole("checkbox", {name: /Terms of use/}).check();
    await page.getByRole("checkbox", {name: /Privacy policy/}).check();
    await page.getByRole("button", {name: "Accept and continue"}).click();
    await page.waitForURL(`${server.url}/admin/audit`);
    await page.close();
  }, 60_000);

  it("a newcomer signs up with the terms: the required items ticked and one optional item chosen", async () => {
    const {page} = await open(person, `${server.url}/sign-up`);
    const terms = page.locator("#sign-up-terms fieldset");
    await terms.waitFor({timeout: 20_000});
    expect(await terms.getByRole("checkbox").count()).toBe(4);
    await page.getByLabel("Name").fill(newcomer.name);
    await page.getByLabel("Email").fill(newcomer.email);
    await page.getByLabel(/^Password/).fill(newcomer.password);
    // Without the required items the form does not go anywhere.
    await page.getByRole("button", {name: "Create account"}).click();
    expect(new URL(page.url()).pathname).toBe("/sign-up");
    expect(await userIdByEmail(server, newcomer.email)).toBeUndefined();
    await terms.getByRole("checkbox", {name: /Terms of use/}).check();
    await terms.getByRole("checkbox", {name: /Privacy policy/}).check();
    await terms.getByRole("checkbox", {name: /Product news/}).check();
    await page.getByRole("button", {name: "Create account"}).click();
    await page.waitForURL(`${server.url}/`, {timeout: 20_000});
    personId = (await userIdByEmail(server, newcomer.email))!;
    const records = await sql()`SELECT item_code, decision, channel FROM consent_records
      WHERE user_id = ${personId} ORDER BY id`;
    expect(records.map((r) => `${r.item_code}:${r.decision}:${r.channel}`)).toEqual([
      "terms-of-use:accept:sign-up",
      "privacy-policy:accept:sign-up",
      "newsletter:accept:sign-up"
    ]);
    await page.close();
  }, 60_000);

  it("in the privacy center, switching an optional item off takes one click and shows in the history", async () => {
    const {page} = await open(person, `${server.url}/privacy`);
    const news = page.getByRole("switch", {name: /Product news/});
    await news.waitFor({timeout: 20_000});
    expect(await news.isChecked()).toBe(true);
    expect(await page.locator("#processing-applies").textContent()).toContain("Product news by email");
    await news.click();
    await eventually(() => page.locator("#privacy-choices .status").textContent()).toContain(
      '"Product news" switched off'
    );
    // The choices, the history and the processing list reload after the switch: each is awaited, not read once.
    await eventually(() => page.getByRole("switch", {name: /Product news/}).isChecked()).toBe(false);
    await eventually(() => page.locator("#consent-history tbody tr").first().textContent()).toMatch(
      /Product news.*revoked.*privacy-center/
    );
    await eventually(() => page.locator("#processing-applies").textContent()).not.toContain("Product news by email");
    await page.close();
  }, 60_000);

  it("exports my data as JSON through the one-time link, with my whole consent history", async () => {
    const {page} = await open(person, `${server.url}/privacy`);
    await page.getByRole("button", {name: "Prepare JSON export"}).click();
    const link = page.getByRole("link", {name: "Download my data (JSON)"});
    await link.waitFor({timeout: 10_000});
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await download.path())!, "utf8"));
    expect(data.profile).toMatchObject({id: personId, email: newcomer.email, name: newcomer.name});
    expect(
      data.consent.history.map((r: {item: string; decision: string; channel: string}) =>
        [r.item, r.decision, r.channel].join(":")
      )
    ).toEqual([
      "newsletter:revoke:privacy-center",
      "newsletter:accept:sign-up",
      "privacy-policy:accept:sign-up",
      "terms-of-use:accept:sign-up"
    ]);
    await eventually(() => page.locator("#privacy-export .status").textContent()).toContain("link is now used up");

    await page.getByRole("button", {name: "Prepare CSV export"}).click();
    const csvLink = page.getByRole("link", {name: "Download my data (CSV)"});
    const [csv] = await Promise.all([page.waitForEvent("download"), csvLink.click()]);
    const lines = (await readFile((await csv.path())!, "utf8")).replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe("dataset,record,field,value");
    expect(lines.filter((l) => l.startsWith("consent_history,") && l.includes(",item,"))).toHaveLength(4);
    await page.close();
  }, 60_000);

  it("deletes the account only after an explicit confirmation, then signs the person out", async () => {
    const {page} = await open(person, `${server.url}/privacy`);
    const start = page.getByRole("button", {name: "Delete my account…"});
    await start.click();
    let dialog = page.getByRole("dialog", {name: "Delete your account?"});
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("consent records");
    await dialog.getByRole("button", {name: "Cancel"}).click();
    await eventually(() => page.locator("#privacy-delete .status").textContent()).toBe("Nothing was deleted.");
    expect(
      await sql()`SELECT 1 FROM user_profile WHERE user_id = ${personId} AND anonymized_at IS NOT NULL`
    ).toHaveLength(0);

    await start.click();
    dialog = page.getByRole("dialog", {name: "Delete your account?"});
    const confirm = dialog.getByRole("button", {name: "Delete my account"});
    expect(await confirm.isDisabled()).toBe(true);
    await screenshot(page, "privacy-delete-confirm-1440");
    await dialog.getByLabel("Type DELETE to confirm").fill("DELETE");
    await confirm.click();
    await page.locator("#account-deleted").waitFor({timeout: 10_000});
    const [user] = await sql()`SELECT name, email FROM "user" WHERE id = ${personId}`;
    expect(user).toEqual({name: "Deleted user", email: `deleted-${personId}@anonymized.invalid`});
    await page.goto(`${server.url}/privacy`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await page.close();
  }, 60_000);

  it("the administrator sees it all in the audit log, and the chain verifies", async () => {
    const {page} = await open(admin, `${server.url}/admin/audit?subjectId=${personId}`);
    const table = page.locator("#audit-entries");
    await table.waitFor({timeout: 20_000});
    const acts = await table.locator("tbody tr td:nth-child(3)").allTextContents();
    for (const act of ["account.created", "auth.sign_in", "export.requested", "export.downloaded", "user.anonymized"]) {
      expect(acts, act).toContain(act);
    }
    expect(acts.filter((a) => a === "consent.changed")).toHaveLength(2);
    const details = await table.locator("tbody tr td:nth-child(6)").allTextContents();
    expect(details.some((d) => d.includes('"channel":"sign-up"') && d.includes("newsletter"))).toBe(true);
    expect(
      details.some((d) => d.includes('"channel":"privacy-center"') && d.includes('"revoked":["newsletter"]'))
    ).toBe(true);

    await page.getByLabel("Act", {exact: true}).fill("user.anonymized");
    await page.getByRole("button", {name: "Filter"}).click();
    await eventually(() => table.locator("tbody tr").count()).toBe(1);
    await eventually(() => page.locator("#audit-entries tbody tr").count()).toBe(1);
    expect(new URL(page.url()).searchParams.get("action")).toBe("user.anonymized");

    await page.getByRole("button", {name: "Verify the chain"}).click();
    await eventually(() => page.locator("#audit-verify-result").textContent()).toMatch(/^Chain intact: \d+ entries/);
    await page.close();
  }, 60_000);

  it("user administration: field errors, create, search, edit and delete with confirmation", async () => {
    const {page} = await open(admin, `${server.url}/admin/users`);
    await page.locator("#users-list").waitFor({timeout: 20_000});
    await page.getByRole("button", {name: "New user"}).click();
    const form = page.locator("#user-form");
    await form.getByLabel("Name").fill("Dora Dados");
    await form.getByLabel("Email").fill("not-an-email");
    await form.getByLabel("CPF (optional)").fill("123.456.789-00");
    await form.getByLabel("Role").selectOption("analyst");
    await form.getByRole("button", {name: "Create user"}).click();
    await eventually(() => form.locator(".field-error").count()).toBe(2);
    expect(await form.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    expect(await form.locator("#user-email + .field-error").textContent()).toContain("valid email");
    expect(await form.locator("#user-cpf + .field-error").textContent()).toContain("check digits");
    expect((await identities(server)).map((u) => u.name)).not.toContain("Dora Dados");

    await form.getByLabel("Email").fill("dora@example.com");
    await form.getByLabel("CPF (optional)").fill("123.456.789-09");
    await form.getByRole("button", {name: "Create user"}).click();
    await eventually(() => form.locator(".status").textContent()).toContain("Created dora@example.com");
    expect(await form.locator(".field-error").count()).toBe(0);

    await page.getByLabel("Search").fill("dora");
    await page.locator("#user-filters").getByRole("button", {name: "Search"}).click();
    await eventually(() => page.locator("#users-list tbody tr").count()).toBe(1);
    expect(await page.locator("#users-list tbody tr").textContent()).toContain("***.456.789-**");

    await page.getByRole("button", {name: "Edit Dora Dados"}).click();
    await eventually(() => form.getByLabel("CPF (optional)").inputValue()).toBe("12345678909");
    await form.getByLabel("Phone (optional)").fill("+55 11 99999-0000");
    await form.getByRole("button", {name: "Save changes"}).click();
    await eventually(() => form.locator(".status").textContent()).toBe("Saved.");

    await page.getByRole("button", {name: "Delete Dora Dados"}).click();
    const dialog = page.getByRole("dialog", {name: "Delete Dora Dados?"});
    await dialog.getByLabel("Type DELETE to confirm").fill("DELETE");
    await dialog.getByRole("button", {name: "Delete user"}).click();
    await eventually(() => page.locator("#users-status-line").textContent()).toContain("was deleted");
    await eventually(() => page.locator("#users-table").textContent()).toContain("No user matches.");
    await page.close();
  }, 60_000);

  it("profile: a bad CPF gets its own message, a good one is saved and shows in the change history", async () => {
    const {page} = await open(admin, `${server.url}/profile`);
    const cpf = page.getByLabel("CPF");
    await expect.poll(() => page.getByLabel("Email").inputValue(), {timeout: 20_000}).not.toBe("");
    await cpf.fill("111.111.111-11");
    await page.getByRole("button", {name: "Save changes"}).click();
    await eventually(() => page.locator("#profile-cpf ~ .field-error").textContent()).toContain("check digits");
    await cpf.fill("987.654.321-00");
    await page.getByRole("button", {name: "Save changes"}).click();
    await eventually(() => page.locator("#profile-form .status").textContent()).toBe("Saved: cpf updated.");
    await eventually(() => page.locator("#profile-change-table tbody tr").first().textContent()).toContain(
      "98765432100"
    );
    await page.close();
  }, 60_000);

  // Each new page with what shows it is drawn; the sign-up page is opened without a session.
  const pages: [string, string, boolean][] = [
    ["/sign-up", "#sign-up-terms fieldset", false],
    ["/terms", "#terms-accepted", true],
    ["/profile", "#profile-change-table", true],
    ["/privacy", "#consent-history", true],
    ["/admin/users", "#users-list", true],
    ["/admin/terms", "#terms-versions details", true],
    ["/admin/audit", "#audit-entries", true]
  ];

  for (const width of [375, 768, 1440]) {
    it(`every account and administration page fits ${width} px without overflow, errors or foreign requests`, async () => {
      const signedIn = await browser.newContext({
        viewport: {width, height: 900},
        storageState: await admin.storageState()
      });
      const anonymous = await browser.newContext({viewport: {width, height: 900}});
      for (const [path, ready, session] of pages) {
        const watched = await watchedPage(session ? signedIn : anonymous, `${server.url}${path}`);
        const {page} = watched;
        await page.locator(ready).first().waitFor({timeout: 20_000});
        await page.waitForLoadState("networkidle");
        expect(new URL(page.url()).pathname, path).toBe(path);
        await expectWellBehaved(watched, server.url, `${path} at ${width}px`);
        if (session) expect(await page.locator(".user-menu").getByRole("button", {name: "Sign out"}).count()).toBe(1);
        await screenshot(page, `${path.slice(1).replace("/", "-")}-${width}`);
        await page.close();
      }
      await signedIn.close();
      await anonymous.close();
    }, 120_000);
  }

  it("the menu shows the unread notifications and signs out", async () => {
    const context = await browser.newContext({storageState: await admin.storageState()});
    const {page} = await open(context, `${server.url}/profile`);
    const menu = page.locator(".user-menu");
    const summary = menu.locator("summary");
    await expect
      .poll(() => summary.getAttribute("aria-label"), {timeout: 20_000})
      .toMatch(/^Notifications: [1-9]\d* unread$/);
    await summary.click();
    await menu.getByRole("button", {name: "Mark all read"}).click();
    await eventually(() => summary.getAttribute("aria-label")).toBe("Notifications: 0 unread");
    await menu.getByRole("button", {name: "Sign out"}).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${server.url}/profile`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await context.close();
  }, 60_000);
});
