// Starts the product: configuration, database, migrations, auth, then one HTTP server for site and API.
import {serve, type ServerType} from "@hono/node-server";
import type {Server as HttpServer} from "node:http";
import {join, resolve} from "node:path";
import {createApp} from "./app.js";
import {createAuth, type Auth} from "./auth.js";
import {loadConfig, type Config} from "./config.js";
import {loadKeyRing, type KeyRing} from "./crypto.js";
import {openDatabase, type Database} from "./db.js";
import {createLogger, type Logger} from "./logger.js";
import {mailerFromConfig, type Mailer} from "./mailer.js";
import {migrate} from "./migrate.js";
import {createOperations} from "./operations.js";
import {encryptPlainUsers} from "./pii.js";
import {rehashLookups} from "./rehash.js";
import {authSecret} from "./secrets.js";
import {systemClock, type Clock} from "./services.js";
import {createAdministrator, newAdministrator} from "./users.js";
import {lockEmbedded, unlockEmbedded} from "./embedded.js";

export interface Runtime {
  config: Config;
  db: Database;
  auth: Auth;
  logger: Logger;
  /** Encryption and keyed hashes for personal data. */
  keys: KeyRing;
  mailer: Mailer;
  /** Swappable in tests (expiring links); everything time-dependent reads it. */
  clock: Clock;
}

/** Opens the database, applies migrations and builds auth: everything but the HTTP listener. */
export async function openRuntime(
  config = loadConfig(),
  logger = createLogger(config.LOG_LEVEL),
  dbOptions: {dataDir?: string; schema?: string} = {}
): Promise<Runtime> {
  const embeddedDir =
    config.DATABASE_URL || dbOptions.dataDir?.startsWith("memory://") ? undefined : config.GRAFENO_DATA_DIR;
  if (embeddedDir) await lockEmbedded(embeddedDir);
  const db = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: dbOptions.dataDir ?? join(config.GRAFENO_DATA_DIR, "pglite"),
    schema: dbOptions.schema,
    logger
  });
  const close = db.close;
  db.close = async () => {
    await close();
    if (embeddedDir) await unlockEmbedded(embeddedDir);
  };
  let secret: string;
  let keys: KeyRing;
  try {
    const applied = await migrate(db.sql);
    if (applied.length) logger.info({applied}, "migrations applied");
    secret = await authSecret(config.BETTER_AUTH_SECRET, {
      embedded: db.embedded,
      dataDir: config.GRAFENO_DATA_DIR,
      logger
    });
    keys = await loadKeyRing(config, {embedded: db.embedded, dataDir: config.GRAFENO_DATA_DIR, logger});
    // Before anyone can sign in (better-auth looks addresses up by their keyed hash): lookup hashes made with
    // another PII_HASH_KEY are recomputed under this one, then users stored in clear (before migration 0400, or
    // restored from an older backup) are encrypted, their hashes compared with hashes under the same key.
    await rehashLookups(db.sql, keys, {logger});
    const encrypted = await encryptPlainUsers(db.sql, keys);
    if (encrypted) logger.info({users: encrypted}, "encrypted the email and name of users stored in clear");
  } catch (error) {
    // A server that will not start releases the database (and the embedded lock) it opened.
    await db.close().catch(() => {});
    throw error;
  }
  const mailer = mailerFromConfig({...config, dataDir: config.GRAFENO_DATA_DIR});
  const clock: Clock = {now: () => systemClock.now()};
  const [max, window] = config.SIGN_IN_RATE_LIMIT.split("/").map(Number);
  const auth = createAuth({
    sql: db.sql,
    secret,
    baseURL: config.publicUrl,
    signInLimit: {max, window},
    effects: {keys, mailer, clock, logger}
  });
  return {config, db, auth, logger, keys, mailer, clock};
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(runtime: Runtime): Promise<RunningServer> {
  const {config, db, auth, logger, keys, mailer, clock} = runtime;
  // The job worker (backups, the erasure journal) runs while the server listens.
  const operations = createOperations({
    sql: db.sql,
    keys,
    mailer,
    clock,
    logger,
    publicUrl: config.publicUrl,
    config,
    embedded: db.embedded
  });
  const app = createApp({
    sql: db.sql,
    auth,
    logger,
    distDir: resolve(config.GRAFENO_DIST),
    keys,
    mailer,
    clock,
    publicUrl: config.publicUrl,
    operations,
    trustProxy: config.TRUST_PROXY
  });
  const server: ServerType = await new Promise((ready) => {
    const s = serve({fetch: app.fetch, port: config.PORT, hostname: config.HOST}, () => ready(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  operations.start();
  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.HOST}:${port}`,
    port,
    close: () =>
      (closing ??= (async () => {
        // Stop accepting, let in-flight requests finish, then release the database.
        const closed = new Promise<void>((done) => server.close(() => done()));
        // Keep-alive sockets would hold close() open: drop the idle ones now, the busy ones after a grace period.
        const http = server as HttpServer;
        http.closeIdleConnections?.();
        const grace = setTimeout(() => http.closeAllConnections?.(), 5_000);
        await closed;
        clearTimeout(grace);
        await operations.stop();
        await db.close();
      })())
  };
}

export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const runtime = await openRuntime(config, logger);
  if (process.env.ADMIN_EMAIL) {
    const who = newAdministrator.parse({
      email: process.env.ADMIN_EMAIL,
      name: process.env.ADMIN_NAME ?? process.env.ADMIN_EMAIL.split("@")[0],
      password: process.env.ADMIN_PASSWORD
    });
    const admin = await createAdministrator(runtime, who);
    logger.info({email: admin.email}, "administrator ready");
  }
  const running = await listen(runtime);
  // Signals first: a SIGTERM arriving while the start-up messages are still being prepared must still close cleanly.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({signal}, "shutting down");
      const timer = setTimeout(() => process.exit(1), 10_000);
      timer.unref();
      running.close().then(
        () => process.exit(0),
        (error) => {
          logger.error({err: error}, "shutdown failed");
          process.exit(1);
        }
      );
    });
  }
  logger.info({url: running.url, database: runtime.db.embedded ? "embedded PGlite" : "DATABASE_URL"}, "listening");
  console.error(`\n  Grafeno Workbench on ${running.url}\n`);
  const [{admins}] = await runtime.db.sql<
    {admins: number}[]
  >`SELECT count(*)::int AS admins FROM "user" WHERE role = 'admin'`;
  if (admins === 0) {
    console.error("  No administrator yet. Either stop the server (Ctrl-C) and run");
    console.error('    npm run admin:create -- --email you@example.com --name "Your Name"');
    console.error("  or start it with ADMIN_EMAIL=you@example.com ADMIN_PASSWORD=… npm start\n");
  }
}
