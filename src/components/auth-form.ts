// Sign-in and sign-up forms: post to better-auth on the same origin, show field-level errors, then go on to
// the page the person asked for (only ever a local path, so the link cannot send them elsewhere).

export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

export interface AuthFormOptions {
  endpoint: "/api/auth/sign-in/email" | "/api/auth/sign-up/email";
  fields: string[];
  /** Runs before posting; a message stops the submission and is shown (e.g. mandatory terms not ticked). */
  check?: () => string | null;
  /** Runs once signed in (e.g. to record consent); resolves to where to go, or to a message to show instead. */
  afterSignIn?: () => Promise<{go: string} | {message: string}>;
}

export function bindAuthForm(form: HTMLFormElement, {endpoint, fields, check, afterSignIn}: AuthFormOptions): void {
  const status = form.querySelector<HTMLElement>("[role=alert]")!;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    const refusal = check?.();
    if (refusal) {
      status.textContent = refusal;
      return;
    }
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
        const after = afterSignIn ? await afterSignIn() : {go: safeNext(location.search)};
        if ("go" in after) location.assign(after.go);
        else status.textContent = after.message;
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
