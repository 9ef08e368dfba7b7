// Verifies the audit log's hash chain: npx tsx scripts/verify-audit.ts. Exit code 0 when intact, 1 when a row
// was altered, inserted or removed (the first broken row is printed).
import {verifyChain} from "../api/audit.js";
import {loadConfig} from "../api/config.js";
import {createLogger} from "../api/logger.js";
import {openRuntime} from "../api/server.js";

const runtime = await openRuntime(loadConfig(), createLogger("warn"));
try {
  const report = await verifyChain(runtime.db.sql);
  if (report.ok) {
    console.error(`audit log intact: ${report.checked} entries, head ${report.lastHash}`);
  } else {
    const b = report.broken!;
    console.error(`audit log BROKEN at entry ${b.id} (${b.reason}): expected ${b.expected}, found ${b.found}`);
    process.exitCode = 1;
  }
} finally {
  await runtime.db.close();
}
