// First chart on screen: for each analyst page, the time from navigation to its first chart (or table) being
// visible in Chromium on loopback, next to the sign-in page (no data, no chart) loaded in the same run.
import {createAdministrator} from "../api/users.js";
import {launchBrowser} from "../test/helpers/browser.js";
import {startTestServer} from "../test/helpers/server.js";
import {ensureBuiltSite} from "../test/helpers/site.js";
import {measure, type BenchResult} from "./harness.js";

const pages: [string, string][] = [
  ["/", "#monthly-value svg"],
  ["/rfm", "#rfm-chart svg"],
  ["/clusters", "#cluster-summary table"],
  ["/statistics", "#value-histogram svg"],
  ["/risk", "#calibration-chart svg"],
  ["/model-health", "#psi-chart svg"],
  ["/registrations", "#monthly-chart svg"]
];

export async function pagesBench(): Promise<BenchResult[]> {
  await ensureBuiltSite();
  // The product exactly as the browser tests start it: a free port, a fresh embedded database.
  const server = await startTestServer({GRAFENO_DIST: "dist", SIGN_IN_RATE_LIMIT: "1000/60"});
  await createAdministrator(server.runtime, {email: "bench@example.com", name: "Bench", password: "bench password 1"});
  const browser = await launchBrowser();
  const context = await browser.newContext({viewport: {width: 1440, height: 900}});
  await context.request.post(`${server.url}/api/auth/sign-in/email`, {
    data: {email: "bench@example.com", password: "bench password 1"},
    headers: {origin: server.url}
  });
  const page = await context.newPage();
  const open = (path: string, ready: string) => async () => {
    await page.goto("about:blank");
    const start = performance.now();
    await page.goto(`${server.url}${path}`);
    await page.locator(ready).first().waitFor({timeout: 30_000});
    return performance.now() - start;
  };
  const reference = await measure(open("/sign-in", "form button"), {runs: 5, warmup: 1});
  const results: BenchResult[] = [];
  for (const [path, ready] of pages) {
    results.push({
      name: `First chart on ${path} (Chromium, loopback, warm cache)`,
      what: `navigation → ${ready} visible`,
      ours: await measure(open(path, ready), {runs: 5, warmup: 1}),
      reference: {name: "sign-in page, same run", time: reference},
      goal: "≤ 1,500 ms"
    });
  }
  await browser.close();
  await server.close();
  return results;
}
