// CLI for imports: `tsx scripts/import.ts --from csv data/drop/registry --to data/imported/registry`.
// Prints the report (counts, then every problem: file, row, column, reason) on stdout; progress goes to stderr.
// Exit code 0 when imported (quarantined rows included), 1 when the import was refused, 2 for bad flags.
import {resolve} from "node:path";
import {pathToFileURL} from "node:url";
import {parseArgs} from "node:util";
import type {Database} from "../api/db.js";
import {openDatabase} from "../api/db.js";
import type {DatasetKind} from "../loaders/dataset-registry.js";
import {datasetsPath, describeDataset, registerDataset} from "../loaders/dataset-registry.js";
import type {CsvInputOptions, ImportInput} from "../loaders/import-inputs.js";
import {arrowInput, csvInput, sourceInput} from "../loaders/import-inputs.js";
import type {ImportReport, OnError} from "../loaders/import-report.js";
import {ON_ERROR, formatReport} from "../loaders/import-report.js";
import {MAPPINGS, importTransactions, loadMapping} from "../loaders/import-transactions.js";
import {importRegistry} from "../loaders/import.js";
import {mongoRegistrySource} from "../loaders/mongo-load.js";
import {postgresSource} from "../loaders/postgres-registry.js";
import {progressBar} from "./progress.js";

const FROM = ["csv", "arrow", "postgres", "mongodb"] as const;

const HELP = `Import registry data, validating every row, into a canonical Arrow folder (all or nothing).

Usage: tsx scripts/import.ts --from <kind> [<path or url>] --to <dir> [options]     (npm run data:import -- …)

  --from csv <folder>          <folder>/<table>.csv for participants, parties, trade_bills, installments, payments
  --from csv <file> --mapping <name|file.json>
                               a generic transaction file (customer, date, amount) → <dir>/transactions.arrow;
                               built-in mappings: ${Object.keys(MAPPINGS).join(", ")}
  --from arrow <folder>        <folder>/<table>.arrow (IPC stream or file)
  --from postgres [<url>]      the registry tables (default DATABASE_URL, else the embedded database)
  --from mongodb [<url>]       nested trade-bill documents + participants and parties (default MONGODB_URL)

Options:
  --to <dir>                   output folder; its files are replaced only if the import is accepted
  --on-error reject            any problem refuses the whole import and nothing is written (default)
  --on-error quarantine        good rows are imported; rejected rows go to --rejects with their reasons
  --rejects <file>             default <dir>/rejects.csv
  --encoding auto|utf-8|latin1 CSV text encoding (default auto: UTF-8 if valid, else Latin-1)
  --delimiter auto|,|;|tab|whitespace
  --decimal ,|.                decimal separator (default: "," in semicolon files, "." otherwise)
  --timezone <±hh:mm>          offset of timestamps written without one (default UTC; Brasília is -03:00)
  --collection <name>          MongoDB trade-bill collection (default GRAFENO_MONGODB_COLLECTION or trade_bills)
  --today <YYYY-MM-DD>         the date range check's today (default: the current date)
  --register <name>            record the dataset in ${datasetsPath()} (rows, schema, time range, checksum)
  --report-lines <n>           problems printed (default 200; all are counted, all go to the rejects file)
  --quiet                      no progress display
  -h, --help                   this help
`;

class UsageError extends Error {}

