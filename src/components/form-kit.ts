// What the account and administration forms share: a small element builder, field-level messages from the
// API's 400 `{error, fields}`, a status line for success and failure, a confirmation dialog before destructive
// acts, and one stylesheet (injected, since the sign-up page is public and page files under _file/ are not).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** `el("button", {type: "button", onclick: f}, "Save")`; attributes set to false, null or undefined are left out. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") node.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

let fieldIds = 0;

/** Removes every field message and invalid mark in the form. */
export function clearFieldErrors(root: HTMLElement): void {
  for (const message of root.querySelectorAll(".field-error")) message.remove();
  for (const input of root.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const describedBy = (input.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter((id) => id && !id.startsWith("field-error-"))
      .join(" ");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    else input.removeAttribute("aria-describedby");
  }
}

/**
 * Puts each message under its field: the element with `data-field` equal to the API's key (e.g. `cpf`,
 * `items.0.code`), else the one with that `name`. Returns the messages no field claimed, as text.
 */
export function showFieldErrors(root: HTMLElement, fields: Record<string, string[]> = {}): string {
  const unclaimed: string[] = [];
  let first: HTMLElement | null = null;
  for (const [key, list] of Object.entries(fields)) {
    const target =
      root.querySelector<HTMLElement>(`[data-field="${CSS.escape(key)}"]`) ??
      root.querySelector<HTMLElement>(`[name="${CSS.escape(key)}"]`);
    if (!target) {
      unclaimed.push(`${key === "_" ? "" : `${key}: `}${list.join("; ")}`);
      continue;
    }
    const id = `field-error-${++fieldIds}`;
    const message = el("p", {class: "field-error", id}, list.join("; "));
    target.setAttribute("aria-invalid", "true");
    target.setAttribute("aria-describedby", `${target.getAttribute("aria-describedby") ?? ""} ${id}`.trim());
    // A message sits after the field, or after its label when the field is inside one (checkboxes).
    const anchor = target.closest("label") ?? target;
    anchor.after(message);
    first ??= target;
  }
  first?.focus();
  return unclaimed.join(" · ");
}

/** The status line of a form or section: `role=status` for news, `role=alert` for failures. */
export function statusLine(): HTMLParagraphElement {
  return el("p", {class: "status", role: "status", "aria-live": "polite"});
}

export function setStatus(line: HTMLElement, text: string, kind: "ok" | "error" | "info" = "info"): void {
  line.textContent = text;
  line.dataset.kind = kind;
  line.setAttribute("role", kind === "error" ? "alert" : "status");
}

export interface ConfirmOptions {
  title: string;
  body: (Node | string)[];
  confirmLabel: string;
  /** When set, the person must type this text before the confirm button works (irreversible acts). */
  typeToConfirm?: string;
  danger?: boolean;
}

/** A modal dialog; resolves true only when the person confirms. */
export function confirmDialog({
  title,
  body,
  confirmLabel,
  typeToConfirm,
  danger = true
}: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = `dialog-title-${++fieldIds}`;
    const confirm = el(
      "button",
      {type: "submit", class: danger ? "danger" : "primary", value: "confirm"},
      confirmLabel
    );
    const cancel = el("button", {type: "button"}, "Cancel");
    const typed = typeToConfirm
      ? el("input", {type: "text", autocomplete: "off", spellcheck: "false", "data-confirm-text": ""})
      : null;
    const form = el(
      "form",
      {method: "dialog"},
      el("h2", {id: titleId}, title),
      ...body.map((b) => (typeof b === "string" ? el("p", {}, b) : b)),
      typed ? el("label", {class: "field"}, el("span", {}, `Type ${typeToConfirm} to confirm`), typed) : null,
      el("div", {class: "actions"}, cancel, confirm)
    );
    const dialog = el("dialog", {class: "confirm-dialog", "aria-labelledby": titleId}, form);
    if (typed) {
      confirm.disabled = true;
      typed.addEventListener("input", () => (confirm.disabled = typed.value.trim() !== typeToConfirm));
    }
    let answer = false;
    form.addEventListener("submit", () => (answer = true));
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    (typed ?? cancel).focus();
  });
}

