import {mkdir, mkdtemp, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {isAdminFile, isPublicPath, resolveSitePath, withoutAdminNav} from "../api/site.js";

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

  it("knows an administration page by its file, not by how the URL spells it", () => {
    expect(isAdminFile(root, join(root, "admin", "users.html"))).toBe(true);
    expect(isAdminFile(root, join(root, "administration.html"))).toBe(false);
    expect(isAdminFile(root, join(root, "rfm.html"))).toBe(false);
    expect(isAdminFile(root, join(root, "_import", "admin", "x.js"))).toBe(false);
  });
});

describe("the sidebar without administration", () => {
  // As Framework 1.13 writes it: links relative to the page, an active section marked on its own pages.
  const sidebar = (prefix: string, active = "") => `<nav id="observablehq-sidebar">
  <ol>
    <li class="observablehq-link"><a href="${prefix}">Home</a></li>
  </ol>
  <section>
    <summary>Account</summary>
    <ol>
    <li class="observablehq-link"><a href="${prefix}profile">Profile</a></li>
    </ol>
  </section>
  <section${active}>
    <summary>Administration</summary>
    <ol>
    <li class="observablehq-link"><a href="${prefix}admin/users">Users</a></li>
    <li class="observablehq-link"><a href="${prefix}admin/audit">Audit log</a></li>
    </ol>
  </section>
</nav>
<main><details><summary>Notes</summary><a href="./admin/users">users</a></details></main>`;

  it("drops the section whose links all lead to /admin/, and nothing else", () => {
    const html = withoutAdminNav(sidebar("./"), "/rfm");
    expect(html).not.toContain("Administration");
    expect(html).toContain('<a href="./profile">Profile</a>');
    expect(html).toContain('<a href="./">Home</a>');
    // Only the sidebar is touched: the page's own content stays as written.
    expect(html).toContain('<details><summary>Notes</summary><a href="./admin/users">users</a></details>');
  });

  it("resolves links against the page, as a browser would", () => {
    expect(withoutAdminNav(sidebar("../", ' class="observablehq-section-active"'), "/privacy/")).not.toContain(
      "Administration"
    );
    const mixed = sidebar("./").replace("./admin/audit", "./rfm");
    expect(withoutAdminNav(mixed, "/")).toContain("Administration");
  });
});
