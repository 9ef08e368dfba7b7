// Uploads a CSV of transactions to the scoring API with a progress bar (XMLHttpRequest reports upload progress;
// fetch does not), then hands back the scores or the API's errors in plain words.

export interface RowError {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export type ScoreOutcome =
  | {
      ok: true;
      body: {observationDate: string; modelVersions: Record<string, string>; customers: Record<string, unknown>[]};
    }
  | {ok: false; message: string; rows: RowError[]; count: number};

export function explain(
  status: number,
  body: {error?: string; message?: string; rows?: RowError[]; count?: number}
): ScoreOutcome {
  const rows = body.rows ?? [];
  const messages: Record<string, string> = {
    invalid_rows: `The file has ${body.count ?? rows.length} problem${(body.count ?? rows.length) === 1 ? "" : "s"}; nothing was scored. Fix the rows below and upload it again.`,
    too_many_rows: `The file is too long: ${body.message ?? ""}. Split it and upload the parts.`,
    too_large: `The file is too large (${body.message ?? "limit exceeded"}).`,
    unauthenticated: "Your session has ended. Sign in again.",
    forbidden: "Only analysts and administrators can score datasets.",
    terms_required: "Accept the current terms first (Privacy center)."
  };
  return {
    ok: false,
    message:
      messages[body.error ?? ""] ??
      `The server refused the file (HTTP ${status}${body.error ? `: ${body.error}` : ""}).`,
    rows,
    count: body.count ?? rows.length
  };
}

export function uploadForScoring(
  file: File,
  query: string,
  onProgress: (share: number) => void
): Promise<ScoreOutcome> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/score/customers${query}`);
    request.setRequestHeader("content-type", "text/csv");
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // A non-JSON answer is explained by its status below.
      }
      resolve(request.status === 200 ? {ok: true, body: body as never} : explain(request.status, body));
    };
    request.onerror = () => resolve({ok: false, message: "The server could not be reached.", rows: [], count: 0});
    request.send(file);
  });
}
