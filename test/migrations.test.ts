import {mkdtemp, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {getMigrations} from "better-auth/db/migration";
import {afterEach, beforeEach, describe, expect, it} from "vitest";
import {createAuth} from "../api/auth.js";
import type {Database} from "../api/db.js";
import {listMigrations, migrate, migrationStatus} from "../api/migrate.js";
import {testDatabase} from "./helpers/database.js";

describe("schema migrations", () => {
  let db: Database;
  beforeEach(async () => {
    db = await testDatabase();
  });
  afterEach(() => db.close());

  it("applies every SQL file once and records it", async () => {
    const all = (await listMigrations()).map((m) => m.name);
    expect(await migrate(db.sql)).toEqual(all);
    expect(await migrate(db.sql)).toEqual([]);
    expect(await migrationStatus(db.sql)).toEqual({applied: all, pending: []});
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = await mkdtemp(join(tmpdir(), "migrations-"));
    await writeFile(join(dir, "0001_a.sql"), "CREATE TABLE a (id int);");
    await migrate(db.sql, dir);
    await writeFile(join(dir, "0001_a.sql"), "CREATE TABLE a (id bigint);");
    await expect(migrate(db.sql, dir)).rejects.toThrow(/0001_a\.sql was edited/);
  });

  it("leaves nothing behind when a migration fails halfway", async () => {
    const dir = await mkdtemp(join(tmpdir(), "migrations-"));
    await writeFile(join(dir, "0001_bad.sql"), "CREATE TABLE half (id int); SELECT * FROM no_such_table;");
    await expect(migrate(db.sql, dir)).rejects.toThrow(/no_such_table/);
    const [{exists}] = await db.sql`SELECT to_regclass('half') IS NOT NULL AS exists`;
    expect(exists).toBe(false);
    expect((await migrationStatus(db.sql, dir)).pending).toEqual(["0001_bad.sql"]);
  });

  it("holds every table and column better-auth expects", async () => {
    await migrate(db.sql);
    const auth = createAuth({sql: db.sql, secret: "s".repeat(40), baseURL: "http://127.0.0.1:3000"});
    const {toBeCreated, toBeAdded} = await getMigrations(auth.options);
    expect(toBeCreated.map((t) => t.table)).toEqual([]);
    expect(toBeAdded.map((t) => t.table)).toEqual([]);
  });
});
