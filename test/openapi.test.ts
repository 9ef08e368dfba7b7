import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {launchBrowser, foreignRequests, openPage} from "./helpers/browser.js";
import {accountsServer} from "./helpers/accounts.js";
import type {TestServer} from "./helpers/server.js";
import {describeWith} from "./helpers/services.js";

const ours = [
  "get /terms",
  "post /terms",
  "get /terms/current",
  "get /terms/{version}",
  "get /consent",
  "post /consent",
  "get /consent/history",
  "get /profile",
  "patch /profile",
  "get /profile/changes",
  "get /me/data",
  "get /me/processing",
  "post /me/exports",
  "get /me/exports",
  "get /me/exports/{token}",
  "post /me/deletion",
  "delete /me",
  "get /notifications",
  "post /notifications/read-all",
  "post /notifications/{id}/read",
  "get /users",
  "post /users",
  "get /users/{id}",
  "patch /users/{id}",
  "delete /users/{id}",
  "post /users/{id}/deletion",
  "get /users/{id}/consent",
  "get /users/{id}/changes",
  "get /audit",
  "get /audit/verify",
  "get /health",
  "post /auth/sign-in/email",
  "post /auth/sign-up/email",
  "post /exports/{format}"
];

describe("the API description", () => {
  let server: TestServer;
  let doc: {
    paths: Record<string, Record<string, {requestBody?: unknown; security?: unknown}>>;
    components: {schemas: object};
  };
  beforeAll(async () => {
    server = await accountsServer();
    doc = await (await fetch(`${server.url}/api/openapi.json`)).json();
  });
  afterAll(() => server?.close());

  it("describes every endpoint, generated from the routes' schemas", () => {
    const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path.replace(/\/$/, "") || "/"}`)
    );
    for (const endpoint of ours) expect(described, endpoint).toContain(endpoint);
  });

  it("carries the request schemas, field by field, and marks signed-in routes", () => {
    expect(doc.components.schemas).toHaveProperty("ProfilePatch");
    expect(doc.components.schemas).toHaveProperty("NewTerms");
    expect(doc.paths["/profile"].patch.requestBody).toBeDefined();
    expect(doc.paths["/profile"].patch.security).toEqual([{session: []}]);
    expect(doc.paths["/terms/current"].get.security).toBeUndefined();
  });

  it("serves a documentation page whose assets all come from our own origin", async () => {
    const page = await fetch(`${server.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.every((s) => s.startsWith("/api/docs/"))).toBe(true);
    for (const source of sources) expect((await fetch(`${server.url}${source}`)).status, source).toBe(200);
    expect((await fetch(`${server.url}/api/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});

describeWith("chromium", "the API documentation page in a browser", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await accountsServer();
  });
  afterAll(() => server?.close());

  it("renders every operation without a request leaving the origin", async () => {
    const browser = await launchBrowser();
    try {
      const {page, requests, consoleErrors} = await openPage(browser);
      await page.goto(`${server.url}/api/docs`);
      await page.waitForSelector(".opblock-summary-path", {timeout: 20_000});
      expect(await page.locator(".opblock").count()).toBeGreaterThanOrEqual(ours.length);
      expect(foreignRequests(requests, server.url)).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
