// GET /api/health: the database answers and every migration is applied.
import {Hono} from "hono";
import type {Sql} from "../db.js";
import {migrationStatus} from "../migrate.js";

export function healthRoutes(sql: Sql): Hono {
  return new Hono().get("/", async (c) => {
    try {
      await sql`SELECT 1`;
      const {applied, pending} = await migrationStatus(sql);
      const ok = pending.length === 0;
      return c.json(
        {status: ok ? "ok" : "degraded", database: "ok", migrations: {applied: applied.length, pending}},
        ok ? 200 : 503
      );
    } catch (error) {
      return c.json({status: "error", database: "unreachable", error: (error as Error).message}, 503);
    }
  });
}
