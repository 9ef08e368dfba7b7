// Loader output: Arrow IPC stream on stdout (DuckDB-WASM reads it without the parquet extension).
import {tableToIPC, type Table} from "apache-arrow";
import type {Writable} from "node:stream";

export async function emitArrow(table: Table, out: Writable = process.stdout): Promise<void> {
  const bytes = tableToIPC(table, "stream");
  await new Promise<void>((resolve, reject) => out.write(bytes, (error) => (error ? reject(error) : resolve())));
}

/** Progress goes to stderr so stdout stays a clean Arrow stream. */
export function progress(step: string, detail = ""): void {
  process.stderr.write(`[loader] ${step}${detail ? ` ${detail}` : ""}\n`);
}
