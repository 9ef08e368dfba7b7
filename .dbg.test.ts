import {it} from "vitest";
import {audit} from "./api/audit.js";
import {migrate} from "./api/migrate.js";
import {testDatabase} from "./test/helpers/database.js";
it("dbg", async () => {
  const db = await testDatabase();
  await migrate(db.sql);
  await Promise.all(Array.from({length: 6}, (_, i) => audit(db.sql, {action: "c", detail: {i}})));
  console.log(await db.sql`SELECT id, left(prev_hash, 8) p, left(hash, 8) h, detail FROM audit_log ORDER BY id`);
  await db.close();
});
