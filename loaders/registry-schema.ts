// The one definition of the registry's canonical tables. The generator, the importers, the loaders and the API all
// derive their columns, row types and Arrow schemas from here, so a column is renamed or retyped in one place only.
import {DateDay, Dictionary, Field, Float64, Int32, Schema, TimestampMillisecond, Utf8} from "apache-arrow";
import type {DataType} from "apache-arrow";

/**
 * Value conventions shared by every format:
 * - date: ISO calendar date "YYYY-MM-DD" (no time zone; Arrow DateDay).
 * - timestamp: ISO instant in UTC "YYYY-MM-DDTHH:MM:SS.sssZ", exactly what Date#toISOString prints (Arrow
 *   TimestampMillisecond, no time zone attached).
 * - money: float (Arrow Float64) always rounded to 2 decimals (centavos) by whoever produces it; written with
 *   exactly 2 decimals in CSV. Fields that hold money have `decimals: 2`.
 * - enum: one of the listed values (Arrow Dictionary<Utf8, Int32> with the values as a fixed dictionary).
 */
export type FieldType = "string" | "int" | "float" | "date" | "timestamp" | "enum";

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly nullable: boolean;
  readonly description: string;
  /** Allowed values, in dictionary order (enum fields only). */
  readonly values?: readonly string[];
  /** Decimal places kept (money). */
  readonly decimals?: number;
  /** Personal data under LGPD when the party is a natural person (PF). */
  readonly personal?: boolean;
}

export interface TableSpec {
  readonly name: string;
  readonly description: string;
  readonly primaryKey: readonly string[];
  readonly fields: readonly FieldSpec[];
}

export const PARTICIPANT_KINDS = ["bank", "fidc", "securitizer", "fintech"] as const;
export const PERSON_TYPES = ["PF", "PJ"] as const;
export const BILL_KINDS = ["goods", "services"] as const;
export const BALLASTS = ["nfe_key", "invoice"] as const;
export const BILL_STATES = ["active", "finished", "canceled"] as const;
export const CANCEL_REASONS = ["operational_error", "reversal", "other"] as const;
// IBGE order (by region, then code), which is also the order of the NF-e state codes.
export const UFS = [
  ...["RO", "AC", "AM", "RR", "PA", "AP", "TO", "MA", "PI", "CE", "RN", "PB", "PE", "AL", "SE", "BA"],
  ...["MG", "ES", "RJ", "SP", "PR", "SC", "RS", "MS", "MT", "GO", "DF"]
] as const;

const money = {type: "float", decimals: 2} as const;

const participants = {
  name: "participants",
  description: "Registrar clients that register assets: banks, FIDCs, securitizers and fintechs.",
  primaryKey: ["participant_id"],
  fields: [
    {name: "participant_id", type: "string", nullable: false, description: "Opaque participant id."},
    {name: "cnpj", type: "string", nullable: false, description: "CNPJ, 14 characters, no punctuation."},
    {name: "name", type: "string", nullable: false, description: "Corporate name."},
    {name: "kind", type: "enum", values: PARTICIPANT_KINDS, nullable: false, description: "Kind of institution."},
    {name: "uf", type: "enum", values: UFS, nullable: false, description: "State of the head office."},
    {name: "joined_at", type: "date", nullable: false, description: "Start of the registrar contract."},
    {name: "left_at", type: "date", nullable: true, description: "End of the contract; null while a client."}
  ]
} as const satisfies TableSpec;

const parties = {
  name: "parties",
  description: "Assignors (cedentes) and payers (sacados) named on trade bills.",
  primaryKey: ["party_id"],
  fields: [
    {name: "party_id", type: "string", nullable: false, description: "Opaque party id."},
    {
      name: "document",
      type: "string",
      nullable: false,
      personal: true,
      description: "CPF (11 digits, PF) or CNPJ (14 characters, PJ), no punctuation."
    },
    {name: "person_type", type: "enum", values: PERSON_TYPES, nullable: false, description: "PF or PJ."},
    {name: "name", type: "string", nullable: false, personal: true, description: "Person's or company's name."},
    {name: "uf", type: "enum", values: UFS, nullable: false, description: "State (unidade federativa)."},
    {name: "city", type: "string", nullable: false, description: "City."},
    {name: "segment", type: "string", nullable: false, description: "Business segment; 'individual' for PF."}
  ]
} as const satisfies TableSpec;

