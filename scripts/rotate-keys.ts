// Re-encrypts personal data with the active key: npx tsx scripts/rotate-keys.ts
// Add the new key to PII_KEYS, point PII_ACTIVE_KEY at it, run this, then drop older keys it reports at zero.
// `--generate` prints a fresh key set in the environment's format and touches nothing.
import {parseArgs} from "node:util";
import {loadConfig} from "../api/config.js";
import {generateKeyEnv} from "../api/crypto.js";
import {createLogger} from "../api/logger.js";
import {rotateKeys} from "../api/pii.js";
import {openRuntime} from "../api/server.js";

const {values} = parseArgs({options: {generate: {type: "string"}, help: {type: "boolean"}}});
if (values.help) {
  console.error("usage: npx tsx scripts/rotate-keys.ts            re-encrypt with PII_ACTIVE_KEY");
  console.error("       npx tsx scripts/rotate-keys.ts --generate k2   print a new key (and hash key) to add");
  process.exit(0);
}
if (values.generate) {
  const fresh = generateKeyEnv(values.generate);
  console.log(`add to PII_KEYS:  ${fresh.PII_KEYS}`);
  console.log(`PII_ACTIVE_KEY=${fresh.PII_ACTIVE_KEY}`);
  console.log(`(a new installation also needs PII_HASH_KEY=${fresh.PII_HASH_KEY})`);
  process.exit(0);
}

const runtime = await openRuntime(loadConfig(), createLogger("warn"));
try {
  const report = await rotateKeys(runtime.db.sql, runtime.keys);
  console.error(`re-encrypted ${report.reencrypted} values with key "${report.activeKeyId}"`);
  for (const [id, count] of Object.entries(report.remaining)) console.error(`  key ${id}: ${count} values`);
  const unused = runtime.keys.keyIds.filter((id) => !report.remaining[id] && id !== report.activeKeyId);
  if (unused.length) console.error(`no data left under ${unused.join(", ")}: they may be removed from PII_KEYS`);
} finally {
  await runtime.db.close();
}
