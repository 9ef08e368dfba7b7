// CLI for the synthetic registry: `tsx scripts/generate.ts --seed 42 --bills 10000 --out data/sample`.
// Flags are checked before anything is written; progress goes to stderr so stdout stays quiet for pipes.
import {resolve} from "node:path";
import {pathToFileURL} from "node:url";
import {parseArgs} from "node:util";
import type {GenerateProgress, OutputFormat} from "../loaders/generate.js";
import type {LoadTarget} from "./generate-load.js";
import {loadGenerated, parseLoadTargets} from "./generate-load.js";
import {
  GENERATE_DEFAULTS,
  OUTPUT_FORMATS,
  generateRegistry,
  registrySizes,
  validateGenerateOptions
} from "../loaders/generate.js";

const DEFAULTS = {seed: 42, bills: 10_000, out: "data/sample", ...GENERATE_DEFAULTS};

function options(...rows: [string, string, (string | number)?][]): string {
  return rows
    .map(([flag, text, fallback]) =>
      `  ${flag.padEnd(18)} ${text.padEnd(58)} ${fallback === undefined ? "" : `(default ${fallback})`}`.trimEnd()
    )
    .join("\n");
}

const HELP = `Generate a synthetic, deterministic trade-bill registry (participants, parties, trade_bills,
installments, payments) as Arrow IPC stream and CSV files, plus manifest.json and a hidden truth/ folder.

Usage: tsx scripts/generate.ts [options]        (npm run data:generate -- [options])

Options:
${options(
  ["--seed <n>", "random seed, a non-negative integer", DEFAULTS.seed],
  ["--bills <n>", "distinct trade bills, about 4.5 installments each", DEFAULTS.bills],
  ["--out <dir>", "output folder; files are replaced atomically", DEFAULTS.out],
  ["--dirty <rate>", "share of bills made dirty, 0 to 0.5: test rows, duplicates,", DEFAULTS.dirty],
  ["", "zero/negative values, far-future due dates, bad documents"],
  ["--formats <list>", `comma-separated, any of ${OUTPUT_FORMATS.join(", ")}`, DEFAULTS.formats.join(",")],
  ["--start <date>", "first registration day, YYYY-MM-DD", DEFAULTS.start],
  ["--end <date>", "last registration day and as-of date, YYYY-MM-DD", DEFAULTS.end],
  ["--load <list>", "then load into postgres (DATABASE_URL or embedded) and/or mongodb"],
  ["", "(MONGODB_URL), comma-separated; needs the arrow format"],
  ["--quiet", "no progress display"],
  ["-h, --help", "this help"]
)}

The same seed, size, dates and dirty rate always give byte-identical files (see manifest.json for checksums).
truth/ holds each payer's hidden risk, each participant's lifecycle and the injected dirty rows: it is for
evaluating models and cleaning only; feature code must never read it.
`;

export class UsageError extends Error {}

export interface CliOptions {
  seed: number;
  bills: number;
  out: string;
  dirty: number;
  formats: OutputFormat[];
  start: string;
  end: string;
  load: LoadTarget[];
  quiet: boolean;
  help: boolean;
}