const tradeBills = {
  name: "trade_bills",
  description: "Registered trade bills (duplicatas), one row per asset.",
  primaryKey: ["bill_id"],
  fields: [
    {name: "bill_id", type: "string", nullable: false, description: "Asset id given by the registrar."},
    {name: "participant_id", type: "string", nullable: false, description: "Participant that registered it."},
    {name: "assignor_id", type: "string", nullable: false, description: "Party that issued it (cedente)."},
    {name: "payer_id", type: "string", nullable: false, description: "Party that owes it (sacado)."},
    {name: "kind", type: "enum", values: BILL_KINDS, nullable: false, description: "Sale of goods or services."},
    {name: "ballast", type: "enum", values: BALLASTS, nullable: false, description: "Backing: NF-e key or invoice."},
    {name: "nfe_key", type: "string", nullable: true, description: "44-digit NF-e access key when ballast=nfe_key."},
    {name: "emitted_at", type: "date", nullable: false, description: "Issue date of the bill."},
    {name: "registered_at", type: "timestamp", nullable: false, description: "When the registrar recorded it."},
    {name: "state", type: "enum", values: BILL_STATES, nullable: false, description: "Current state."},
    {
      name: "cancel_reason",
      type: "enum",
      values: CANCEL_REASONS,
      nullable: true,
      description: "Why it was canceled; null unless state=canceled."
    },
    {name: "value", ...money, nullable: false, description: "Face value in BRL (sum of its installments)."}
  ]
} as const satisfies TableSpec;

const installments = {
  name: "installments",
  description: "Installments (parcelas) of each bill.",
  primaryKey: ["bill_id", "number"],
  fields: [
    {name: "bill_id", type: "string", nullable: false, description: "Bill it belongs to."},
    {name: "number", type: "int", nullable: false, description: "1-based installment number."},
    {name: "due_date", type: "date", nullable: false, description: "Due date in force (after any extension)."},
    {name: "original_due_date", type: "date", nullable: false, description: "Due date when registered."},
    {name: "value", ...money, nullable: false, description: "Amount due in BRL."},
    {name: "paid_value", ...money, nullable: true, description: "Total paid in BRL (fine and interest included)."},
    {name: "paid_at", type: "date", nullable: true, description: "Date it was settled; null while open."}
  ]
} as const satisfies TableSpec;

const payments = {
  name: "payments",
  description: "Payments received against installments; an installment may be settled in several payments.",
  primaryKey: ["payment_id"],
  fields: [
    {name: "payment_id", type: "string", nullable: false, description: "Opaque payment id."},
    {name: "bill_id", type: "string", nullable: false, description: "Bill paid."},
    {name: "installment_number", type: "int", nullable: false, description: "Installment paid."},
    {name: "performed_at", type: "timestamp", nullable: false, description: "When the payment was made."},
    {name: "value", ...money, nullable: false, description: "Amount paid in BRL."}
  ]
} as const satisfies TableSpec;

export const REGISTRY_TABLES = {
  participants,
  parties,
  trade_bills: tradeBills,
  installments,
  payments
} as const;

export type TableName = keyof typeof REGISTRY_TABLES;
/** Tables in dependency order: a table only refers to tables before it. */
export const TABLE_NAMES = ["participants", "parties", "trade_bills", "installments", "payments"] as const;

type FieldValue<F extends FieldSpec> = F["type"] extends "int" | "float"
  ? number
  : F extends {readonly type: "enum"; readonly values: readonly (infer V)[]}
    ? V
    : string;
type FieldsRow<Fs extends readonly FieldSpec[]> = {
  [F in Fs[number] as F["name"]]: F["nullable"] extends true ? FieldValue<F> | null : FieldValue<F>;
};
export type RowOf<T extends TableName> = FieldsRow<(typeof REGISTRY_TABLES)[T]["fields"]>;

export type ParticipantRow = RowOf<"participants">;
export type PartyRow = RowOf<"parties">;
export type TradeBillRow = RowOf<"trade_bills">;
export type InstallmentRow = RowOf<"installments">;
export type PaymentRow = RowOf<"payments">;
export type RegistryRow = ParticipantRow | PartyRow | TradeBillRow | InstallmentRow | PaymentRow;

export function tableSpec(table: TableName): TableSpec {
  return REGISTRY_TABLES[table];
}

/** Column names in canonical order (CSV header order, Arrow field order, SQL column order). */
export function columnOrder(table: TableName): string[] {
  return REGISTRY_TABLES[table].fields.map((f) => f.name);
}

