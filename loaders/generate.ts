// Synthetic registry: participants, parties, trade bills, installments and payments that behave like the real
// registry (see DESIGN.md, "Data model"). Deterministic: every random draw comes from the seed, nothing reads the
// clock, and the same seed and size give byte-identical files. Streaming: bills are made one at a time in
// registration order and written in batches; only participants and parties stay in memory.
import type {ParticipantActor} from "./generate-actors.js";
import {activeWeight, makeParticipants, makeParties, sampleCumulative} from "./generate-actors.js";
import {BillFactory, registrationTimes} from "./generate-bills.js";
import {BusinessCalendar, monthIndex, weekday} from "./generate-calendar.js";
import type {DirtyActors, DirtyRecord} from "./generate-dirty.js";
import {DIRTY_KINDS, injectDirt, makeDirtyActors} from "./generate-dirty.js";
import type {OutputFormat, RegistryManifest} from "./generate-output.js";
import {OUTPUT_FORMATS, openRegistryOutputs} from "./generate-output.js";
import {createRandom} from "./random.js";
import type {Random} from "./random.js";
import type {TableName} from "./registry-schema.js";
import {epochDay, isoDate} from "./registry-schema.js";

export {OUTPUT_FORMATS};
export type {ManifestFile, OutputFormat, RegistryManifest} from "./generate-output.js";
export const GENERATOR_VERSION = "1.0.0";

export const GENERATE_DEFAULTS = {
  dirty: 0,
  formats: ["arrow", "csv"] as OutputFormat[],
  start: "2021-01-01",
  end: "2024-12-31"
};

export interface GenerateProgress {
  table: TableName;
  rows: number;
  /** Known in advance for participants, parties and trade bills; absent for installments and payments. */
  total?: number;
}

export interface GenerateOptions {
  seed: number;
  /** Distinct trade bills (duplicates injected by `dirty` come on top). */
  bills: number;
  /** Output folder: `<table>.arrow`, `<table>.csv`, `manifest.json`, and `truth/` (evaluation only). */
  out: string;
  /** Share of bills made dirty, 0–0.5. */
  dirty?: number;
  formats?: OutputFormat[];
  /** First registration day (ISO date). */
  start?: string;
  /** Last registration day and the as-of date of the snapshot (ISO date). */
  end?: string;
  onProgress?: (progress: GenerateProgress) => void;
}

/** How many participants, assignors and payers a registry of `bills` bills has. */
export function registrySizes(bills: number): RegistryManifest["sizes"] {
  return {
    participants: Math.max(6, Math.min(2000, Math.round(3 * Math.cbrt(bills)))),
    assignors: Math.max(10, Math.round(bills / 25)),
    payers: Math.max(30, Math.round(bills / 4))
  };
}

export function validateGenerateOptions(options: GenerateOptions): Required<Omit<GenerateOptions, "onProgress">> {
  const {seed, bills, out} = options;
  const dirty = options.dirty ?? GENERATE_DEFAULTS.dirty;
  const formats = options.formats ?? GENERATE_DEFAULTS.formats;
  const start = options.start ?? GENERATE_DEFAULTS.start;
  const end = options.end ?? GENERATE_DEFAULTS.end;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  if (!Number.isSafeInteger(bills) || bills < 1 || bills > 100_000_000) {
    throw new RangeError(`bills must be an integer from 1 to 100,000,000, got ${bills}`);
  }
  if (!(dirty >= 0 && dirty <= 0.5)) throw new RangeError(`dirty must be a rate from 0 to 0.5, got ${dirty}`);
  if (typeof out !== "string" || out === "") throw new RangeError("out must be a folder path");
  const unknown = formats.filter((f) => !OUTPUT_FORMATS.includes(f));
  if (formats.length === 0 || unknown.length > 0) {
    throw new RangeError(`formats must be some of ${OUTPUT_FORMATS.join(", ")}, got ${formats.join(",") || "none"}`);
  }
  for (const [name, value] of [
    ["start", start],
    ["end", end]
  ]) {
    if (Number.isNaN(epochDay(value))) throw new RangeError(`${name} must be an ISO date (YYYY-MM-DD), got "${value}"`);
  }
  if (epochDay(end) - epochDay(start) < 28)
    throw new RangeError(`end (${end}) must be at least 28 days after start (${start})`);
  return {seed, bills, out, dirty, formats: OUTPUT_FORMATS.filter((f) => formats.includes(f)), start, end};
}

/** Macro shift of late-payment log-odds per month: a slow cycle plus one stress episode past mid-window. */
export function macroFactors(startMonth: number, endMonth: number): Float64Array {
  const span = Math.max(1, endMonth - startMonth);
  const factors = new Float64Array(span + 1);
  for (let t = 0; t <= span; t++) {
    const stress = Math.exp(-(((t - 0.55 * span) / 3) ** 2));
    factors[t] = Math.round((0.3 * Math.sin((2 * Math.PI * t) / 30) + 0.9 * stress) * 1e4) / 1e4;
  }
  return factors;
}

