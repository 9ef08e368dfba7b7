// What an import tells: counts per table, every problem (file, row, column, value, reason), the rejects file, and
// the staging area that makes an import all-or-nothing (files are written in a hidden folder next to their final
// place and renamed into it only when the whole import is accepted).
import {randomBytes} from "node:crypto";
import {mkdir, rename, rm, rmdir, stat} from "node:fs/promises";
import {join, resolve} from "node:path";
import type {RowSink} from "./arrow-io.js";
import {createCsvWriter} from "./csv-write.js";
import type {TableSpec} from "./registry-schema.js";
import type {Problem, Rule} from "./validate.js";

export const ON_ERROR = ["reject", "quarantine"] as const;
/** reject: any problem refuses the whole import. quarantine: good rows are imported, rejected ones listed in a file. */
export type OnError = (typeof ON_ERROR)[number];

export interface TableCounts {
  file: string;
  read: number;
  /** Rows that passed validation (imported, unless the import was refused). */
  accepted: number;
  rejected: number;
  /** Input columns that are not part of the table and were left out. */
  ignored: string[];
}

export interface ImportedFile {
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ImportReport {
  source: string;
  to: string;
  onError: OnError;
  /** imported: files are in place. rejected: nothing was written. */
  status: "imported" | "rejected";
  tables: Record<string, TableCounts>;
  /** The problems, in the order found (the first `maxProblems`; all are in the rejects file). */
  problems: Problem[];
  problemCount: number;
  byRule: Partial<Record<Rule, number>>;
  rejectsFile: string | null;
  files: Record<string, ImportedFile>;
  seconds: number;
}

export interface ImportProgress {
  table: string;
  rows: number;
  rejected: number;
}

export const REJECTS_SPEC: TableSpec = {
  name: "rejects",
  description: "Rows an import left out, one line per problem.",
  primaryKey: [],
  fields: [
    {name: "file", type: "string", nullable: false, description: "File, table or collection read."},
    {name: "row", type: "int", nullable: false, description: "1-based row (CSV: the header is row 1)."},
    {name: "table", type: "string", nullable: false, description: "Table the row belongs to."},
    {name: "column", type: "string", nullable: false, description: "Column at fault; empty for the whole row."},
    {name: "value", type: "string", nullable: true, description: "The value as read."},
    {name: "rule", type: "string", nullable: false, description: "Kind of problem."},
    {name: "reason", type: "string", nullable: false, description: "What is wrong."}
  ]
};

/** Keeps the first problems for the report, counts all of them, and streams them to the rejects file if any. */
export class ProblemLog {
  readonly problems: Problem[] = [];
  readonly byRule: Partial<Record<Rule, number>> = {};
  count = 0;
  constructor(
    private readonly max: number,
    private readonly sink: RowSink<Record<string, unknown>> | null
  ) {}

  readonly add = (problem: Problem): void => {
    this.count++;
    this.byRule[problem.rule] = (this.byRule[problem.rule] ?? 0) + 1;
    if (this.problems.length < this.max) this.problems.push(problem);
    this.sink?.append(problem as never);
  };

  async drain(): Promise<void> {
    if (this.sink && this.sink.pendingBytes > 4 << 20) await this.sink.drain();
  }
}

/** The rejects file (quarantine only); if it cannot be opened the staging area goes too. */
export async function openRejects(
  path: string | null,
  staging: Staging
): Promise<RowSink<Record<string, unknown>> | null> {
  if (path === null) return null;
  try {
    return await createCsvWriter(REJECTS_SPEC, path);
  } catch (error) {
    await staging.abort();
    throw error;
  }
}

export interface Staging {
  dir: string;
  /** Moves the named files from staging into the target folder and removes the staging folder. */
  commit(names: string[]): Promise<void>;
  /** Removes everything staged, and the target folder too if the import created it and it is empty. */
  abort(): Promise<void>;
}

export async function openStaging(to: string): Promise<Staging> {
  const target = resolve(to);
  const existed = await stat(target).then(
    (s) => s.isDirectory(),
    () => false
  );
  const dir = join(target, `.import-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(dir, {recursive: true});
  return {
    dir,
    async commit(names) {
      for (const name of names) await rename(join(dir, name), join(target, name));
      await rm(dir, {recursive: true, force: true});
    },
    async abort() {
      await rm(dir, {recursive: true, force: true});
      if (!existed) await rmdir(target).catch(() => undefined);
    }
  };
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The report as text: one line per table, then every problem kept (file, row, column, value, reason). */
export function formatReport(report: ImportReport, maxLines = Infinity): string {
  const lines = [
    `import ${report.status === "imported" ? "done" : "REFUSED, nothing written"}: ${report.source} → ${report.to} ` +
      `(on error: ${report.onError}, ${report.seconds.toFixed(1)} s)`
  ];
  for (const [table, c] of Object.entries(report.tables)) {
    lines.push(
      `  ${table.padEnd(13)} ${fmt(c.read).padStart(11)} read ${fmt(c.accepted).padStart(11)} ${report.status === "imported" ? "imported" : "valid"} ` +
        `${fmt(c.rejected).padStart(9)} rejected` +
        (c.ignored.length ? `  (columns ignored: ${c.ignored.join(", ")})` : "")
    );
  }
  if (report.problemCount > 0) {
    const rules = Object.entries(report.byRule).map(([rule, n]) => `${rule} ${fmt(n)}`);
    lines.push(`${fmt(report.problemCount)} problems: ${rules.join(", ")}`);
    const shown = report.problems.slice(0, maxLines);
    for (const p of shown) {
      const value =
        p.value === null ? "" : ` = ${JSON.stringify(p.value.length > 60 ? p.value.slice(0, 57) + "…" : p.value)}`;
      lines.push(`  ${p.file}:${p.row}${p.column ? ` ${p.column}` : ""}${value}: ${p.reason} [${p.rule}]`);
    }
    if (report.problemCount > shown.length) lines.push(`  … and ${fmt(report.problemCount - shown.length)} more`);
  }
  if (report.rejectsFile) lines.push(`rejected rows with their reasons: ${report.rejectsFile}`);
  return lines.join("\n") + "\n";
}