function arrowType(field: FieldSpec, index: number): DataType {
  switch (field.type) {
    case "string":
      return new Utf8();
    case "int":
      return new Int32();
    case "float":
      return new Float64();
    case "date":
      return new DateDay();
    case "timestamp":
      return new TimestampMillisecond();
    case "enum":
      // An explicit dictionary id: Arrow's default is a process-wide counter, which would make the bytes depend on
      // how many schemas were built before (and break byte-identical output).
      return new Dictionary(new Utf8(), new Int32(), index);
  }
}

const schemas = new WeakMap<TableSpec, Schema>();

/**
 * The Arrow schema of a canonical table, or of any table described the same way (memoised per spec, so every
 * batch of a table shares one schema object).
 */
export function arrowSchema(table: TableName | TableSpec): Schema {
  const spec = typeof table === "string" ? REGISTRY_TABLES[table] : table;
  let schema = schemas.get(spec);
  if (!schema) {
    const fields = spec.fields.map((f, i) => new Field(f.name, arrowType(f, i), f.nullable));
    schemas.set(spec, (schema = new Schema(fields)));
  }
  return schema;
}

// Day numbers and ISO strings, with a cache: a registry has a few thousand distinct dates and millions of rows.
const MS_PER_DAY = 86_400_000;
const isoByDay = new Map<number, string>();
const dayByIso = new Map<string, number>();

/** Days since 1970-01-01 → "YYYY-MM-DD". */
export function isoDate(day: number): string {
  let iso = isoByDay.get(day);
  if (iso === undefined) {
    iso = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (isoByDay.size < 200_000) isoByDay.set(day, iso);
  }
  return iso;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "YYYY-MM-DD" → days since 1970-01-01; NaN when it is not a real calendar date. */
export function epochDay(iso: string): number {
  let day = dayByIso.get(iso);
  if (day === undefined) {
    const m = ISO_DATE.exec(iso);
    if (!m) return NaN;
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    // Date.UTC rolls 2024-02-30 over to March; a real date formats back to itself.
    day = isoDate(ms / MS_PER_DAY) === iso ? ms / MS_PER_DAY : NaN;
    if (dayByIso.size < 200_000 && !Number.isNaN(day)) dayByIso.set(iso, day);
  }
  return day;
}

/** Epoch milliseconds → "YYYY-MM-DDTHH:MM:SS.sssZ". */
export function isoTimestamp(ms: number): string {
  const day = Math.floor(ms / MS_PER_DAY);
  const rest = ms - day * MS_PER_DAY;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor((rest % 3_600_000) / 60_000);
  const s = Math.floor((rest % 60_000) / 1000);
  const milli = rest % 1000;
  return `${isoDate(day)}T${pad2(h)}:${pad2(m)}:${pad2(s)}.${String(milli).padStart(3, "0")}Z`;
}

const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

/** ISO instant in UTC ("Z"; seconds required, milliseconds optional) → epoch milliseconds; NaN otherwise. */
export function epochMs(iso: string): number {
  if (iso.length === 24 && iso.charCodeAt(10) === 84 && iso.charCodeAt(23) === 90) {
    // Fast path for the canonical form: millions of these go through every Arrow write.
    const ms = canonicalMs(iso);
    if (!Number.isNaN(ms)) return ms;
  }
  const m = ISO_TIMESTAMP.exec(iso);
  if (!m) return NaN;
  const day = epochDay(m[1]);
  const [h, min, s] = [+m[2], +m[3], +m[4]];
  if (h > 23 || min > 59 || s > 59) return NaN;
  const milli = m[5] ? +m[5].padEnd(3, "0") : 0;
  return day * MS_PER_DAY + h * 3_600_000 + min * 60_000 + s * 1000 + milli;
}

// "YYYY-MM-DDTHH:MM:SS.sssZ" read digit by digit; NaN when any position is not what it should be.
function canonicalMs(iso: string): number {
  const day = epochDay(iso.slice(0, 10));
  let clock = 0;
  for (const [at, scale, max] of CLOCK_FIELDS) {
    const value = digitsAt(iso, at, at === 20 ? 3 : 2);
    if (!(value <= max)) return NaN;
    clock += value * scale;
  }
  if (iso[13] !== ":" || iso[16] !== ":" || iso[19] !== ".") return NaN;
  return day * MS_PER_DAY + clock;
}

const CLOCK_FIELDS = [
  [11, 3_600_000, 23],
  [14, 60_000, 59],
  [17, 1000, 59],
  [20, 1, 999]
] as const;

function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Round to centavos; the one rounding rule for money. */
export function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}
