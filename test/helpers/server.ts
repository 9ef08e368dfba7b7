// Starts the real app on a free port over a test database, with the built site when there is one.
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {createServer} from "node:net";
import {join} from "node:path";
import {loadConfig} from "../../api/config.js";
import {createLogger} from "../../api/logger.js";
import {listen, openRuntime, type Runtime} from "../../api/server.js";

export interface TestServer {
  url: string;
  runtime: Runtime;
  close(): Promise<void>;
}

/** A port free right now; better-auth needs the real origin before the server starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "grafeno-test-"));
  const schema = process.env.DATABASE_URL ? `test_${Math.random().toString(36).slice(2, 10)}` : undefined;
  const config = loadConfig({
    ...process.env,
    PORT: String(await freePort()),
    GRAFENO_DATA_DIR: dataDir,
    BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
    // Personal-data keys are required against a database server (the embedded default generates its own).
    PII_KEYS: `t1:${Buffer.alloc(32, 1).toString("base64")}`,
    PII_HASH_KEY: Buffer.alloc(32, 2).toString("base64"),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...env
  });
  const runtime = await openRuntime(config, createLogger(process.env.TEST_LOG_LEVEL ?? "silent"), {
    dataDir: "memory://",
    schema
  });
  const running = await listen(runtime);
  return {
    url: running.url,
    runtime,
    async close() {
      if (schema) await runtime.db.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await running.close();
      await rm(dataDir, {recursive: true, force: true});
    }
  };
}
