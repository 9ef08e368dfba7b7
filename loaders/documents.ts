// Brazilian document numbers: CPF (natural persons), CNPJ (companies) and NF-e access keys. Check digits are
// validated on import and produced by the generator; masking is how a CPF is shown on screen (LGPD).

/** A uniform random number in [0, 1); any seeded PRNG fits. */
export type Uniform = () => number;

/** Strips punctuation and spaces ("123.456.789-09" → "12345678909"); letters are kept, upper-cased. */
export function normalizeDocument(document: string): string {
  return document.replace(/[^0-9A-Za-z]/g, "").toUpperCase();
}

// Mod-11 check digit over character values (digit value, or ASCII - 48 for the letters of the alphanumeric CNPJ).
function mod11Digit(chars: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < chars.length; i++) sum += (chars.charCodeAt(i) - 48) * weights[i];
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

const CPF_W1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const CPF_W2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/** The two check digits of a CPF from its first 9 digits. */
export function cpfCheckDigits(base9: string): string {
  if (!/^\d{9}$/.test(base9)) throw new RangeError(`CPF base must be 9 digits, got "${base9}"`);
  const d1 = mod11Digit(base9, CPF_W1);
  const d2 = mod11Digit(base9 + d1, CPF_W2);
  return `${d1}${d2}`;
}

/** The two check digits of a CNPJ from its first 12 characters (digits, or digits and letters since 2026). */
export function cnpjCheckDigits(base12: string): string {
  if (!/^[0-9A-Z]{12}$/.test(base12)) throw new RangeError(`CNPJ base must be 12 characters, got "${base12}"`);
  const d1 = mod11Digit(base12, CNPJ_W1);
  const d2 = mod11Digit(base12 + d1, CNPJ_W2);
  return `${d1}${d2}`;
}

/** A CPF is 11 digits with valid check digits; repeated digits (111.111.111-11) pass the sum but are invalid. */
export function isValidCpf(document: string): boolean {
  const cpf = normalizeDocument(document);
  if (!/^\d{11}$/.test(cpf) || /^(\d)\1{10}$/.test(cpf)) return false;
  return cpfCheckDigits(cpf.slice(0, 9)) === cpf.slice(9);
}

/**
 * A CNPJ is 12 characters and 2 check digits. The Receita Federal makes the first 12 alphanumeric from July 2026
 * (IN RFB 2.229/2024); both forms are accepted so tomorrow's files import too.
 */
export function isValidCnpj(document: string): boolean {
  const cnpj = normalizeDocument(document);
  if (!/^[0-9A-Z]{12}\d{2}$/.test(cnpj) || /^(\d)\1{13}$/.test(cnpj)) return false;
  return cnpjCheckDigits(cnpj.slice(0, 12)) === cnpj.slice(12);
}

export type DocumentKind = "cpf" | "cnpj";

/** Which document this looks like by length once normalised (11 → CPF, 14 → CNPJ), or null. */
export function documentKind(document: string): DocumentKind | null {
  const n = normalizeDocument(document).length;
  return n === 11 ? "cpf" : n === 14 ? "cnpj" : null;
}

export function isValidDocument(document: string): boolean {
  const kind = documentKind(document);
  return kind === "cpf" ? isValidCpf(document) : kind === "cnpj" ? isValidCnpj(document) : false;
}

// The 9th CPF digit is the fiscal region where it was issued; generated CPFs agree with the person's UF.
const CPF_REGION: Record<string, number> = {
  RS: 0,
  ...Object.fromEntries(["DF", "GO", "MS", "MT", "TO"].map((uf) => [uf, 1])),
  ...Object.fromEntries(["AC", "AM", "AP", "PA", "RO", "RR"].map((uf) => [uf, 2])),
  ...Object.fromEntries(["CE", "MA", "PI"].map((uf) => [uf, 3])),
  ...Object.fromEntries(["AL", "PB", "PE", "RN"].map((uf) => [uf, 4])),
  ...Object.fromEntries(["BA", "SE"].map((uf) => [uf, 5])),
  MG: 6,
  ...Object.fromEntries(["ES", "RJ"].map((uf) => [uf, 7])),
  SP: 8,
  ...Object.fromEntries(["PR", "SC"].map((uf) => [uf, 9]))
};

function digits(random: Uniform, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) out += Math.floor(random() * 10);
  return out;
}

/** A random valid CPF (11 digits); with `uf`, its fiscal-region digit matches the state. */
export function generateCpf(random: Uniform, options: {uf?: string} = {}): string {
  for (;;) {
    const region =
      options.uf !== undefined && options.uf in CPF_REGION ? String(CPF_REGION[options.uf]) : digits(random, 1);
    const base = digits(random, 8) + region;
    const cpf = base + cpfCheckDigits(base);
    if (!/^(\d)\1{10}$/.test(cpf)) return cpf;
  }
}

