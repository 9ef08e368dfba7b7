// "Download CSV" and "Download Excel" for whatever table a page shows. The server builds the file (exceljs for
// Excel), so exports are logged and formulas in text cells are neutralised in one place.

export interface ExportColumn {
  key: string;
  header: string;
  type: "string" | "number" | "date";
}

export interface ExportRequest {
  name: string;
  columns: ExportColumn[];
  rows: Record<string, string | number | null>[];
}

/** The most rows the server takes in one export (maxExportRows in api/spreadsheet.ts). */
export const maxExportRows = 100_000;

async function download(format: "csv" | "xlsx", request: ExportRequest, status: HTMLElement): Promise<void> {
  if (request.rows.length > maxExportRows) {
    // Refused here rather than after sending tens of megabytes to be told "invalid export".
    status.textContent =
      `${request.rows.length.toLocaleString("en-US")} rows: an export holds at most ` +
      `${maxExportRows.toLocaleString("en-US")}. Narrow the selection first.`;
    return;
  }
  status.textContent = `Preparing ${request.rows.length.toLocaleString("en-US")} rows…`;
  const response = await fetch(`/api/exports/${format}`, {
    method: "POST",
    headers: {"content-type": "application/json"},
    credentials: "same-origin",
    body: JSON.stringify(request)
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    status.textContent = `Export failed: ${problem.error ?? `HTTP ${response.status}`}`;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `${request.name.replace(/\s+/g, "-")}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  status.textContent = `Downloaded ${request.rows.length.toLocaleString("en-US")} rows as ${format.toUpperCase()}.`;
}

/** Two buttons; `table()` is called at click time so the export is the current selection. */
export function exportButtons(table: () => ExportRequest): HTMLElement {
  const root = document.createElement("div");
  root.className = "export-buttons";
  const status = document.createElement("span");
  status.setAttribute("role", "status");
  for (const [format, label] of [
    ["csv", "Download CSV"],
    ["xlsx", "Download Excel"]
  ] as const) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", () =>
      download(format, table(), status).catch((e) => (status.textContent = String(e)))
    );
    root.append(button);
  }
  root.append(status);
  return root;
}
