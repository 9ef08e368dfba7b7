// Schema migrations: plain SQL files in api/migrations, applied in name order, each once, each in its own
// transaction, recorded with a checksum so an edited migration is noticed rather than silently skipped.
import {createHash} from "node:crypto";
import {readdir, readFile} from "node:fs/promises";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import type {Sql} from "./db.js";

export const migrationsDir = fileURLToPath(new URL("./migrations/", import.meta.url));

export interface Migration {
  name: string;
  checksum: string;
  text: string;
}

export async function listMigrations(dir = migrationsDir): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".sql")).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(dir, name), "utf8");
      return {name, text, checksum: createHash("sha256").update(text).digest("hex")};
    })
  );
}

async function ensureTable(sql: Sql): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;
}

export async function migrationStatus(sql: Sql, dir = migrationsDir): Promise<{applied: string[]; pending: string[]}> {
  await ensureTable(sql);
  const rows = await sql<{name: string}[]>`SELECT name FROM schema_migrations ORDER BY name`;
  const applied = rows.map((r) => r.name);
  const pending = (await listMigrations(dir)).map((m) => m.name).filter((n) => !applied.includes(n));
  return {applied, pending};
}

export async function migrate(sql: Sql, dir = migrationsDir): Promise<string[]> {
  await ensureTable(sql);
  const done: string[] = [];
  for (const migration of await listMigrations(dir)) {
    // Checked and applied inside one transaction under an advisory lock, so two starting servers never race.
    const applied = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(726354)`;
      const [row] = await tx<
        {checksum: string}[]
      >`SELECT checksum FROM schema_migrations WHERE name = ${migration.name}`;
      if (row) {
        if (row.checksum !== migration.checksum) {
          throw new Error(`migration ${migration.name} was edited after it was applied (checksum differs)`);
        }
        return false;
      }
      await tx.unsafe(migration.text);
      await tx`INSERT INTO schema_migrations (name, checksum) VALUES (${migration.name}, ${migration.checksum})`;
      return true;
    });
    if (applied) done.push(migration.name);
  }
  return done;
}
