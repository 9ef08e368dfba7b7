import {readFile, readdir} from "node:fs/promises";
import {join} from "node:path";
import {tableFromIPC} from "apache-arrow";
import ExcelJS from "exceljs";
import type {Browser, BrowserContext} from "playwright-core";
import {afterAll, beforeAll, expect, it} from "vitest";
import {expectWellBehaved, launchBrowser, screenshot, watchedPage} from "./helpers/browser.js";
import {describeWith} from "./helpers/services.js";
import {startTestServer, type TestServer} from "./helpers/server.js";
import {signedInContext} from "./helpers/session.js";
import {ensureBuiltSite} from "./helpers/site.js";

async function loaderRows(name: string): Promise<Record<string, unknown>[]> {
  const dir = join("dist", "_file", "data");
  const file = (await readdir(dir)).find((f) => f.startsWith(`${name}.`) && f.endsWith(".arrow"))!;
  return tableFromIPC(await readFile(join(dir, file)))
    .toArray()
    .map((r) => r.toJSON());
}

async function open(context: BrowserContext, url: string) {
  const {page, requests, consoleErrors: errors} = await watchedPage(context, url);
  return {page, requests, errors};
}

// Each page with what shows it is drawn.
const pages: [string, string][] = [
  ["/", "#monthly-value svg"],
  ["/statistics", "#correlation-heatmap svg"],
  ["/registrations", "#monthly-chart svg"],
  ["/rfm", "#rfm-chart svg"],
  ["/clusters", "#cluster-summary table"],
  ["/model-health", "#psi-chart svg"],
  ["/retention", "#holdout-chart svg"],
  ["/score", "form"],
  ["/risk", "#calibration-chart svg"],
  ["/datasets", "#preview-count"],
  ["/report", "main h2"]
];

