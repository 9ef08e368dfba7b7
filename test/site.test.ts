import {mkdir, mkdtemp, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {isPublicPath, resolveSitePath} from "../api/site.js";

describe("site paths", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "site-"));
    await mkdir(join(root, "_file", "data"), {recursive: true});
    await writeFile(join(root, "index.html"), "home");
    await writeFile(join(root, "rfm.html"), "rfm");
    await writeFile(join(root, "_file", "data", "rfm.1234.arrow"), "bytes");
  });

  it("maps clean URLs to their .html file, and / to index.html", async () => {
    expect(await resolveSitePath(root, "/rfm")).toBe(join(root, "rfm.html"));
    expect(await resolveSitePath(root, "/")).toBe(join(root, "index.html"));
    expect(await resolveSitePath(root, "/_file/data/rfm.1234.arrow")).toBe(join(root, "_file/data/rfm.1234.arrow"));
  });

  it("never resolves outside the site folder", async () => {
    expect(await resolveSitePath(root, "/../../etc/passwd")).toBeNull();
    expect(await resolveSitePath(root, "/%2e%2e/%2e%2e/etc/passwd")).toBeNull();
    expect(await resolveSitePath(root, "/rfm%00.html")).toBeNull();
    expect(await resolveSitePath(root, "/%E0%A4%A")).toBeNull();
  });

  it("keeps data files private and only sign-in pages and library code public", () => {
    expect(isPublicPath("/sign-in")).toBe(true);
    expect(isPublicPath("/_npm/d3@7.9.2/abc.js")).toBe(true);
    expect(isPublicPath("/_file/data/rfm.1234.arrow")).toBe(false);
    expect(isPublicPath("/registrations")).toBe(false);
    expect(isPublicPath("/")).toBe(false);
  });
});