/** Bills registered per day: trend growth, business days, month-end peaks, weekday pattern and noise. */
export function dailyCounts(random: Random, calendar: BusinessCalendar, start: number, end: number, bills: number) {
  const days = end - start + 1;
  const cum = new Float64Array(days);
  let total = 0;
  for (let i = 0; i < days; i++) {
    const day = start + i;
    let w = Math.exp((Math.log(2.5) * i) / days); // volume grows 2.5× over the window
    if (!calendar.isBusinessDay(day)) w *= 0.02;
    else {
      const left = calendar.businessDaysLeftInMonth(day);
      if (left < 3) w *= 1.6 - 0.15 * left; // month-end rush to register before closing
      if (calendar.isFirstBusinessDayOfMonth(day)) w *= 1.15;
      w *= [1, 1.08, 1.02, 1, 1, 0.92, 1][weekday(day)];
    }
    cum[i] = total += w * random.lognormal(0, 0.12);
  }
  // Cumulative rounding: exactly `bills` in total, each day within one of its expected share.
  const counts = new Int32Array(days);
  let previous = 0;
  for (let i = 0; i < days; i++) {
    const upTo = Math.round((bills * cum[i]) / total);
    counts[i] = upTo - previous;
    previous = upTo;
  }
  return counts;
}

export async function generateRegistry(options: GenerateOptions): Promise<RegistryManifest> {
  const opts = validateGenerateOptions(options);
  const progress = options.onProgress ?? (() => undefined);
  const [start, end] = [epochDay(opts.start), epochDay(opts.end)];
  const sizes = registrySizes(opts.bills);
  // One stream per concern, so adding dirt leaves the clean rows as they were.
  const root = createRandom(opts.seed);
  const [actorsRandom, volumeRandom, billsRandom, dirtyRandom] = [root.fork(), root.fork(), root.fork(), root.fork()];
  const calendar = new BusinessCalendar();
  const output = await openRegistryOutputs(opts.out, opts.formats);
  const {write, truth, drain} = output;
  try {
    const participants = makeParticipants(actorsRandom, sizes.participants, start, end);
    for (const p of participants) {
      write("participants", p.row);
      truth.participants.append({
        participant_id: p.id,
        zipf_rank: p.rank,
        weight: p.weight,
        joined_at: p.row.joined_at,
        left_at: p.row.left_at,
        churned: p.left !== null,
        staging: false
      });
    }
    const parties = await makeParties(
      actorsRandom,
      sizes,
      (row, hidden) => {
        write("parties", row);
        truth.parties.append(hidden);
      },
      () => output.drain()
    );
    let dirtyActors: DirtyActors | null = null;
    if (opts.dirty > 0) {
      dirtyActors = makeDirtyActors(dirtyRandom, participants.length, parties.count, start, opts.bills * opts.dirty);
      write("participants", dirtyActors.participant);
      const staging = dirtyActors.participant;
      truth.participants.append({
        participant_id: staging.participant_id,
        zipf_rank: null,
        weight: 0,
        joined_at: staging.joined_at,
        left_at: null,
        churned: false,
        staging: true
      });
      for (const row of dirtyActors.parties) write("parties", row);
      for (const record of dirtyActors.records) truth.dirty.append(record);
    }
    progress({table: "participants", rows: output.rows("participants"), total: output.rows("participants")});
    progress({table: "parties", rows: output.rows("parties"), total: output.rows("parties")});

    const [firstMonth, lastMonth] = [monthIndex(start), monthIndex(end)];
    const factors = macroFactors(firstMonth, lastMonth);
    factors.forEach((factor, t) =>
      truth.macro.append({month: isoDate(Date.UTC(1970, firstMonth + t, 1) / 86_400_000).slice(0, 7), factor})
    );
    const macro = (month: number) => factors[Math.min(factors.length - 1, Math.max(0, month - firstMonth))];
    const factory = new BillFactory({random: billsRandom, calendar, parties, asOf: end, macro});
    const counts = dailyCounts(volumeRandom, calendar, start, end, opts.bills);
    const weights = new Float64Array(participants.length);
    const largest = participants.find((p) => p.rank === 0)!; // a client for the whole window
    let index = 0;
    for (let day = start; day <= end; day++) {
      const count = counts[day - start];
      if (count === 0) continue;
      const active = dailyWeights(participants, day, weights);
      for (const ms of registrationTimes(billsRandom, day, count)) {
        const participant = active ? participants[sampleCumulative(weights, billsRandom.next())] : largest;
        const generated = factory.make(index++, participant, ms);
        if (dirtyActors && dirtyRandom.bernoulli(opts.dirty)) {
          const kind = DIRTY_KINDS[dirtyRandom.integer(0, DIRTY_KINDS.length - 1)];
          truth.dirty.append(injectDirt(generated, kind, dirtyRandom, dirtyActors) satisfies DirtyRecord);
        }
        for (let c = 0; c < generated.copies; c++) write("trade_bills", generated.bill);
        for (const row of generated.installments) write("installments", row);
        for (const row of generated.payments) write("payments", row);
        if ((index & 255) === 0) await drain();
        if ((index & 2047) === 0 || index === opts.bills) {
          progress({table: "installments", rows: output.rows("installments")});
          progress({table: "payments", rows: output.rows("payments")});
          progress({table: "trade_bills", rows: index, total: opts.bills});
        }
      }
    }

    return await output.close((tables, truthFiles) => ({
      generator: "grafeno-registry-generator",
      generator_version: GENERATOR_VERSION,
      seed: opts.seed,
      bills: opts.bills,
      dirty: opts.dirty,
      start: opts.start,
      end: opts.end,
      as_of: opts.end,
      formats: opts.formats,
      sizes,
      tables,
      truth: truthFiles
    }));
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/** Fills cumulative activity weights for a day; false when nobody is active. */
function dailyWeights(participants: ParticipantActor[], day: number, cum: Float64Array): boolean {
  let total = 0;
  for (let i = 0; i < participants.length; i++) cum[i] = total += activeWeight(participants[i], day);
  return total > 0;
}
