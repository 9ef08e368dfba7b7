// GET /api/datasets/{name}/{table}: up to 50,000 rows of one table of a registered dataset as an Arrow stream,
// for the dataset explorer's DuckDB. Analysts and administrators only; CPFs are masked on the way out.
import {createReadStream, existsSync} from "node:fs";
import {join} from "node:path";
import {RecordBatchReader, Table, tableToIPC, Utf8, vectorFromArray, type RecordBatch, type Vector} from "apache-arrow";
import {Hono} from "hono";
import {maskDocument} from "../../loaders/documents.js";
import {readDatasets} from "../../loaders/dataset-registry.js";
import {requireRole, requireSession, requireTerms, type SessionEnv} from "../access.js";
import type {Services} from "../services.js";

export const previewRows = 50_000;
const documentColumns = new Set(["document", "cnpj"]);

async function preview(file: string): Promise<Table> {
  const reader = await RecordBatchReader.from(createReadStream(file));
  const batches: RecordBatch[] = [];
  let rows = 0;
  for await (const batch of reader) {
    batches.push(rows + batch.numRows > previewRows ? batch.slice(0, previewRows - rows) : batch);
    rows += batch.numRows;
    if (rows >= previewRows) break;
  }
  return new Table(batches);
}

export function datasetRoutes({sql, auth}: Services, dataDir: string): Hono<SessionEnv> {
  const app = new Hono<SessionEnv>();
  app.use(requireSession(auth), requireRole("admin", "analyst"), requireTerms(sql));
  app.get("/:name/:table", async (c) => {
    const {name, table} = c.req.param();
    const datasets = await readDatasets(join(dataDir, "datasets.json")).catch(() => []);
    const folder =
      datasets.find((d) => d.name === name)?.folder ?? (name === "sample" ? join(dataDir, "sample") : null);
    if (!folder || !/^[a-z_]{1,40}$/.test(table)) return c.json({error: "not_found"}, 404);
    const file = join(folder, `${table}.arrow`);
    if (!existsSync(file)) return c.json({error: "not_found"}, 404);
    let rows = await preview(file);
    const masked = rows.schema.fields.filter((f) => documentColumns.has(f.name)).map((f) => f.name);
    if (masked.length) {
      const source = rows;
      const columns: Record<string, Vector> = {};
      for (const f of source.schema.fields) {
        const column = source.getChild(f.name)!;
        columns[f.name] = masked.includes(f.name)
          ? vectorFromArray(
              Array.from(column, (v) => (v == null ? null : maskDocument(String(v)))),
              new Utf8()
            )
          : column;
      }
      rows = new Table(columns);
    }
    return c.body(new Uint8Array(tableToIPC(rows, "stream")), 200, {
      "content-type": "application/vnd.apache.arrow.stream",
      "x-preview-rows": String(rows.numRows)
    });
  });
  return app;
}
