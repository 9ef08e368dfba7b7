// Plain HTML tables for the account and administration pages: columns as functions of a row, a caption for
// screen readers, cells labelled so that on a phone each row reads as a small card (no sideways scrolling), and
// a pager for lists the API answers a page at a time.
import {el} from "./form-kit.js";

export interface Column<T> {
  label: string;
  cell: (row: T) => Node | string | number | null;
  /** Short values (numbers, dates) kept on one line on wide screens. */
  nowrap?: boolean;
}

export function dataTable<T>(
  rows: T[],
  columns: Column<T>[],
  {caption, empty = "Nothing to show.", id}: {caption: string; empty?: string; id?: string}
): HTMLElement {
  if (!rows.length) return el("p", {class: "hint", id}, empty);
  const table = el(
    "table",
    {class: "data-table", id},
    el("caption", {class: "sr-only"}, caption),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        columns.map((c) => el("th", {scope: "col"}, c.label))
      )
    ),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          {},
          columns.map((c) => {
            const value = c.cell(row);
            return el("td", {"data-label": c.label, class: c.nowrap ? "nowrap" : null}, value === null ? "—" : value);
          })
        )
      )
    )
  );
  return el("div", {class: "table-scroll"}, table);
}

/** "Page 2 of 7 · 160 users" with previous and next; `go` is called with the page wanted. */
export function pager(
  {page, pageSize, total, label}: {page: number; pageSize: number; total: number; label: string},
  go: (page: number) => void
): HTMLElement {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const previous = el("button", {type: "button", onclick: () => go(page - 1)}, "← Previous");
  const next = el("button", {type: "button", onclick: () => go(page + 1)}, "Next →");
  previous.disabled = page <= 1;
  next.disabled = page >= pages;
  return el(
    "nav",
    {class: "pager", "aria-label": `${label} pages`},
    previous,
    el("span", {}, `Page ${page} of ${pages} · ${total.toLocaleString("en-US")} ${label}`),
    next
  );
}
