import {readFile, readdir} from "node:fs/promises";
import {join} from "node:path";
import {tableFromIPC} from "apache-arrow";
import type {Browser} from "playwright-core";
import {afterAll, beforeAll, expect, it} from "vitest";
import {createAdministrator} from "../api/users.js";
import {foreignRequests, launchBrowser, openPage, screenshot} from "./helpers/browser.js";
import {describeWith} from "./helpers/services.js";
import {startTestServer, type TestServer} from "./helpers/server.js";
import {ensureBuiltSite} from "./helpers/site.js";

async function loaderOutput(): Promise<{kind: string; bills: number}[]> {
  const dir = join("dist", "_file", "data");
  const file = (await readdir(dir)).find((f) => /^registrations\.\w+\.arrow$/.test(f))!;
  return tableFromIPC(await readFile(join(dir, file)))
    .toArray()
    .map((r) => r.toJSON());
}

describeWith("chromium", "registrations page in a real browser", () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    await ensureBuiltSite();
    server = await startTestServer({GRAFENO_DIST: "dist"});
    await createAdministrator(server.runtime, {
      email: "admin@example.com",
      name: "Admin",
      password: "admin password 1"
    });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("signs in, draws the loader's chart and DuckDB's yearly totals, requesting only its own origin", async () => {
    const {page, requests, consoleErrors} = await openPage(browser);
    await page.goto(`${server.url}/registrations`);
    await page.waitForURL(/\/sign-in\?next=%2Fregistrations/);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Password").fill("admin password 1");
    await page.getByRole("button", {name: "Sign in"}).click();
    await page.waitForURL(`${server.url}/registrations`);

    await page.locator("#monthly-chart svg").first().waitFor({timeout: 20_000});
    await page.locator("#yearly-chart svg").first().waitFor({timeout: 20_000});
    const rows = await loaderOutput();
    const total = (kind?: string) => rows.filter((r) => !kind || r.kind === kind).reduce((s, r) => s + r.bills, 0);
    const shown = async () => Number((await page.locator("#yearly-total strong").textContent())!.replace(/,/g, ""));
    await expect.poll(shown, {timeout: 20_000}).toBe(total());

    // A filter re-queries DuckDB: the total becomes the goods-only figure.
    await page.getByLabel("Kind of trade bill").selectOption("goods");
    await expect.poll(shown, {timeout: 20_000}).toBe(total("goods"));
    expect(total("goods")).toBeLessThan(total());

    await screenshot(page, "registrations-1440");
    expect(foreignRequests(requests, server.url)).toEqual([]);
    expect(requests.some((url) => url.includes("duckdb") && url.endsWith(".wasm"))).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
