// The built site as a client and as an administrator see it: only administrators are offered (and served) the
// administration pages, and every page says who is signed in and lets them sign out.
import type {Browser, BrowserContext} from "playwright-core";
import {afterAll, beforeAll, expect, it} from "vitest";
import config from "../observablehq.config.js";
import {launchBrowser, watchedPage} from "./helpers/browser.js";
import {Client} from "./helpers/http.js";
import {describeWith} from "./helpers/services.js";
import {startTestServer, type TestServer} from "./helpers/server.js";
import {analyst, signedInContext} from "./helpers/session.js";
import {ensureBuiltSite} from "./helpers/site.js";

const client = {email: "cliente@example.com", password: "client password 1", name: "Clara Cliente"};

interface Page {
  path: string;
}
const allPages = (config.pages as (Page | {pages: Page[]})[]).flatMap((p) => ("pages" in p ? p.pages : [p]));
const adminPages = allPages.map((p) => p.path).filter((p) => p.startsWith("/admin/"));
const productPages = ["/", ...allPages.map((p) => p.path).filter((p) => !p.startsWith("/admin/"))];

describeWith("chromium", "pages by role", () => {
  let server: TestServer;
  let browser: Browser;
  let admin: BrowserContext;
  let person: BrowserContext;
  let clientHttp: Client;
  beforeAll(async () => {
    await ensureBuiltSite();
    server = await startTestServer({GRAFENO_DIST: "dist", SIGN_IN_RATE_LIMIT: "1000/60"});
    browser = await launchBrowser();
    admin = await signedInContext(browser, server);
    clientHttp = new Client(server.url);
    expect((await clientHttp.signUp(client.email, client.password, client.name)).status).toBe(200);
    person = await browser.newContext({viewport: {width: 1440, height: 900}});
    const signIn = await person.request.post(`${server.url}/api/auth/sign-in/email`, {
      data: {email: client.email, password: client.password},
      headers: {origin: server.url}
    });
    expect(signIn.ok()).toBe(true);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const sidebarLinks = async (context: BrowserContext, path: string) => {
    const {page} = await watchedPage(context, `${server.url}${path}`);
    const links = await page
      .locator("#observablehq-sidebar a")
      .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const sections = await page.locator("#observablehq-sidebar summary").allTextContents();
    await page.close();
    return {links, sections};
  };

  it("a client's sidebar has no Administration section, on any page", async () => {
    for (const path of ["/", "/rfm", "/profile"]) {
      const {links, sections} = await sidebarLinks(person, path);
      expect(sections, path).toContain("Account");
      expect(sections, path).not.toContain("Administration");
      expect(links, path).toContain("/rfm");
      expect(
        links.filter((l) => l.startsWith("/admin")),
        path
      ).toEqual([]);
    }
  }, 60_000);

  it("an administrator's sidebar lists every administration page, on product and administration pages", async () => {
    for (const path of ["/rfm", "/admin/users"]) {
      const {links, sections} = await sidebarLinks(admin, path);
      expect(sections, path).toContain("Administration");
      expect(
        links.filter((l) => l.startsWith("/admin")),
        path
      ).toEqual(adminPages);
    }
  }, 60_000);

  it("refuses administration pages to a client with 403, however the address is spelled", async () => {
    const {page} = await watchedPage(person);
    const response = await page.goto(`${server.url}/admin/users`);
    expect(response?.status()).toBe(403);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Administrators only");
    await page.close();
    for (const path of [...adminPages, "/admin/users.html", "/%61dmin/audit", "/admin//terms"]) {
      const refused = await clientHttp.request(path);
      expect(refused.status, path).toBe(403);
      expect(await refused.text(), path).not.toContain("observablehq");
    }
    // Product pages are served to the client as before.
    expect((await clientHttp.request("/rfm")).status).toBe(200);
  }, 60_000);

  it("serves administration pages to an administrator", async () => {
    const {page} = await watchedPage(admin);
    for (const path of adminPages) expect((await page.goto(`${server.url}${path}`))?.status(), path).toBe(200);
    await page.close();
  }, 60_000);

  it("every page shows who is signed in and a way to sign out, once", async () => {
    for (const [context, who, paths] of [
      [person, `${client.name} · client`, productPages],
      [admin, `${analyst.name} · admin`, [...productPages, ...adminPages]]
    ] as const) {
      for (const path of paths) {
        const {page} = await watchedPage(context, `${server.url}${path}`);
        const menu = page.locator(".user-menu");
        await menu.getByRole("button", {name: "Sign out"}).waitFor({timeout: 20_000});
        expect(await menu.count(), path).toBe(1);
        expect(await menu.locator(".who").textContent(), path).toBe(who);
        await page.close();
      }
    }
  }, 180_000);

  it("the sign-in page has no menu: nobody is signed in there", async () => {
    const anonymous = await browser.newContext();
    const {page, requests} = await watchedPage(anonymous, `${server.url}/sign-in`);
    await page.getByRole("button", {name: "Sign in"}).waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.locator(".user-menu").count()).toBe(0);
    expect(requests.filter((r) => r.includes("/api/auth/get-session"))).toEqual([]);
    await anonymous.close();
  }, 60_000);
});
