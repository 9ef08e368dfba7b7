// Inputs.table shows every row it is given; this wraps it with explicit pages, so a person can say "page 3 of
// 12" and an export can take "this page" or "all rows".
export interface Pager<T> {
  element: HTMLElement;
  page: T[];
}

export function pagedTable<T>(
  rows: T[],
  render: (page: T[]) => HTMLElement,
  {pageSize = 25, label = "rows"}: {pageSize?: number; label?: string} = {}
): HTMLElement {
  const root = document.createElement("div");
  root.className = "paged-table";
  const nav = document.createElement("nav");
  nav.setAttribute("aria-label", "Pages");
  const info = document.createElement("span");
  const previous = document.createElement("button");
  const next = document.createElement("button");
  previous.type = next.type = "button";
  previous.textContent = "← Previous";
  next.textContent = "Next →";
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  let current = 0;
  let table = render(rows.slice(0, pageSize));
  const show = () => {
    const fresh = render(rows.slice(current * pageSize, (current + 1) * pageSize));
    table.replaceWith(fresh);
    table = fresh;
    info.textContent = `Page ${current + 1} of ${pages} · ${rows.length.toLocaleString("en-US")} ${label}`;
    previous.disabled = current === 0;
    next.disabled = current >= pages - 1;
  };
  previous.addEventListener("click", () => ((current = Math.max(0, current - 1)), show()));
  next.addEventListener("click", () => ((current = Math.min(pages - 1, current + 1)), show()));
  nav.append(previous, info, next);
  root.append(table, nav);
  show();
  return root;
}