describeWith("chromium", "analyst pages in a real browser", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    await ensureBuiltSite();
    server = await startTestServer({GRAFENO_DIST: "dist"});
    browser = await launchBrowser();
    context = await signedInContext(browser, server);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of [375, 768, 1440]) {
    it(`every page fits ${width} px without horizontal overflow, errors or foreign requests`, async () => {
      const narrow = await browser.newContext({
        viewport: {width, height: 900},
        storageState: await context.storageState()
      });
      for (const [path, ready] of pages) {
        const watched = await watchedPage(narrow, `${server.url}${path}`);
        const {page} = watched;
        await page.locator(ready).first().waitFor({timeout: 20_000});
        await page.waitForLoadState("networkidle");
        await expectWellBehaved(watched, server.url, `${path} at ${width}px`);
        await screenshot(page, `${path === "/" ? "home" : path.slice(1)}-${width}`);
        await page.close();
      }
      await narrow.close();
    }, 120_000);
  }

  it("RFM explorer: the customer count equals the loader's, a segment filter lowers it, the tooltip names the customer", async () => {
    const rows = await loaderRows("rfm");
    const {page} = await open(context, `${server.url}/rfm`);
    const count = async () => Number((await page.locator("#kpi-customers").textContent())!.replace(/,/g, ""));
    await expect.poll(count, {timeout: 20_000}).toBe(rows.length);

    const champions = rows.filter((r) => r.segment === "Champions").length;
    await page.getByRole("checkbox", {name: "Champions"}).uncheck();
    await expect.poll(count, {timeout: 10_000}).toBe(rows.length - champions);
    await page.getByRole("checkbox", {name: "Champions"}).check();
    await expect.poll(count, {timeout: 10_000}).toBe(rows.length);

    // Inputs announced by the chart to the page, counted from here on.
    await page.evaluate(() => {
      const counter = window as unknown as {chartInputs: number};
      counter.chartInputs = 0;
      document.querySelector("#rfm-chart")!.addEventListener("input", () => counter.chartInputs++);
    });
    const dot = page.locator("#rfm-chart svg circle").first();
    const box = (await dot.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tip = page.locator("#rfm-chart [aria-label=tip]");
    await expect
      .poll(async () => (await tip.count()) > 0 && (await tip.first().textContent()), {timeout: 10_000})
      .toBeTruthy();
    const text = (await tip.first().textContent()) ?? "";
    expect(rows.some((r) => text.includes(String(r.name)))).toBe(true);
    // Pointing at a customer shows them; it does not filter the page (only a brushed box does) nor re-run it.
    expect(await page.evaluate(() => (window as unknown as {chartInputs: number}).chartInputs)).toBe(0);
    expect(await count()).toBe(rows.length);
  }, 60_000);

  it("RFM explorer: a shorter period recomputes RFM in DuckDB, so frequencies fall", async () => {
    const rows = await loaderRows("rfm");
    const {page} = await open(context, `${server.url}/rfm`);
    const registrations = async () =>
      Number((await page.locator("#rfm-kpis .card").nth(2).locator(".big").textContent())!.replace(/,/g, ""));
    const total = rows.reduce((s, r) => s + Number(r.frequency), 0);
    await expect.poll(registrations, {timeout: 20_000}).toBe(total);
    const end = String((await page.getByLabel("To", {exact: true}).inputValue()) || "");
    const start = new Date(Date.parse(end) - 90 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("From", {exact: true}).fill(start);
    await page.getByLabel("From", {exact: true}).dispatchEvent("input");
    await expect.poll(registrations, {timeout: 20_000}).toBeLessThan(total);
    expect(await registrations()).toBeGreaterThan(0);
  }, 60_000);

  it("RFM explorer: the Excel export holds exactly the rows of the selection", async () => {
    const rows = await loaderRows("rfm");
    const {page} = await open(context, `${server.url}/rfm`);
    await page.locator("#rfm-chart svg").first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", {name: "Download Excel"}).click()
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await download.path())!);
    const sheet = workbook.worksheets[0];
    expect(sheet.rowCount - 1).toBe(rows.length);
    const names = new Set(rows.map((r) => r.name));
    expect(names.has(String(sheet.getRow(2).getCell(1).value))).toBe(true);
  }, 60_000);

  it("RFM explorer: a box brushed on the chart zooms KPIs, table and CSV export to the customers inside it", async () => {
    const rows = await loaderRows("rfm");
    const {page} = await open(context, `${server.url}/rfm`);
    const count = async () => Number((await page.locator("#kpi-customers").textContent())!.replace(/,/g, ""));
    await expect.poll(count, {timeout: 20_000}).toBe(rows.length);
    // The chart is the figure's last svg (the legend comes first); the box spans most of it, not all.
    const chart = page.locator("#rfm-chart figure > svg").last();
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.9, {steps: 8});
    await page.mouse.up();
    const ranges = await page.evaluate(
      () =>
        (document.querySelector("#rfm-chart .rfm-scatter") as unknown as {value: Record<string, [number, number]>})
          .value
    );
    const inside = rows.filter(
      (r) =>
        Number(r.recency) >= ranges.recency[0] &&
        Number(r.recency) <= ranges.recency[1] &&
        Number(r.frequency) >= ranges.frequency[0] &&
        Number(r.frequency) <= ranges.frequency[1]
    ).length;
    expect(inside).toBeGreaterThan(0);
    expect(inside).toBeLessThan(rows.length);
    await expect.poll(count, {timeout: 10_000}).toBe(inside);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", {name: "Download CSV"}).click()
    ]);
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
    expect(lines.length - 1).toBe(inside);
    // A click on the chart outside the box clears it.
    await chart.click({position: {x: box.width * 0.95, y: box.height * 0.05}});
    await expect.poll(count, {timeout: 10_000}).toBe(rows.length);
  }, 60_000);

  it("RFM explorer: an export over the server's row limit is refused in the page, before anything is sent", async () => {
    const {page, requests} = await open(context, `${server.url}/rfm`);
    await page.getByRole("button", {name: "Download CSV"}).waitFor({timeout: 20_000});
    const module = await page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLLinkElement>("link[rel=modulepreload]")].find((l) =>
          /export-buttons/.test(l.href)
        )!.href
    );
    // The page's own export buttons, fed a table one row over the limit.
    await page.addScriptTag({
      type: "module",
      content: `import {exportButtons, maxExportRows} from ${JSON.stringify(module)};
        const rows = Array.from({length: maxExportRows + 1}, (_, i) => ({n: i}));
        const buttons = exportButtons(() => ({name: "big", columns: [{key: "n", header: "N", type: "number"}], rows}));
        buttons.id = "over-the-limit";
        document.querySelector("main").append(buttons);
        buttons.querySelector("button").click();`
    });
    await expect
      .poll(() => page.locator("#over-the-limit [role=status]").textContent(), {timeout: 10_000})
      .toBe("100,001 rows: an export holds at most 100,000. Narrow the selection first.");
    expect(requests.filter((r) => r.includes("/api/exports/"))).toEqual([]);
  }, 60_000);

  it("Clusters: filtering by cluster shows that cluster's size, and the CSV export matches the table", async () => {
    const inCluster0 = (await loaderRows("rfm")).filter((r) => r.cluster === 0).length;
    const {page} = await open(context, `${server.url}/clusters`);
    await page.getByLabel("Cluster", {exact: true}).selectOption({label: "Cluster 0"});
    await expect
      .poll(async () => (await page.locator("#cluster-count").textContent())?.replace(/,/g, ""), {timeout: 10_000})
      .toContain(`${inCluster0} customers`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", {name: "Download CSV"}).click()
    ]);
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
    expect(lines.length - 1).toBe(inCluster0);
  }, 60_000);

  it("Dashboard: the bills KPI equals the loader's total for the period, and a participant filter narrows it", async () => {
    const monthly = await loaderRows("dashboard-monthly");
    const {page} = await open(context, `${server.url}/`);
    const shown = async () => Number((await page.locator("#kpi-bills .kpi-value").textContent())!.replace(/,/g, ""));
    const from = await page.getByLabel("From month").inputValue();
    const to = await page.getByLabel("To month").inputValue();
    const inPeriod = (m: Record<string, unknown>) =>
      Number(m.month) >= Date.parse(`${from.slice(0, 7)}-01`) && Number(m.month) <= Date.parse(`${to.slice(0, 7)}-01`);
    const total = monthly.filter(inPeriod).reduce((s, m) => s + Number(m.bills), 0);
    await expect.poll(shown, {timeout: 20_000}).toBe(total);
    const select = page.getByLabel("Participant");
    const name = (await select.locator("option").nth(1).textContent())!;
    await select.selectOption({index: 1});
    const theirs = monthly
      .filter(
        (m) => inPeriod(m) && (m.participant_name === name || `${m.participant_name} · ${m.participant}` === name)
      )
      .reduce((s, m) => s + Number(m.bills), 0);
    await expect.poll(shown, {timeout: 10_000}).toBe(theirs);
    expect(theirs).toBeLessThan(total);
  }, 60_000);

  it("Statistics: the descriptive table shows the loader's bill count and the test readings", async () => {
    const {page} = await open(context, `${server.url}/statistics`);
    const bills = await readFile(
      join(
        "dist",
        "_file",
        "data",
        (await readdir(join("dist", "_file", "data"))).find((f) => f.startsWith("statistics."))!
      ),
      "utf8"
    );
    const stats = JSON.parse(bills);
    await expect
      .poll(async () => page.locator("#describe-table").textContent(), {timeout: 20_000})
      .toContain(stats.describe.value.count.toLocaleString("en-US"));
    await expect(page.getByText(stats.tests[0].reading)).toBeDefined();
    expect(await page.locator(".reading").first().textContent()).toBe(stats.tests[0].reading);
  }, 60_000);

  it("Score: a broken file gets a plain-words error naming the row; a good one gives a score per customer", async () => {
    const {page} = await open(context, `${server.url}/score`);
    const input = page.getByLabel("Transactions (CSV)");
    await input.setInputFiles({
      name: "broken.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("customer,date,amount\nA,2024-01-05,10\nB,2024-13-01,5\n")
    });
    await page.getByRole("button", {name: "Score"}).click();
    await expect.poll(async () => page.locator("#score-error").textContent(), {timeout: 20_000}).toContain("1 problem");
    expect(await page.locator("main table").first().textContent()).toContain("not a date");

    const rows = await loaderRows("rfm-events");
    const sample = rows.slice(0, 500);
    const csv = [
      "customer,date,amount",
      ...sample.map((r) => `${r.customer},${new Date(Number(r.date)).toISOString().slice(0, 10)},${r.amount}`)
    ].join("\n");
    await input.setInputFiles({name: "good.csv", mimeType: "text/csv", buffer: Buffer.from(csv)});
    await page.getByRole("button", {name: "Score"}).click();
    const customers = new Set(sample.map((r) => r.customer)).size;
    await expect
      .poll(async () => page.locator("#score-summary").textContent(), {timeout: 20_000})
      .toContain(`${customers.toLocaleString("en-US")} customers scored`);
  }, 60_000);

  it("Risk: the AUC shown is the saved model's test AUC, and the payers table exports its rows", async () => {
    const dir = join("dist", "_file", "data");
    const report = JSON.parse(
      await readFile(
        join(
          dir,
          (await readdir(dir)).find((f) => f.startsWith("risk-metrics."))!
        ),
        "utf8"
      )
    );
    const {page} = await open(context, `${server.url}/risk`);
    await expect
      .poll(async () => page.locator("#kpi-auc").textContent(), {timeout: 20_000})
      .toBe(report.chosen.auc.toFixed(3));
    const payers = await loaderRows("risk-payers");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", {name: "Download CSV"}).first().click()
    ]);
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
    expect(lines.length - 1).toBe(payers.length);
  }, 60_000);

  it("Datasets: the sample's counts are listed, and a filter run by DuckDB narrows the preview", async () => {
    const {page} = await open(context, `${server.url}/datasets`);
    const count = async () =>
      Number(((await page.locator("#preview-count strong").textContent()) ?? "").replace(/,/g, ""));
    await expect.poll(count, {timeout: 30_000}).toBe(81);
    expect(await page.locator("#dataset-cards").textContent()).toContain("participants: 81");
    await page.getByLabel("Filter column").selectOption("kind");
    await page.getByLabel("contains").fill("bank");
    await expect.poll(count, {timeout: 20_000}).toBeLessThan(81);
    expect(await count()).toBeGreaterThan(0);
  }, 60_000);

  it("Report: every figure is filled in from the loaders (no undefined, NaN or empty placeholders)", async () => {
    const {page} = await open(context, `${server.url}/report`);
    await page.locator("main h2").first().waitFor();
    await page.waitForLoadState("networkidle");
    const text = (await page.locator("main").innerText()) ?? "";
    expect(text).toContain("Product 3: which installments will be paid late");
    expect(text).not.toMatch(/undefined|NaN|\[object Object\]/);
    const report = JSON.parse(
      await readFile(
        join(
          "dist",
          "_file",
          "data",
          (await readdir(join("dist", "_file", "data"))).find((f) => f.startsWith("risk-metrics."))!
        ),
        "utf8"
      )
    );
    expect(text).toContain(`ROC-AUC ${report.chosen.auc.toFixed(3)}`);
  }, 60_000);

  it("Model health: administrators see the scoring API's calls and latency", async () => {
    const {page} = await open(context, `${server.url}/model-health`);
    await expect
      .poll(async () => page.locator("#scoring-health").textContent(), {timeout: 20_000})
      .toContain("Scoring calls");
  }, 60_000);

  it("Model health: the status shown is the worst feature's PSI status from the loader", async () => {
    const drift = await loaderRows("model-health");
    const order = ["green", "amber", "red"];
    const worst = drift.reduce(
      (w, d) => (order.indexOf(String(d.status)) > order.indexOf(w) ? String(d.status) : w),
      "green"
    );
    const {page} = await open(context, `${server.url}/model-health`);
    await expect
      .poll(async () => page.locator("#model-status h2").textContent(), {timeout: 20_000})
      .toContain(worst.toUpperCase());
  }, 60_000);
});
