// Restores a backup into an EMPTY database: npx tsx scripts/restore.ts --backup <id|latest> [--into DATABASE_URL]
// Verifies the manifest, every checksum and every GCM tag before writing anything; loads all tables in one
// transaction; re-applies the erasures journaled since the backup; verifies the audit chain. Exit code 1 when
// refused (nothing written) or when the chain does not verify. Without --into: the configured database.
// --erasures-only re-applies the erasures to a database already restored from that backup (after an interruption).
import {join} from "node:path";
import {parseArgs} from "node:util";
import {BackupIntegrityError, loadBackupKeys} from "../api/backup-crypto.js";
import {storageFromConfig} from "../api/backup-storage.js";
import {loadConfig} from "../api/config.js";
import {openDatabase} from "../api/db.js";
import {lockEmbedded, unlockEmbedded} from "../api/embedded.js";
import {createLogger} from "../api/logger.js";
import {migrate} from "../api/migrate.js";
import {reapplyErasuresSince, restoreBackup, RestoreRefused} from "../api/restore.js";
import {systemClock} from "../api/services.js";

const {values} = parseArgs({
  options: {
    backup: {type: "string"},
    into: {type: "string"},
    "erasures-only": {type: "boolean"},
    help: {type: "boolean"}
  }
});
if (values.help || !values.backup) {
  console.error("usage: npx tsx scripts/restore.ts --backup <id|latest> [--into postgres://…] [--erasures-only]");
  process.exit(values.help ? 0 : 2);
}

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const url = values.into ?? config.DATABASE_URL;
const embeddedDir = url ? undefined : config.GRAFENO_DATA_DIR;
if (embeddedDir) await lockEmbedded(embeddedDir);
const db = await openDatabase({url, dataDir: join(config.GRAFENO_DATA_DIR, "pglite"), logger});
try {
  await migrate(db.sql);
  const keys = await loadBackupKeys(config, {
    embedded: !config.DATABASE_URL,
    dataDir: config.GRAFENO_DATA_DIR,
    logger,
    create: false
  });
  const deps = {sql: db.sql, storage: await storageFromConfig(config), keys, clock: systemClock, logger};
  if (values["erasures-only"]) {
    const report = await reapplyErasuresSince(deps, values.backup);
    console.error(`erasures re-applied: ${report.applied.length} (already erased ${report.alreadyErased})`);
  } else {
    const report = await restoreBackup(deps, values.backup);
    console.error(`restored backup ${report.backup}:`);
    for (const t of report.tables) console.error(`  ${t.table}: ${t.rows} rows`);
    const e = report.erasures;
    console.error(
      `erasures since the backup re-applied: ${e.applied.length} (already erased ${e.alreadyErased}, ` +
        `not in the backup ${e.absent})`
    );
    if (report.chain.ok) {
      console.error(`audit log intact: ${report.chain.checked} entries`);
    } else {
      console.error(`audit log BROKEN at entry ${report.chain.broken?.id} (${report.chain.broken?.reason})`);
      process.exitCode = 1;
    }
  }
} catch (error) {
  const refused = error instanceof BackupIntegrityError || error instanceof RestoreRefused;
  console.error(`restore ${refused ? "REFUSED, nothing written" : "FAILED"}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
  if (embeddedDir) await unlockEmbedded(embeddedDir);
}