/** A random valid numeric CNPJ (14 digits): 8-digit root, branch (0001 = head office), check digits. */
export function generateCnpj(random: Uniform, options: {branch?: number} = {}): string {
  const branch = String(options.branch ?? 1).padStart(4, "0");
  for (;;) {
    const base = digits(random, 8) + branch;
    const cnpj = base + cnpjCheckDigits(base);
    if (!/^(\d)\1{13}$/.test(cnpj)) return cnpj;
  }
}

/** "12345678909" → "123.456.789-09"; anything that is not 11 digits is returned normalised. */
export function formatCpf(document: string): string {
  const cpf = normalizeDocument(document);
  return /^\d{11}$/.test(cpf) ? `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}` : cpf;
}

/** "11222333000181" → "11.222.333/0001-81"; anything that is not 14 characters is returned normalised. */
export function formatCnpj(document: string): string {
  const c = normalizeDocument(document);
  return c.length === 14 ? `${c.slice(0, 2)}.${c.slice(2, 5)}.${c.slice(5, 8)}/${c.slice(8, 12)}-${c.slice(12)}` : c;
}

export function formatDocument(document: string): string {
  return documentKind(document) === "cpf" ? formatCpf(document) : formatCnpj(document);
}

/**
 * "12345678909" → "***.456.789-**": the display mask recommended for CPFs in public documents (only the 4th to
 * 9th digits shown). Input that is not a CPF is fully masked rather than shown.
 */
export function maskCpf(document: string): string {
  const cpf = normalizeDocument(document);
  if (!/^\d{11}$/.test(cpf)) return "*".repeat(Math.max(cpf.length, 1));
  return `***.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-**`;
}

/** Masks a CPF; a CNPJ identifies a company, not a person, so it is only formatted. */
export function maskDocument(document: string): string {
  return documentKind(document) === "cnpj" ? formatCnpj(document) : maskCpf(document);
}

// NF-e access key (chave de acesso, Manual de Orientação do Contribuinte): cUF(2) AAMM(4) CNPJ(14) mod(2)
// serie(3) nNF(9) tpEmis(1) cNF(8) cDV(1) = 44 digits; cDV is mod 11 with weights 2..9 from the right.

/** The check digit of an NF-e key from its first 43 digits. */
export function nfeKeyCheckDigit(first43: string): number {
  if (!/^\d{43}$/.test(first43)) throw new RangeError(`NF-e key body must be 43 digits, got "${first43}"`);
  let sum = 0;
  for (let i = 42, weight = 2; i >= 0; i--, weight = weight === 9 ? 2 : weight + 1) {
    sum += (first43.charCodeAt(i) - 48) * weight;
  }
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

export function isValidNfeKey(key: string): boolean {
  const k = key.replace(/\s/g, "");
  return /^\d{44}$/.test(k) && nfeKeyCheckDigit(k.slice(0, 43)) === +k[43];
}

export interface NfeKeyParts {
  /** IBGE state code (35 = SP). */
  ufCode: number;
  year: number;
  month: number;
  /** Issuer's CNPJ, 14 digits. */
  cnpj: string;
  /** 55 = NF-e, 65 = NFC-e. */
  model?: number;
  series: number;
  number: number;
  /** 1 = normal emission. */
  emissionType?: number;
  /** Random 8-digit code chosen by the issuer. */
  code: number;
}

export function buildNfeKey(parts: NfeKeyParts): string {
  const cnpj = normalizeDocument(parts.cnpj);
  if (!/^\d{14}$/.test(cnpj)) throw new RangeError(`NF-e issuer CNPJ must be 14 digits, got "${parts.cnpj}"`);
  const body =
    String(parts.ufCode).padStart(2, "0") +
    String(parts.year % 100).padStart(2, "0") +
    String(parts.month).padStart(2, "0") +
    cnpj +
    String(parts.model ?? 55).padStart(2, "0") +
    String(parts.series).padStart(3, "0") +
    String(parts.number).padStart(9, "0") +
    String(parts.emissionType ?? 1) +
    String(parts.code).padStart(8, "0");
  return body + nfeKeyCheckDigit(body);
}

/** A valid NF-e key for an issuer and emission month, with random series, number and code. */
export function generateNfeKey(
  random: Uniform,
  issuer: {ufCode: number; year: number; month: number; cnpj: string}
): string {
  return buildNfeKey({
    ...issuer,
    series: 1 + Math.floor(random() * 3),
    number: 1 + Math.floor(random() * 999_999_998),
    code: Math.floor(random() * 100_000_000)
  });
}

/** "3524…" → "3524 0112 …" in 11 groups of 4, as printed on a DANFE. */
export function formatNfeKey(key: string): string {
  return key.replace(/\s/g, "").replace(/(\d{4})(?=\d)/g, "$1 ");
}