function integer(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  // Thousands separators are welcome: --bills 1_000_000 or 1,000,000.
  if (!/^\d[\d_,]*$/.test(text)) throw new UsageError(`--${flag} must be a non-negative integer, got "${text}"`);
  const value = Number(text.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(value)) throw new UsageError(`--${flag} is too large: ${text}`);
  return value;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        seed: {type: "string"},
        bills: {type: "string"},
        out: {type: "string"},
        dirty: {type: "string"},
        formats: {type: "string"},
        start: {type: "string"},
        end: {type: "string"},
        load: {type: "string"},
        quiet: {type: "boolean"},
        help: {type: "boolean", short: "h"}
      }
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const bills = integer("bills", v.bills, DEFAULTS.bills);
  if (bills < 1) throw new UsageError("--bills must be at least 1");
  const dirty = v.dirty === undefined ? DEFAULTS.dirty : Number(v.dirty);
  if (v.dirty !== undefined && (v.dirty.trim() === "" || !(dirty >= 0 && dirty <= 0.5))) {
    throw new UsageError(`--dirty must be a rate from 0 to 0.5 (e.g. 0.02), got "${v.dirty}"`);
  }
  const formats = v.formats === undefined ? DEFAULTS.formats : v.formats.split(",").map((f) => f.trim());
  const unknown = formats.filter((f) => !(OUTPUT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    throw new UsageError(`--formats takes a comma-separated list of ${OUTPUT_FORMATS.join(", ")}, got "${v.formats}"`);
  }
  for (const flag of ["start", "end"] as const) {
    const value = v[flag];
    if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      throw new UsageError(`--${flag} must be a date as YYYY-MM-DD, got "${value}"`);
    }
  }
  if (v.out !== undefined && v.out.trim() === "") throw new UsageError("--out must not be empty");
  let load: LoadTarget[];
  try {
    load = parseLoadTargets(v.load);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (load.length > 0 && !formats.includes("arrow"))
    throw new UsageError("--load reads the arrow files: keep arrow in --formats");
  const options = {
    seed: integer("seed", v.seed, DEFAULTS.seed),
    bills,
    out: v.out ?? DEFAULTS.out,
    dirty,
    formats: formats as OutputFormat[],
    start: v.start ?? DEFAULTS.start,
    end: v.end ?? DEFAULTS.end,
    load,
    quiet: v.quiet ?? false,
    help: v.help ?? false
  };
  try {
    validateGenerateOptions(options); // the generator's own checks (date order, limits) before anything starts
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return options;
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A progress bar redrawn in place on a terminal (at most 10×/s), or a plain line every 10% in logs. */
export function progressDisplay(stream: NodeJS.WriteStream, now: () => number = () => performance.now()) {
  const started = now();
  const counts: Partial<Record<GenerateProgress["table"], number>> = {};
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let drawn = false;
  const line = (bills: number, total: number) => {
    const share = total > 0 ? bills / total : 0;
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? bills / elapsed : 0;
    const eta = rate > 0 ? (total - bills) / rate : 0;
    const width = 24;
    const full = Math.round(share * width);
    const bar = stream.isTTY ? `[${"#".repeat(full)}${"-".repeat(width - full)}] ` : "";
    const fmt = (n: number | undefined) => (n ?? 0).toLocaleString("en-US");
    return (
      `${bar}${(share * 100).toFixed(1).padStart(5)}% ${fmt(bills)}/${fmt(total)} bills · ` +
      `${fmt(counts.installments)} installments · ${fmt(counts.payments)} payments · ` +
      `${fmt(Math.round(rate))} bills/s · ${duration(elapsed)} elapsed, ETA ${duration(eta)}`
    );
  };
  return {
    update(progress: GenerateProgress): void {
      counts[progress.table] = progress.rows;
      if (progress.table !== "trade_bills" || progress.total === undefined) return;
      const {rows, total} = progress;
      if (stream.isTTY) {
        if (now() - lastDraw < 100 && rows < total) return;
        lastDraw = now();
        stream.write(`\r${line(rows, total)}\x1b[K`);
        drawn = true;
      } else {
        const decile = Math.floor((10 * rows) / total);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${line(rows, total)}\n`);
      }
    },
    done(): void {
      if (drawn) stream.write("\n");
    }
  };
}

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`generate: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const out = resolve(options.out);
  const sizes = registrySizes(options.bills);
  process.stderr.write(
    `generate: seed ${options.seed}, ${options.bills.toLocaleString("en-US")} bills ` +
      `(${sizes.participants} participants, ${(sizes.assignors + sizes.payers).toLocaleString("en-US")} parties), ` +
      `dirty ${options.dirty}, ${options.start}..${options.end}, ${options.formats.join("+")} → ${out}\n`
  );
  const display = options.quiet ? null : progressDisplay(process.stderr);
  const started = performance.now();
  try {
    const manifest = await generateRegistry({...options, out, onProgress: display?.update});
    display?.done();
    const seconds = (performance.now() - started) / 1000;
    for (const [table, {rows}] of Object.entries(manifest.tables)) {
      process.stderr.write(`  ${table.padEnd(13)} ${rows.toLocaleString("en-US").padStart(12)} rows\n`);
    }
    const installments = manifest.tables.installments.rows;
    process.stderr.write(
      `generate: done in ${seconds.toFixed(1)} s (${Math.round(installments / seconds).toLocaleString("en-US")} ` +
        `installments/s); manifest at ${resolve(out, "manifest.json")}\n`
    );
    return (await loadGenerated(out, options.load)) ? 0 : 1;
  } catch (error) {
    display?.done();
    if (error instanceof RangeError) {
      process.stderr.write(`generate: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(
      `generate: failed (temporary files removed, manifest.json not updated): ${(error as Error).stack ?? error}\n`
    );
    return 1;
  }
}

// Run when executed, not when imported (tests import parseCli and progressDisplay).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