export function parseImportCli(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: {type: "string"},
        to: {type: "string"},
        "on-error": {type: "string", default: "reject"},
        rejects: {type: "string"},
        mapping: {type: "string"},
        encoding: {type: "string"},
        delimiter: {type: "string"},
        decimal: {type: "string"},
        timezone: {type: "string"},
        collection: {type: "string"},
        today: {type: "string"},
        register: {type: "string"},
        "report-lines": {type: "string", default: "200"},
        quiet: {type: "boolean", default: false},
        help: {type: "boolean", short: "h", default: false}
      }
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return {help: true as const};
  const from = v.from as (typeof FROM)[number];
  if (!FROM.includes(from)) throw new UsageError(`--from must be one of ${FROM.join(", ")}, got "${v.from ?? ""}"`);
  if (!v.to) throw new UsageError("--to <dir> is required");
  const onError = v["on-error"] as OnError;
  if (!ON_ERROR.includes(onError)) throw new UsageError(`--on-error must be reject or quarantine, got "${onError}"`);
  const [target, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`one path or URL only, got ${parsed.positionals.join(" ")}`);
  if ((from === "csv" || from === "arrow") && !target) throw new UsageError(`--from ${from} needs a path`);
  if (v.mapping && from !== "csv") throw new UsageError("--mapping applies to --from csv");
  const choice = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[]) => {
    if (value !== undefined && !allowed.includes(value as T)) {
      throw new UsageError(`--${flag} must be one of ${allowed.join(" ")}, got "${value}"`);
    }
    return value as T | undefined;
  };
  const delimiter = choice("delimiter", v.delimiter, ["auto", ",", ";", "tab", "|", "whitespace"]);
  const csv: CsvInputOptions = {
    encoding: choice("encoding", v.encoding, ["auto", "utf-8", "latin1"]),
    delimiter: delimiter === "tab" ? "\t" : delimiter,
    decimal: choice("decimal", v.decimal, [",", "."]),
    timezone: v.timezone
  };
  if (v.timezone !== undefined && !/^(Z|[+-]\d{2}:?\d{2})$/.test(v.timezone)) {
    throw new UsageError(`--timezone must look like -03:00, got "${v.timezone}"`);
  }
  if (v.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v.today)) throw new UsageError("--today takes YYYY-MM-DD");
  const reportLines = Number(v["report-lines"]);
  if (!Number.isInteger(reportLines) || reportLines < 0) throw new UsageError("--report-lines takes a count");
  return {
    help: false as const,
    from,
    target,
    to: v.to,
    onError,
    rejects: v.rejects,
    mapping: v.mapping,
    csv,
    collection: v.collection,
    today: v.today,
    register: v.register,
    quiet: v.quiet,
    reportLines
  };
}

async function run(options: Exclude<ReturnType<typeof parseImportCli>, {help: true}>): Promise<ImportReport> {
  const bar = options.quiet ? null : progressBar("import");
  const common = {to: options.to, onError: options.onError, rejects: options.rejects, today: options.today};
  const onProgress = bar ? (p: {table: string; rows: number}) => bar.update(p) : undefined;
  let db: Database | null = null;
  try {
    if (options.mapping) {
      const mapping = await loadMapping(options.mapping);
      return await importTransactions({...common, file: options.target!, mapping, onProgress});
    }
    let input: ImportInput;
    if (options.from === "csv") input = csvInput(options.target!, options.csv);
    else if (options.from === "arrow") input = arrowInput(options.target!);
    else if (options.from === "postgres") {
      const url = options.target ?? process.env.DATABASE_URL;
      if (url) input = sourceInput(postgresSource(url));
      else {
        db = await openDatabase({dataDir: resolve(process.env.GRAFENO_DATA_DIR ?? "data", "pglite")});
        input = sourceInput(postgresSource(db.sql));
      }
    } else {
      const url = options.target ?? process.env.MONGODB_URL;
      if (!url) throw new UsageError("--from mongodb needs a URL or MONGODB_URL");
      const collection = options.collection ?? process.env.GRAFENO_MONGODB_COLLECTION;
      input = sourceInput(mongoRegistrySource(url, {collection}));
    }
    return await importRegistry({...common, input, onProgress});
  } finally {
    bar?.done();
    await db?.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseImportCli>;
  try {
    options = parseImportCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`import: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let report: ImportReport;
  try {
    report = await run(options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`import: ${error.message}\n`);
    return 2;
  }
  process.stdout.write(formatReport(report, options.reportLines));
  if (report.status !== "imported") return 1;
  if (options.register) {
    const kind: DatasetKind = options.mapping ? "transactions" : "registry";
    const entry = await describeDataset({
      name: options.register,
      kind,
      folder: report.to,
      source: report.source,
      importedAt: new Date().toISOString(),
      rejectedRows: Object.values(report.tables).reduce((sum, t) => sum + t.rejected, 0)
    });
    await registerDataset(entry);
    process.stdout.write(
      `registered dataset "${entry.name}" in ${datasetsPath()} (checksum ${entry.checksum.slice(0, 12)}…)\n`
    );
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
