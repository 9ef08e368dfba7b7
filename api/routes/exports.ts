// POST /api/exports/{xlsx,csv}: a table a signed-in person sees on a page, as a file to take away.
import {Hono, type Context} from "hono";
import {bodyLimit} from "hono/body-limit";
import {exportTable, toCsv, toXlsx, type ExportTable} from "../spreadsheet.js";

export interface ExportHooks {
  /** Called once per export, e.g. to write the audit log. */
  onExport?: (who: {userId: string}, what: {format: string; name: string; rows: number}) => Promise<void>;
  userId: (c: Context) => Promise<string | null>;
}

function fileName(table: ExportTable, extension: string): string {
  return `${table.name.replace(/\s+/g, "-")}.${extension}`;
}

export function exportRoutes(hooks: ExportHooks): Hono {
  const app = new Hono();
  app.use(bodyLimit({maxSize: 32 * 1024 * 1024, onError: (c) => c.json({error: "export too large (32 MB)"}, 413)}));
  app.post("/:format{xlsx|csv}", async (c) => {
    const userId = await hooks.userId(c);
    if (!userId) return c.json({error: "sign in required"}, 401);
    const parsed = exportTable.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      return c.json(
        {
          error: "invalid export",
          fields: parsed.error.issues.map((i) => ({path: i.path.join("."), message: i.message}))
        },
        400
      );
    }
    const table = parsed.data;
    const format = c.req.param("format");
    await hooks.onExport?.({userId}, {format, name: table.name, rows: table.rows.length});
    if (format === "csv") {
      return c.body(`\uFEFF${toCsv(table)}`, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${fileName(table, "csv")}"`
      });
    }
    return c.body(new Uint8Array(await toXlsx(table)), 200, {
      "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-disposition": `attachment; filename="${fileName(table, "xlsx")}"`
    });
  });
  return app;
}
