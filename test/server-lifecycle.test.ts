import {spawn} from "node:child_process";
import {mkdtemp, readdir} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {freePort} from "./helpers/server.js";

// These are the embedded defaults: no DATABASE_URL even when the suite runs against a PostgreSQL server.
function startServer(env: Record<string, string>) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "DATABASE_URL"));
  const child = spawn(join("node_modules", ".bin", "tsx"), ["scripts/serve.ts"], {
    env: {...inherited, ...env},
    stdio: ["ignore", "pipe", "pipe"]
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => output.includes('"msg":"listening"') && (clearInterval(timer), resolve()), 50);
    child.once("exit", (code) => (clearInterval(timer), reject(new Error(`exited with ${code}: ${output}`))));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {child, listening, exited, output: () => output};
}

describe("the server process", () => {
  it("logs JSON lines with a request id, and shuts down cleanly on SIGTERM, keeping its data", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "grafeno-life-"));
    const port = await freePort();
    const env = {PORT: String(port), GRAFENO_DATA_DIR: dataDir, GRAFENO_DIST: dataDir};
    const first = startServer(env);
    await first.listening;
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    const requestId = health.headers.get("x-request-id");
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const lines = first
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === "request" && l.path === "/api/health")).toMatchObject({requestId, status: 200});
    expect(lines.some((l) => l.msg === "shutting down" && l.signal === "SIGTERM")).toBe(true);

    // The embedded database survives a restart: no migration runs twice, the lock was released.
    expect(await readdir(join(dataDir, "pglite"))).toContain("PG_VERSION");
    const second = startServer(env);
    await second.listening;
    expect(second.output()).not.toContain("migrations applied");
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 60_000);

  it("refuses to open an embedded database another live process holds", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "grafeno-lock-"));
    const first = startServer({PORT: String(await freePort()), GRAFENO_DATA_DIR: dataDir, GRAFENO_DIST: dataDir});
    await first.listening;
    const second = startServer({PORT: String(await freePort()), GRAFENO_DATA_DIR: dataDir, GRAFENO_DIST: dataDir});
    await expect(second.listening).rejects.toThrow(/in use by process \d+/);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }, 60_000);
});
