// Takes a backup of the LGPD tables now: npx tsx scripts/backup.ts   (--list shows the backups in the storage)
// Same configuration as the server: DATABASE_URL (or the embedded database), BACKUP_S3_URL… or BACKUP_DIR,
// BACKUP_KEY, BACKUP_RETAIN. While the server holds the embedded database, ask it instead: POST /api/backups.
import {join} from "node:path";
import {parseArgs} from "node:util";
import {listBackups, runBackup} from "../api/backup.js";
import {loadBackupKeys} from "../api/backup-crypto.js";
import {storageFromConfig} from "../api/backup-storage.js";
import {loadConfig} from "../api/config.js";
import {openDatabase} from "../api/db.js";
import {lockEmbedded, unlockEmbedded} from "../api/embedded.js";
import {createLogger} from "../api/logger.js";
import {migrate} from "../api/migrate.js";
import {systemClock} from "../api/services.js";

const {values} = parseArgs({options: {list: {type: "boolean"}, help: {type: "boolean"}}});
if (values.help) {
  console.error("usage: npx tsx scripts/backup.ts          take a backup now");
  console.error("       npx tsx scripts/backup.ts --list   list the backups (complete or not), newest first");
  process.exit(0);
}

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const storage = await storageFromConfig(config);
if (values.list) {
  for (const b of await listBackups(storage)) {
    const state = b.complete ? `complete, ${b.rows} rows, key ${b.keyId}` : "INCOMPLETE (no manifest)";
    console.log(`${b.id}  ${state}, ${b.objects} objects, ${b.bytes} bytes`);
  }
  process.exit(0);
}

const embeddedDir = config.DATABASE_URL ? undefined : config.GRAFENO_DATA_DIR;
if (embeddedDir) await lockEmbedded(embeddedDir);
const db = await openDatabase({url: config.DATABASE_URL, dataDir: join(config.GRAFENO_DATA_DIR, "pglite"), logger});
try {
  await migrate(db.sql);
  const keys = await loadBackupKeys(config, {
    embedded: db.embedded,
    dataDir: config.GRAFENO_DATA_DIR,
    logger,
    create: true
  });
  const manifest = await runBackup({
    sql: db.sql,
    storage,
    keys,
    clock: systemClock,
    logger,
    retain: config.BACKUP_RETAIN
  });
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  console.error(
    `backup ${manifest.id} complete: ${manifest.tables.length} tables, ${rows} rows, key ${manifest.keyId}`
  );
  console.error(`  in ${storage.description}`);
} catch (error) {
  console.error(`backup FAILED: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
  if (embeddedDir) await unlockEmbedded(embeddedDir);
}
