// Raw values → canonical values (see registry-schema.ts: ISO dates and instants, numbers, enum names). Raw values
// come as text from CSV files (ISO or dd/mm/yyyy dates, decimal comma or point) or typed from Arrow files, Postgres
// and MongoDB (epoch milliseconds, Date objects, numbers). A value that cannot be read comes back as an Invalid
// carrying the reason, so the caller can name file, row and column.
import type {FieldSpec} from "./registry-schema.js";
import {epochDay, epochMs, isoDate, isoTimestamp, roundMoney} from "./registry-schema.js";

/** How text values are written in one file. */
export interface ValueLocale {
  /** Decimal separator: "," for "1.234,56" (Brazilian exports), "." for "1234.56" or "1,234.56". */
  decimal: "." | ",";
  /** Offset applied to timestamps written without a zone, e.g. "-03:00" for Brasília; default UTC. */
  timezone?: string;
}

export const DEFAULT_LOCALE: ValueLocale = {decimal: "."};

export class Invalid {
  constructor(readonly reason: string) {}
}

export type Canonical = string | number | null;
export type Coercer = (raw: unknown) => Canonical | Invalid;

const MS_PER_DAY = 86_400_000;

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED_POINT = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/; // 1,234.56
const GROUPED_COMMA = /^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/; // 1.234,56
const COMMA_DECIMAL = /^[+-]?\d*,\d+$/; // 1234,56

/**
 * A number written as text. With decimal ",", "1.234,56" and "1234,56" are 1234.56 and "1.234" is 1234 (thousands);
 * with decimal ".", "1,234.56" is 1234.56. A plain "12.5" reads as 12.5 either way. NaN when it is no number.
 */
export function parseDecimal(text: string, decimal: "." | "," = "."): number {
  const t = text.trim();
  if (decimal === ",") {
    if (GROUPED_COMMA.test(t)) return Number(t.replace(/\./g, "").replace(",", "."));
    if (COMMA_DECIMAL.test(t)) return Number(t.replace(",", "."));
  } else if (GROUPED_POINT.test(t)) {
    return Number(t.replace(/,/g, ""));
  }
  return PLAIN_NUMBER.test(t) ? Number(t) : NaN;
}

const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00(?::?00)?)?$/;

/** A calendar date as "YYYY-MM-DD", "dd/mm/yyyy" (also with - or .), "YYYYMMDD", or an ISO midnight; else null. */
export function parseDateText(text: string): string | null {
  const t = text.trim();
  if (t.length === 10 && t[4] === "-") return Number.isNaN(epochDay(t)) ? null : t;
  let iso: string | null = null;
  let m: RegExpExecArray | null;
  if ((m = DMY.exec(t))) iso = `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}`;
  else if ((m = COMPACT.exec(t))) iso = `${m[1]}-${m[2]}-${m[3]}`;
  else if ((m = MIDNIGHT.exec(t))) iso = m[1];
  return iso !== null && !Number.isNaN(epochDay(iso)) ? iso : null;
}

