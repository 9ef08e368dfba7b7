// A browser context already signed in as an administrator, through the same sign-in endpoint the form uses.
import type {Browser, BrowserContext} from "playwright-core";
import {createAdministrator} from "../../api/users.js";
import type {TestServer} from "./server.js";

export const analyst = {email: "analyst@example.com", name: "Ana Analyst", password: "analyst password 1"};

export async function signedInContext(
  browser: Browser,
  server: TestServer,
  viewport = {width: 1440, height: 900}
): Promise<BrowserContext> {
  await createAdministrator(server.runtime, analyst);
  const context = await browser.newContext({viewport, acceptDownloads: true});
  const response = await context.request.post(`${server.url}/api/auth/sign-in/email`, {
    data: {email: analyst.email, password: analyst.password},
    headers: {origin: server.url}
  });
  if (!response.ok()) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
  return context;
}
