// Imports a registry (the five canonical tables) from CSV, Arrow, Postgres or MongoDB into a canonical Arrow folder,
// validating every row. All or nothing: tables are staged in a hidden folder and renamed into place only once the
// whole import is accepted. With onError "reject" any problem refuses the import; with "quarantine" the good rows
// are imported and every rejected row is listed, with its reason, in the rejects file. Bills that fail a whole-bill
// rule (installments not summing to the value…) leave with their installments and payments.
import {rename} from "node:fs/promises";
import {join, resolve} from "node:path";
import type {WrittenFile} from "./arrow-io.js";
import {createArrowWriter, readArrowRows, writeArrowTable} from "./arrow-io.js";
import type {ImportInput} from "./import-inputs.js";
import {StructureError} from "./import-inputs.js";
import type {ImportProgress, ImportReport, OnError, TableCounts} from "./import-report.js";
import {ProblemLog, openRejects, openStaging} from "./import-report.js";
import type {RowOf, TableName} from "./registry-schema.js";
import {TABLE_NAMES} from "./registry-schema.js";
import type {Problem} from "./validate.js";
import {RegistryValidator} from "./validate.js";

export type {ImportProgress, ImportReport, OnError} from "./import-report.js";

export interface ImportOptions {
  input: ImportInput;
  /** Canonical folder written: `<table>.arrow`. Files already there are replaced only by a successful import. */
  to: string;
  onError: OnError;
  /** Where quarantined rows go (onError "quarantine"); default `<to>/rejects.csv`. */
  rejects?: string;
  /** "Today" for the date range check (ISO date); the current date by default. */
  today?: string;
  /** Problems kept in the report (all are counted, and all go to the rejects file). */
  maxProblems?: number;
  onProgress?: (progress: ImportProgress) => void;
}

/** A growable list of row numbers: the source row of each staged row, to name it if its bill is rejected later. */
class RowNumbers {
  data = new Int32Array(1024);
  length = 0;
  push(n: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = n;
  }
}

export async function importRegistry(options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const to = resolve(options.to);
  const quarantine = options.onError === "quarantine";
  const rejectsPath = quarantine ? resolve(options.rejects ?? join(to, "rejects.csv")) : null;
  const staging = await openStaging(to);
  const rejects = await openRejects(rejectsPath, staging);
  const log = new ProblemLog(options.maxProblems ?? 10_000, rejects);
  const validator = new RegistryValidator({today: options.today, onProblem: log.add});
  const tables: Record<string, TableCounts> = {};
  const staged = {} as Record<TableName, WrittenFile>;
  const numbers = {installments: new RowNumbers(), payments: new RowNumbers()};
  const progress = options.onProgress ?? (() => undefined);
  const report = (status: ImportReport["status"], files: ImportReport["files"] = {}): ImportReport => ({
    source: options.input.describe,
    to,
    onError: options.onError,
    status,
    tables,
    problems: log.problems,
    problemCount: log.count,
    byRule: log.byRule,
    rejectsFile: status === "imported" ? rejectsPath : null,
    files,
    seconds: (performance.now() - started) / 1000
  });
  let current = "";
  try {
    for (const table of TABLE_NAMES) {
      current = table;
      const input = await options.input.open(table);
      const counts: TableCounts = {file: input.file, read: 0, accepted: 0, rejected: 0, ignored: input.ignored};
      tables[table] = counts;
      const check = validator.table(table, input.file, input.locale);
      const sink = await createArrowWriter(table, join(staging.dir, `${table}.arrow`));
      const rowNumbers = table === "installments" || table === "payments" ? numbers[table] : null;
      try {
        for await (const batch of input.batches(log.add)) {
          for (let k = 0; k < batch.rows.length; k++) {
            const raw = batch.rows[k];
            const row = raw === null ? null : check(raw, batch.numbers[k]);
            counts.read++;
            if (row === null) counts.rejected++;
            else {
              sink.append(row as never);
              rowNumbers?.push(batch.numbers[k]);
              counts.accepted++;
            }
          }
          if (sink.pendingBytes > 8 << 20) await sink.drain();
          await log.drain();
          progress({table, rows: counts.read, rejected: counts.rejected});
        }
        staged[table] = await sink.close();
      } catch (error) {
        await sink.abort();
        throw error;
      }
    }
    const failed = validator.finish();
    tables.trade_bills.accepted -= failed.size;
    tables.trade_bills.rejected += failed.size;
    if (log.count > 0 && !quarantine) return await refuse();
    if (failed.size > 0) await dropFailedBills(failed);
    const files: ImportReport["files"] = {};
    for (const table of TABLE_NAMES) {
      const {rows, bytes, sha256} = staged[table];
      files[table] = {path: join(to, `${table}.arrow`), rows, bytes, sha256};
    }
    await staging.commit(TABLE_NAMES.map((t) => `${t}.arrow`));
    await rejects?.close();
    return report("imported", files);
  } catch (error) {
    if (!(error instanceof StructureError)) {
      await Promise.all([staging.abort(), rejects?.abort()]);
      throw error;
    }
    const {file, row, column, reason} = error;
    log.add({file, row, table: current, column, value: null, reason, rule: "structure"});
    return await refuse();
  }

  async function refuse(): Promise<ImportReport> {
    await Promise.all([staging.abort(), rejects?.abort()]);
    return report("rejected");
  }

  // Rewrites the bill tables without the failed bills; their installments and payments are named as rejected too.
  async function dropFailedBills(failed: Map<string, string>): Promise<void> {
    for (const table of ["trade_bills", "installments", "payments"] as const) {
      const path = join(staging.dir, `${table}.arrow`);
      const kept = join(staging.dir, `${table}.kept.arrow`);
      const counts = tables[table];
      const rowNumbers = table === "trade_bills" ? null : numbers[table];
      let index = 0;
      async function* survivors(): AsyncGenerator<RowOf<typeof table>> {
        for await (const row of readArrowRows(table, path)) {
          const at = index++;
          const reason = failed.get(row.bill_id);
          if (reason === undefined) {
            yield row;
            continue;
          }
          if (rowNumbers) {
            counts.accepted--;
            counts.rejected++;
            const problem: Problem = {
              file: counts.file,
              row: rowNumbers.data[at],
              table,
              column: "bill_id",
              value: row.bill_id,
              reason: `its bill was rejected: ${reason}`,
              rule: "cascade"
            };
            log.add(problem);
            await log.drain();
          }
        }
      }
      staged[table] = await writeArrowTable(table, kept, survivors() as never);
      await rename(kept, path);
    }
  }
}
