// Domain rules of one canonical row, once its values have the right types: check digits, dates in range, positive
// values, states consistent with their fields. Rules that need other rows (references, duplicates, installments
// against their bill) live in validate.ts.
import {documentKind, isValidCnpj, isValidCpf, isValidNfeKey, normalizeDocument} from "./documents.js";
import type {RowOf, TableName} from "./registry-schema.js";
import {epochDay, isoDate} from "./registry-schema.js";

export const RULES = [
  "structure",
  "type",
  "required",
  "enum",
  "document",
  "nfe_key",
  "date_range",
  "date_order",
  "positive",
  "state",
  "payment",
  "reference",
  "duplicate_key",
  "installments_sum",
  "installment_numbers",
  "payments_sum",
  "cascade"
] as const;
/** What kind of problem a row has: one name per rule, so reports can count them. */
export type Rule = (typeof RULES)[number];

export type Flag = (column: string, value: unknown, reason: string, rule: Rule) => void;

export interface DateRange {
  /** Earliest acceptable day (days since 1970-01-01). */
  min: number;
  /** Latest acceptable day; later ones are far-future dates (a 9999-12-31 placeholder, a century typo). */
  max: number;
}

/** 2000-01-01 … today + 40 years: the registry starts after 2000, and no receivable runs for 40 years. */
export function defaultDateRange(today: string, yearsAhead = 40): DateRange {
  const [y, m, d] = today.split("-").map(Number);
  // Date.UTC rolls a 29 February onto 1 March when the target year is not a leap year.
  return {min: epochDay("2000-01-01"), max: Date.UTC(y + yearsAhead, m - 1, d) / 86_400_000};
}

function checkDay(range: DateRange, column: string, iso: string | null, flag: Flag): void {
  if (iso === null) return;
  const day = epochDay(iso.slice(0, 10));
  if (day < range.min) flag(column, iso, `date before ${isoDate(range.min)}`, "date_range");
  else if (day > range.max) flag(column, iso, `far-future date (after ${isoDate(range.max)})`, "date_range");
}

function positive(column: string, value: number | null, flag: Flag): void {
  if (value !== null && !(value > 0)) flag(column, value, `must be positive, got ${value.toFixed(2)}`, "positive");
}

function documentProblem(document: string, expected: "cpf" | "cnpj"): string | null {
  const normalized = normalizeDocument(document);
  const size = expected === "cpf" ? 11 : 14;
  if (normalized.length !== size) {
    const looksLike = documentKind(document);
    const hint = looksLike && looksLike !== expected ? ` (looks like a ${looksLike.toUpperCase()})` : "";
    return `${expected.toUpperCase()} must have ${size} characters, got ${normalized.length}${hint}`;
  }
  if (/^(.)\1+$/.test(normalized)) return `${expected.toUpperCase()} with all digits equal is not valid`;
  const valid = expected === "cpf" ? isValidCpf(normalized) : isValidCnpj(normalized);
  return valid ? null : `invalid ${expected.toUpperCase()} check digits`;
}

type Rules = {[T in TableName]: (row: RowOf<T>, range: DateRange, flag: Flag) => void};

export const TABLE_RULES: Rules = {
  participants(row, range, flag) {
    const problem = documentProblem(row.cnpj, "cnpj");
    if (problem) flag("cnpj", row.cnpj, problem, "document");
    checkDay(range, "joined_at", row.joined_at, flag);
    checkDay(range, "left_at", row.left_at, flag);
    if (row.left_at !== null && row.left_at < row.joined_at) {
      flag("left_at", row.left_at, `before joined_at ${row.joined_at}`, "date_order");
    }
  },
  parties(row, _range, flag) {
    const problem = documentProblem(row.document, row.person_type === "PF" ? "cpf" : "cnpj");
    if (problem) flag("document", row.document, `${problem} for person_type ${row.person_type}`, "document");
    if (row.name.trim() === "") flag("name", row.name, "name is blank", "required");
  },
  trade_bills(row, range, flag) {
    positive("value", row.value, flag);
    if (row.nfe_key !== null && !isValidNfeKey(row.nfe_key)) {
      flag("nfe_key", row.nfe_key, "not a valid NF-e key (44 digits with a mod-11 check digit)", "nfe_key");
    } else if (row.ballast === "nfe_key" && row.nfe_key === null) {
      flag("nfe_key", null, "required when ballast is nfe_key", "nfe_key");
    }
    if (row.state === "canceled" && row.cancel_reason === null) {
      flag("cancel_reason", null, "a canceled bill needs a cancel_reason", "state");
    } else if (row.state !== "canceled" && row.cancel_reason !== null) {
      flag("cancel_reason", row.cancel_reason, `set on a bill in state ${row.state}`, "state");
    }
    checkDay(range, "emitted_at", row.emitted_at, flag);
    checkDay(range, "registered_at", row.registered_at, flag);
    if (row.emitted_at > row.registered_at.slice(0, 10)) {
      flag("emitted_at", row.emitted_at, `after registered_at ${row.registered_at}`, "date_order");
    }
  },
  installments(row, range, flag) {
    if (row.number < 1) flag("number", row.number, "installment numbers start at 1", "installment_numbers");
    positive("value", row.value, flag);
    positive("paid_value", row.paid_value, flag);
    if ((row.paid_value === null) !== (row.paid_at === null)) {
      const [column, value] = row.paid_at === null ? ["paid_at", null] : ["paid_value", null];
      flag(column, value, "paid_value and paid_at go together (both set or both empty)", "payment");
    }
    checkDay(range, "due_date", row.due_date, flag);
    checkDay(range, "original_due_date", row.original_due_date, flag);
    checkDay(range, "paid_at", row.paid_at, flag);
  },
  payments(row, range, flag) {
    if (row.installment_number < 1) {
      flag("installment_number", row.installment_number, "installment numbers start at 1", "installment_numbers");
    }
    positive("value", row.value, flag);
    checkDay(range, "performed_at", row.performed_at, flag);
  }
};
