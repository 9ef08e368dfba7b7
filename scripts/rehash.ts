// Re-hashes the email and CPF lookups under the current PII_HASH_KEY: npx tsx scripts/rehash.ts [--force]
// The server does the same when it starts with a new hash key; this runs it with the servers stopped, and tells how
// many rows it rewrote. --force recomputes every hash even when the recorded fingerprint already matches (or is
// missing): a repair for hashes of unknown origin. All or nothing: a ciphertext that cannot be decrypted stops it
// with the table and row, and no hash changes.
import {join} from "node:path";
import {parseArgs} from "node:util";
import {loadConfig} from "../api/config.js";
import {loadKeyRing} from "../api/crypto.js";
import {openDatabase} from "../api/db.js";
import {lockEmbedded, unlockEmbedded} from "../api/embedded.js";
import {createLogger} from "../api/logger.js";
import {migrate} from "../api/migrate.js";
import {hashKeyFingerprint, rehashLookups} from "../api/rehash.js";

const {values} = parseArgs({options: {force: {type: "boolean"}, help: {type: "boolean"}}});
if (values.help) {
  console.error("usage: npx tsx scripts/rehash.ts [--force]   re-hash email and CPF lookups under PII_HASH_KEY");
  process.exit(0);
}

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const embeddedDir = config.DATABASE_URL ? undefined : config.GRAFENO_DATA_DIR;
if (embeddedDir) await lockEmbedded(embeddedDir);
const db = await openDatabase({url: config.DATABASE_URL, dataDir: join(config.GRAFENO_DATA_DIR, "pglite"), logger});
try {
  await migrate(db.sql);
  const keys = await loadKeyRing(config, {embedded: db.embedded, dataDir: config.GRAFENO_DATA_DIR, logger});
  const report = await rehashLookups(db.sql, keys, {logger, force: values.force});
  const fingerprint = hashKeyFingerprint(keys);
  if (report.outcome === "current") {
    console.error(`re-hashed 0 rows: the hashes are already under this key (fingerprint ${fingerprint})`);
  } else if (report.outcome === "recorded") {
    console.error(`re-hashed 0 rows: no fingerprint was recorded; recorded ${fingerprint} (--force recomputes)`);
  } else {
    console.error(
      `re-hashed ${report.users + report.profiles} rows (user: ${report.users}, user_profile: ` +
        `${report.profiles}) under the key with fingerprint ${fingerprint}`
    );
  }
} catch (error) {
  console.error(`rehash failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await db.close();
  if (embeddedDir) await unlockEmbedded(embeddedDir);
}
