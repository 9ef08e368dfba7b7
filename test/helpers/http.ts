// A tiny cookie-keeping client for API tests, as a browser would behave on the product's origin.
export class Client {
  private cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly origin = base
  ) {}

  async request(path: string, init: RequestInit & {json?: unknown} = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      init.body = JSON.stringify(init.json);
    }
    if (init.method && init.method !== "GET") headers.set("origin", this.origin);
    const response = await fetch(new URL(path, this.base), {...init, headers, redirect: "manual"});
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair.split("=");
      this.cookies.set(name.trim(), value.join("="));
    }
    return response;
  }

  post(path: string, json: unknown): Promise<Response> {
    return this.request(path, {method: "POST", json});
  }

  async signUp(email: string, password = "correct horse battery", name = "Test Person"): Promise<Response> {
    return this.post("/api/auth/sign-up/email", {email, password, name});
  }

  async signIn(email: string, password = "correct horse battery"): Promise<Response> {
    return this.post("/api/auth/sign-in/email", {email, password});
  }
}
