// Sign-in and sign-up forms: post to better-auth on the same origin, show field-level errors, then go on to
// the page the person asked for (only ever a local path, so the link cannot send them elsewhere).

export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

export interface AuthFormOptions {
  endpoint: "/api/auth/sign-in/email" | "/api/auth/sign-up/email";
  fields: string[];
}

export function bindAuthForm(form: HTMLFormElement, {endpoint, fields}: AuthFormOptions): void {
  const status = form.querySelector<HTMLElement>("[role=alert]")!;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    const data = new FormData(form);
    const body = Object.fromEntries(fields.map((f) => [f, String(data.get(f) ?? "")]));
    const button = form.querySelector("button")!;
    button.disabled = true;
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {"content-type": "application/json"},
        credentials: "same-origin",
        body: JSON.stringify(body)
      });
      if (response.ok) {
        location.assign(safeNext(location.search));
        return;
      }
      const problem = await response.json().catch(() => ({}));
      status.textContent =
        response.status === 429
          ? "Too many attempts. Wait a minute and try again."
          : (problem.message ?? `Could not continue (HTTP ${response.status}).`);
    } catch {
      status.textContent = "The server could not be reached.";
    } finally {
      button.disabled = false;
    }
  });
}
