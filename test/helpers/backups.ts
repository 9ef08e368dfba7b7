// Helpers for the backup suites: every backed-up table as JSON lines (to compare databases), and their row count.
import {backupTables} from "../../api/backup.js";
import type {Sql} from "../../api/db.js";

/** Every backed-up table as JSON lines, in a total order. */
export async function dumpTables(sql: Sql): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const {name, orderBy} of backupTables) {
    const rows = await sql.unsafe(`SELECT row_to_json(t)::text AS line FROM "${name}" t ORDER BY ${orderBy}`);
    out[name] = rows.map((r) => r.line as string);
  }
  return out;
}

/** Rows across every backed-up table: 0 means nothing was written. */
export async function backedUpRows(sql: Sql): Promise<number> {
  let n = 0;
  for (const {name} of backupTables) n += Number((await sql.unsafe(`SELECT count(*) AS n FROM "${name}"`))[0].n);
  return n;
}
