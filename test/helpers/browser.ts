// Debian's Chromium driven by playwright-core, with every request the page makes recorded.
import {mkdir} from "node:fs/promises";
import {chromium, type Browser, type BrowserContext, type Page} from "playwright-core";
import {expect} from "vitest";
import {chromiumPath} from "./services.js";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-gpu",
      "--no-first-run"
    ]
  });
}

export interface WatchedPage {
  page: Page;
  requests: string[];
  consoleErrors: string[];
}

/** A new page in `context` whose requests and console errors are recorded, opened at `url` when given. */
export async function watchedPage(context: BrowserContext, url?: string): Promise<WatchedPage> {
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  if (url) await page.goto(url);
  return {page, requests, consoleErrors};
}

export async function openPage(browser: Browser, width = 1440, height = 900): Promise<WatchedPage> {
  return watchedPage(await browser.newContext({viewport: {width, height}}));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir("test/screenshots", {recursive: true});
  await page.screenshot({path: `test/screenshots/${name}.png`, fullPage: true});
}

/** Requests that left the page's origin (data: and blob: URLs stay inside the page). */
export function foreignRequests(requests: string[], origin: string): string[] {
  return requests.filter(
    (url) => !url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin
  );
}

/**
 * What every page must hold to, checked once its first view is drawn: no horizontal overflow, no console errors,
 * nothing requested outside the origin, every input labelled.
 */
export async function expectWellBehaved(
  {page, requests, consoleErrors}: WatchedPage,
  origin: string,
  label: string
): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${label}: horizontal overflow`).toBeLessThanOrEqual(0);
  expect(consoleErrors, label).toEqual([]);
  expect(foreignRequests(requests, origin), label).toEqual([]);
  const unlabelled = await page.evaluate(
    () =>
      [...document.querySelectorAll("main input, main select, main textarea")].filter(
        (el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute("aria-label")
      ).length
  );
  expect(unlabelled, `${label}: inputs without a label`).toBe(0);
}