/** Disables a button while its task runs, so a double click cannot send twice. */
export async function busy<T>(button: HTMLButtonElement, task: () => Promise<T>): Promise<T> {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await task();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

const css = `
.account-page {max-width: 64rem;}
.account-page h2 {margin-top: 2rem;}
.stack-form {display: grid; gap: 0.75rem; max-width: 32rem;}
.stack-form .field, .confirm-dialog .field {display: grid; gap: 0.25rem;}
.account-page input:not([type=checkbox]), .account-page select, .account-page textarea,
.confirm-dialog input {font: inherit; padding: 0.4rem; max-width: 100%; box-sizing: border-box;}
.account-page textarea {min-height: 5rem; width: 100%;}
.stack-form input:not([type=checkbox]), .stack-form select {width: 100%;}
.account-page button, .confirm-dialog button, .user-menu button {font: inherit; padding: 0.35rem 0.8rem; cursor: pointer;}
.account-page button:disabled, .confirm-dialog button:disabled {cursor: not-allowed; opacity: 0.6;}
button.danger {background: var(--theme-red, #c22); color: white; border: 1px solid transparent; border-radius: 4px;}
button.primary {background: var(--theme-foreground-focus, #3b5fc0); color: white; border: 1px solid transparent;
  border-radius: 4px;}
.hint {color: var(--theme-foreground-muted); font-size: 0.9em; margin: 0;}
.field-error {color: var(--theme-red, #c22); margin: 0; font-size: 0.9em;}
[aria-invalid=true] {outline: 2px solid var(--theme-red, #c22); outline-offset: 1px;}
.status {min-height: 1.5em; margin: 0.25rem 0;}
.status[data-kind=ok] {color: var(--theme-green, #2a7);}
.status[data-kind=error] {color: var(--theme-red, #c22);}
.actions {display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0;}
.filters-bar {display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; margin: 0.5rem 0;}
.filters-bar .field {display: grid; gap: 0.2rem;}
.term-items {display: grid; gap: 0.75rem; border: 1px solid var(--theme-foreground-faint); border-radius: 6px;
  padding: 0.75rem; margin: 0.5rem 0; max-width: 48rem;}
.term-item {display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.6rem; align-items: start;}
.term-item > .term-text {grid-column: 2; margin: 0; color: var(--theme-foreground-muted); white-space: pre-wrap;
  overflow-wrap: anywhere;}
.term-item label {font-weight: 600;}
.tag {display: inline-block; font-size: 0.75em; font-weight: 600; padding: 0 0.4em; border-radius: 3px;
  border: 1px solid currentColor; margin-left: 0.4em; vertical-align: middle;}
.tag.mandatory {color: var(--theme-red, #c22);}
.tag.optional {color: var(--theme-foreground-muted);}
.switch {appearance: none; width: 2.4rem; height: 1.3rem; border-radius: 1rem; position: relative; cursor: pointer;
  background: var(--theme-foreground-faint, #ccc); transition: background 0.15s; margin: 0.1rem 0 0; flex: none;}
.switch::after {content: ""; position: absolute; top: 0.15rem; left: 0.15rem; width: 1rem; height: 1rem;
  border-radius: 50%; background: white; transition: left 0.15s;}
.switch:checked {background: var(--theme-green, #2a7);}
.switch:checked::after {left: 1.25rem;}
.switch:focus-visible {outline: 2px solid var(--theme-foreground-focus); outline-offset: 2px;}
.sr-only {position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;}
.table-scroll {overflow-x: auto; max-width: 100%;}
.data-table {border-collapse: collapse; width: 100%; max-width: none; font-size: 0.9em;}
.data-table th, .data-table td {text-align: left; padding: 0.35rem 0.5rem; vertical-align: top;
  border-bottom: 1px solid var(--theme-foreground-faint); overflow-wrap: break-word;}
.data-table td.nowrap {white-space: nowrap;}
.data-table code {font-size: 0.85em; word-break: break-all;}
@media (max-width: 900px) {
  .data-table thead {position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);}
  .data-table tr {display: block; border-bottom: 2px solid var(--theme-foreground-faint); padding: 0.4rem 0;}
  .data-table td {display: grid; grid-template-columns: 7.5rem minmax(0, 1fr); gap: 0.5rem; border: none;
    padding: 0.15rem 0;}
  .data-table td::before {content: attr(data-label); font-weight: 600; color: var(--theme-foreground-muted);}
}
.pager {display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.5rem 0;}
.panel {border: 1px solid var(--theme-foreground-faint); border-radius: 6px; padding: 0.75rem 1rem; margin: 0.75rem 0;}
.confirm-dialog {max-width: min(34rem, calc(100vw - 2rem)); border: 1px solid var(--theme-foreground-faint);
  border-radius: 8px; padding: 1rem 1.25rem; background: var(--theme-background); color: var(--theme-foreground);}
.confirm-dialog::backdrop {background: rgb(0 0 0 / 0.4);}
.confirm-dialog h2 {margin-top: 0;}
.confirm-dialog ul {padding-left: 1.2rem;}
.user-menu {display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: flex-end;
  font-size: 0.9em; margin: 0 0 0.5rem;}
.user-menu .who {color: var(--theme-foreground-muted); overflow-wrap: anywhere;}
.user-menu details {position: relative;}
.user-menu summary {cursor: pointer; list-style: none;}
.user-menu summary::-webkit-details-marker {display: none;}
.user-menu .badge {display: inline-block; min-width: 1.3em; text-align: center; border-radius: 1em; padding: 0 0.35em;
  background: var(--theme-red, #c22); color: white; font-size: 0.8em; font-weight: 600;}
.user-menu .badge[data-count="0"] {background: var(--theme-foreground-faint); color: var(--theme-foreground);}
.user-menu .notices {position: absolute; right: 0; z-index: 10; width: min(22rem, calc(100vw - 2rem));
  background: var(--theme-background); border: 1px solid var(--theme-foreground-faint); border-radius: 6px;
  padding: 0.5rem 0.75rem; box-shadow: 0 4px 12px rgb(0 0 0 / 0.15); max-height: 60vh; overflow-y: auto;}
.user-menu .notices ul {list-style: none; padding: 0; margin: 0;}
.user-menu .notices li {padding: 0.4rem 0; border-bottom: 1px solid var(--theme-foreground-faint);}
.user-menu .notices li[data-unread] {font-weight: 600;}
.user-menu .notices p {margin: 0.1rem 0; font-weight: normal; overflow-wrap: anywhere;}
`;

/** Adds the stylesheet once per page. */
export function useFormStyles(): void {
  if (document.getElementById("form-kit-styles")) return;
  document.head.append(el("style", {id: "form-kit-styles"}, css));
}
