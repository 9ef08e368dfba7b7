// The same-origin API as the account and administration pages call it: JSON in, JSON out, the session cookie
// sent along, and the two answers every page handles alike (signed out → sign-in, terms pending → /terms).

/** What the API answers when it refuses: a code, maybe a message, and for bad input a message per field. */
export interface Problem {
  error?: string;
  message?: string;
  fields?: Record<string, string[]>;
}

export interface ApiResult<T> {
  ok: boolean;
  status: number;
  /** The parsed body: T when ok, a Problem otherwise. */
  data: T & Problem;
}

export interface ApiOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  json?: unknown;
  /** Leave 401 and 403 terms_required to the caller instead of moving to sign-in or /terms. */
  keepPage?: boolean;
}

function here(): string {
  return encodeURIComponent(location.pathname + location.search);
}

export async function api<T = Record<string, unknown>>(path: string, options: ApiOptions = {}): Promise<ApiResult<T>> {
  const {method = "GET", json, keepPage = false} = options;
  const init: RequestInit = {method, credentials: "same-origin", headers: {accept: "application/json"}};
  if (json !== undefined) {
    init.headers = {accept: "application/json", "content-type": "application/json"};
    init.body = JSON.stringify(json);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    return {ok: false, status: 0, data: {error: "network", message: "The server could not be reached."} as T & Problem};
  }
  const data = (await response.json().catch(() => ({}))) as T & Problem;
  if (!keepPage && response.status === 401) location.assign(`/sign-in?next=${here()}`);
  if (!keepPage && response.status === 403 && data.error === "terms_required") location.assign(`/terms?next=${here()}`);
  return {ok: response.ok, status: response.status, data};
}

const messages: Record<string, string> = {
  network: "The server could not be reached.",
  unauthenticated: "Your session ended. Sign in again.",
  forbidden: "Only administrators can do this.",
  terms_required: "Accept the current terms first.",
  foreign_origin: "Refused: the request did not come from this site.",
  not_found: "Not found (it may have been deleted).",
  conflict: "Already in use by another account.",
  last_admin: "The last administrator cannot lose the role or be deleted.",
  confirmation_invalid: "The confirmation expired. Start again.",
  stale_version: "The terms changed meanwhile. Reload the page to see the new version.",
  no_terms: "No terms are published yet.",
  invalid_input: "Some fields need attention.",
  too_large: "The request is too large."
};

/** One sentence for a refusal, for the form's status line. */
export function problemText(result: ApiResult<unknown>): string {
  const {error, message} = result.data;
  if (result.status === 429) return "Too many attempts. Wait a minute and try again.";
  if (error && messages[error])
    return message && error !== "invalid_input" ? `${messages[error]} (${message})` : messages[error];
  return message ?? `Could not continue (HTTP ${result.status}).`;
}

/** A timestamp as people read it here: 2025-03-01 14:05 in their own time zone. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
