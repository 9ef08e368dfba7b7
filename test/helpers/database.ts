// A fresh database per suite: a random schema on the real PostgreSQL when DATABASE_URL is set, otherwise an
// in-memory PGlite behind the same socket the product uses.
import {randomBytes} from "node:crypto";
import {openDatabase, type Database} from "../../api/db.js";

export async function testDatabase(): Promise<Database & {schema?: string}> {
  const url = process.env.DATABASE_URL;
  if (!url) return openDatabase({dataDir: "memory://"});
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const db = await openDatabase({url, schema});
  return {
    ...db,
    schema,
    async close() {
      await db.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.close();
    }
  };
}