const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DMY_TIME = /^(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === "Z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return NaN;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/**
 * An instant as ISO 8601 (T or space, optional seconds and fraction, Z or ±hh:mm), "dd/mm/yyyy hh:mm[:ss]", or a
 * bare date (midnight). Without a zone, `timezone` applies (UTC by default). Epoch milliseconds, or NaN.
 */
export function parseTimestampText(text: string, timezone?: string): number {
  const t = text.trim();
  const fast = epochMs(t);
  if (!Number.isNaN(fast)) return fast;
  let date: string | null;
  let parts: (string | undefined)[];
  let zone: string | undefined;
  let m = TIMESTAMP.exec(t);
  if (m) {
    date = Number.isNaN(epochDay(m[1])) ? null : m[1];
    parts = [m[2], m[3], m[4], m[5]];
    zone = m[6];
  } else if ((m = DMY_TIME.exec(t))) {
    date = parseDateText(m[1]);
    parts = [m[2], m[3], m[4], m[5]];
  } else {
    return NaN;
  }
  if (date === null) return NaN;
  const [h, min, s] = parts.slice(0, 3).map((p) => Number(p ?? 0));
  if (h > 23 || min > 59 || s > 59) return NaN;
  const milli = parts[3] ? Number(parts[3].slice(0, 3).padEnd(3, "0")) : 0;
  const offset = offsetMinutes(zone ?? timezone);
  return epochDay(date) * MS_PER_DAY + ((h * 60 + min - offset) * 60 + s) * 1000 + milli;
}

function asMs(raw: unknown): number {
  if (raw instanceof Date) return raw.getTime();
  if (typeof raw === "bigint") return Number(raw);
  return typeof raw === "number" ? raw : NaN;
}

function show(raw: unknown): string {
  return typeof raw === "string" ? JSON.stringify(raw) : String(raw);
}

/** The coercion of one field, built once per table and file (it is called for every value). */
export function coercer(field: FieldSpec, locale: ValueLocale = DEFAULT_LOCALE): Coercer {
  const nullOr = (read: (raw: unknown) => Canonical | Invalid): Coercer => {
    const missing = field.nullable ? null : new Invalid("required value is missing");
    return (raw) => (raw === null || raw === undefined || raw === "" ? missing : read(raw));
  };
  switch (field.type) {
    case "string":
      return nullOr((raw) =>
        typeof raw === "string" ? raw : typeof raw === "number" || typeof raw === "bigint" ? String(raw) : bad(raw)
      );
    case "int":
      return nullOr((raw) => {
        const n = typeof raw === "string" ? (/^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : NaN) : Number(raw);
        return Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? n : new Invalid(`not an integer: ${show(raw)}`);
      });
    case "float":
      return nullOr((raw) => {
        const n = typeof raw === "string" ? parseDecimal(raw, locale.decimal) : Number(raw);
        if (!Number.isFinite(n)) return new Invalid(`not a number: ${show(raw)}`);
        if (field.decimals === undefined) return n;
        const rounded = field.decimals === 2 ? roundMoney(n) : Number(n.toFixed(field.decimals));
        if (Math.abs(rounded - n) > 1e-9 * Math.max(1, Math.abs(n))) {
          return new Invalid(`more than ${field.decimals} decimals: ${show(raw)}`);
        }
        return rounded;
      });
    case "date":
      return nullOr((raw) => {
        if (typeof raw === "string") return parseDateText(raw) ?? new Invalid(`not a date: ${show(raw)}`);
        const ms = asMs(raw);
        if (!Number.isFinite(ms)) return bad(raw);
        return ms % MS_PER_DAY === 0 ? isoDate(ms / MS_PER_DAY) : new Invalid(`a date with a time of day: ${ms}`);
      });
    case "timestamp":
      return nullOr((raw) => {
        // Already canonical ("YYYY-MM-DDTHH:MM:SS.sssZ" that reads back): kept as it is, no need to format it again.
        if (typeof raw === "string" && raw.length === 24 && raw[23] === "Z" && !Number.isNaN(epochMs(raw))) return raw;
        const ms = typeof raw === "string" ? parseTimestampText(raw, locale.timezone) : asMs(raw);
        return Number.isFinite(ms) ? isoTimestamp(ms) : new Invalid(`not a timestamp: ${show(raw)}`);
      });
    case "enum": {
      const values = field.values ?? [];
      const exact = new Set(values);
      const folded = new Map(values.map((v) => [v.toLowerCase(), v]));
      return nullOr((raw) => {
        if (typeof raw === "string" && exact.has(raw)) return raw;
        const match = typeof raw === "string" ? folded.get(raw.trim().toLowerCase()) : undefined;
        return match ?? new Invalid(`${show(raw)} is not one of ${values.join(", ")}`);
      });
    }
  }
  function bad(raw: unknown): Invalid {
    return new Invalid(`cannot read ${show(raw)} as ${field.type}`);
  }
}
