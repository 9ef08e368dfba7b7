import type {Browser} from "playwright-core";
import {afterAll, beforeAll, expect, it} from "vitest";
import {launchBrowser, screenshot, watchedPage} from "./helpers/browser.js";
import {describeWith} from "./helpers/services.js";
import {startTestServer, type TestServer} from "./helpers/server.js";
import {signedInContext} from "./helpers/session.js";
import {ensureBuiltSite} from "./helpers/site.js";

describeWith("chromium", "the operations page", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    await ensureBuiltSite();
    // A backup key as production would have it (the embedded default generates one; a PostgreSQL server does not).
    const backupKey = `b1:${Buffer.alloc(32, 7).toString("base64")}`;
    server = await startTestServer({GRAFENO_DIST: "dist", JOBS_POLL_MS: "200", BACKUP_KEY: backupKey});
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lets an administrator schedule a backup, run one now, and see it complete in the list", async () => {
    const context = await signedInContext(browser, server);
    const {page, consoleErrors} = await watchedPage(context);
    // The schedule is held back: until it arrives, nothing in its form can be edited or sent.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/backups/schedule", async (route) => {
      if (route.request().method() === "GET") await held;
      await route.continue();
    });
    await page.goto(`${server.url}/admin/operations`);
    const save = page.getByRole("button", {name: "Save schedule"});
    await save.waitFor();
    for (const label of ["Scheduled backups on", "Every (hours)", "At (HH:MM, UTC)"]) {
      expect(await page.getByLabel(label).isDisabled(), label).toBe(true);
    }
    expect(await save.isDisabled()).toBe(true);
    expect(await page.locator("#schedule-status").textContent()).toBe("Loading the schedule…");
    release();
    await expect.poll(() => save.isEnabled(), {timeout: 10_000}).toBe(true);
    expect(await page.getByLabel("Every (hours)").inputValue()).toMatch(/^\d+$/);
    await expect
      .poll(async () => page.locator("#schedule-status").textContent(), {timeout: 10_000})
      .toMatch(/backups are off|Next backup/);
    await page.getByLabel("Every (hours)").fill("24");
    await page.getByLabel("At (HH:MM, UTC)").fill("03:00");
    await page.getByLabel("Scheduled backups on").check();
    await page.getByRole("button", {name: "Save schedule"}).click();
    await expect
      .poll(async () => page.locator("#schedule-status").textContent(), {timeout: 10_000})
      .toMatch(/Saved\. Next backup/);

    await page.getByRole("button", {name: "Back up now"}).click();
    await expect
      .poll(async () => page.locator("#backup-status").textContent(), {timeout: 30_000})
      .toMatch(/Backup finished/);
    await expect.poll(async () => page.locator("#backup-table").textContent(), {timeout: 10_000}).toContain("complete");
    expect(await page.locator("#job-table").textContent()).toContain("succeeded");
    await screenshot(page, "admin-operations-1440");
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
