// Versioned terms on a page: a version to read, and a version to decide on, item by item (mandatory items must
// be ticked, optional ones are free), as sign-up and /terms show them. The privacy center uses switches instead.
import {api} from "./api-client.js";
import {el} from "./form-kit.js";

export interface TermItem {
  code: string;
  mandatory: boolean;
  title: string;
  text: string;
}

export interface TermVersion {
  version: number;
  title: string;
  summary: string;
  publishedAt: string;
  items: TermItem[];
}

export interface VersionSummary {
  version: number;
  title: string;
  publishedAt: string;
  items: number;
  current: boolean;
}

export type Decision = "accept" | "revoke";

/**
 * The current version, or null when none is published yet (nothing to accept). Asked through the list, which
 * always answers 200, so a fresh install's sign-up page logs no failed request.
 */
export async function currentTerms(): Promise<TermVersion | null> {
  const list = await api<{versions: VersionSummary[]}>("/api/terms", {keepPage: true});
  const current = list.ok ? list.data.versions.find((v) => v.current) : undefined;
  if (!current) return null;
  const result = await api<TermVersion>(`/api/terms/${current.version}`, {keepPage: true});
  return result.ok ? result.data : null;
}

function tag(mandatory: boolean): HTMLElement {
  return el("span", {class: `tag ${mandatory ? "mandatory" : "optional"}`}, mandatory ? "required" : "optional");
}

/** A version to read: title, summary, each item with its text. */
export function termsDocument(terms: TermVersion): HTMLElement {
  return el(
    "article",
    {class: "terms-document", "data-version": terms.version},
    el("h3", {}, `Version ${terms.version}: ${terms.title}`),
    el("p", {class: "hint"}, `Published ${terms.publishedAt.slice(0, 10)}`),
    terms.summary ? el("p", {}, terms.summary) : null,
    el(
      "ul",
      {class: "term-items"},
      terms.items.map((item) =>
        el("li", {class: "term-text-only"}, el("strong", {}, item.title), tag(item.mandatory), el("p", {}, item.text))
      )
    )
  );
}

export interface TermChoices {
  element: HTMLElement;
  /** One decision per item: accept what is ticked, revoke what is not. */
  decisions(): {item: string; decision: Decision}[];
  /** A message when a mandatory item is not ticked (each such box is marked), else null. */
  check(): string | null;
}

/** Checkboxes for a version's items, ticked where `accepted` says so; mandatory ones are required. */
export function termChoices(terms: TermVersion, accepted: ReadonlySet<string> = new Set()): TermChoices {
  const boxes = terms.items.map((item) => {
    const id = `term-${terms.version}-${item.code}`;
    const box = el("input", {
      type: "checkbox",
      id,
      name: `term-${item.code}`,
      "data-field": `term.${item.code}`,
      "data-item": item.code,
      required: item.mandatory,
      checked: accepted.has(item.code)
    });
    const row = el(
      "div",
      {class: "term-item"},
      box,
      el("label", {for: id}, item.title, tag(item.mandatory)),
      el("p", {class: "term-text", id: `${id}-text`}, item.text)
    );
    box.setAttribute("aria-describedby", `${id}-text`);
    return {item, box, row};
  });
  const element = el(
    "fieldset",
    {class: "term-items", "data-version": terms.version},
    el("legend", {}, `${terms.title} (version ${terms.version})`),
    terms.summary ? el("p", {class: "hint"}, terms.summary) : null,
    boxes.map((b) => b.row)
  );
  return {
    element,
    decisions: () => boxes.map(({item, box}) => ({item: item.code, decision: box.checked ? "accept" : "revoke"})),
    check() {
      const missing = boxes.filter(({item, box}) => item.mandatory && !box.checked);
      for (const {box} of boxes) box.removeAttribute("aria-invalid");
      for (const {box} of missing) box.setAttribute("aria-invalid", "true");
      if (!missing.length) return null;
      missing[0].box.focus();
      return `To continue, accept the required items: ${missing.map((m) => m.item.title).join(", ")}.`;
    }
  };
}

/**
 * Records the decisions on the current version. Revoking an item never decided before is left out, so a
 * first acceptance writes only what was accepted.
 */
export function recordConsent(
  version: number,
  decisions: {item: string; decision: Decision}[],
  channel: "sign-up" | "privacy-center",
  known: ReadonlySet<string> = new Set()
) {
  const wanted = decisions.filter((d) => d.decision === "accept" || known.has(d.item));
  if (!wanted.length) return Promise.resolve({ok: true, status: 200, data: {changed: [], status: {accepted: true}}});
  return api<{changed: {item: string; decision: Decision}[]; status: {accepted: boolean}}>("/api/consent", {
    method: "POST",
    json: {version, decisions: wanted, channel},
    keepPage: true
  });
}

/** Every published version, newest first, each readable in place (loaded when opened). */
export async function versionHistory(): Promise<HTMLElement> {
  const result = await api<{versions: VersionSummary[]}>("/api/terms", {keepPage: true});
  if (!result.ok)
    return el("p", {class: "status", "data-kind": "error", role: "alert"}, "The versions could not be loaded.");
  if (!result.data.versions.length) return el("p", {class: "hint"}, "No version published yet.");
  return el(
    "div",
    {class: "version-history"},
    result.data.versions.map((v) => {
      const body = el("div", {class: "version-body"}, el("p", {class: "hint"}, "Loading…"));
      const details = el(
        "details",
        {"data-version": v.version},
        el(
          "summary",
          {},
          `Version ${v.version}: ${v.title} · ${v.publishedAt.slice(0, 10)} · ${v.items} items`,
          v.current ? el("span", {class: "tag optional"}, "current") : null
        ),
        body
      );
      details.addEventListener("toggle", async () => {
        if (!details.open || details.dataset.loaded) return;
        details.dataset.loaded = "1";
        const found = await api<TermVersion>(`/api/terms/${v.version}`, {keepPage: true});
        body.replaceChildren(found.ok ? termsDocument(found.data) : el("p", {role: "alert"}, "Could not load it."));
      });
      return details;
    })
  );
}
