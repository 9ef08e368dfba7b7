// Personal data at rest: AES-256-GCM under a named key ("k2:…", so old ciphertexts stay readable while keys
// rotate), and a keyed hash (HMAC-SHA256) for lookups and uniqueness without storing the value in clear.
// Keys come from the environment; only the embedded development default may generate them under data/local.
import {createCipheriv, createDecipheriv, createHmac, randomBytes} from "node:crypto";
import {mkdir, readFile, writeFile} from "node:fs/promises";
import {join} from "node:path";
import type {Logger} from "./logger.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** What a keyed hash is of; the purpose is mixed in, so equal values of different kinds never collide. */
export type HashPurpose = "email" | "cpf" | "ip" | "token";

export interface KeyRing {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  /** `aad` binds the ciphertext to where it lives (table, column, owner): moved elsewhere, it will not decrypt. */
  encrypt(plaintext: string, aad: string): string;
  decrypt(ciphertext: string, aad: string): string;
  keyIdOf(ciphertext: string): string;
  hash(purpose: HashPurpose, value: string): string;
  /** A MAC for self-contained tokens (confirmation steps); separate from the lookup hashes by its label. */
  mac(label: string, data: string): string;
}

export interface KeyMaterial {
  keys: Record<string, Buffer>;
  active: string;
  hashKey: Buffer;
}

export function createKeyRing({keys, active, hashKey}: KeyMaterial): KeyRing {
  if (!keys[active]) throw new Error(`PII_ACTIVE_KEY "${active}" is not among PII_KEYS`);
  for (const [id, key] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) throw new Error(`PII key id "${id}" must be letters, digits, _ or -`);
    if (key.length !== 32) throw new Error(`PII key "${id}" must be 32 bytes (base64), got ${key.length}`);
  }
  if (hashKey.length < 32) throw new Error("PII_HASH_KEY must be at least 32 bytes (base64)");
  const keyIdOf = (ciphertext: string): string => ciphertext.slice(0, Math.max(0, ciphertext.indexOf(":")));
  return {
    activeKeyId: active,
    keyIds: Object.keys(keys),
    keyIdOf,
    encrypt(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", keys[active], iv);
      cipher.setAAD(Buffer.from(aad, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${active}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
    },
    decrypt(ciphertext, aad) {
      const id = keyIdOf(ciphertext);
      const key = keys[id];
      if (!key) throw new Error(`no PII key "${id}" to decrypt with (is it still in PII_KEYS?)`);
      const raw = Buffer.from(ciphertext.slice(id.length + 1), "base64url");
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("ciphertext too short");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final()
      ]).toString("utf8");
    },
    hash(purpose, value) {
      return createHmac("sha256", hashKey).update(`${purpose}\0${value}`, "utf8").digest("hex");
    },
    mac(label, data) {
      return createHmac("sha256", hashKey).update(`mac:${label}\0${data}`, "utf8").digest("base64url");
    }
  };
}

function decodeKey(name: string, text: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (!key.length) throw new Error(`${name} is not base64`);
  return key;
}

/** Reads `PII_KEYS="k1:base64,k2:base64"`, `PII_ACTIVE_KEY` (default: the only or last key), `PII_HASH_KEY`. */
export function keyMaterialFromEnv(env: {PII_KEYS?: string; PII_ACTIVE_KEY?: string; PII_HASH_KEY?: string}) {
  if (!env.PII_KEYS || !env.PII_HASH_KEY) throw new Error("PII_KEYS and PII_HASH_KEY must both be set");
  const keys: Record<string, Buffer> = {};
  for (const entry of env.PII_KEYS.split(",").filter((e) => e.trim())) {
    const at = entry.indexOf(":");
    if (at < 1) throw new Error(`PII_KEYS entry "${entry.slice(0, 8)}…" must look like id:base64key`);
    keys[entry.slice(0, at).trim()] = decodeKey(`PII_KEYS ${entry.slice(0, at)}`, entry.slice(at + 1));
  }
  const ids = Object.keys(keys);
  return {
    keys,
    active: env.PII_ACTIVE_KEY ?? ids[ids.length - 1],
    hashKey: decodeKey("PII_HASH_KEY", env.PII_HASH_KEY)
  };
}

/** A fresh set of keys in the environment's format, for the embedded default and for operators (`--generate`). */
export function generateKeyEnv(id = "k1"): {PII_KEYS: string; PII_ACTIVE_KEY: string; PII_HASH_KEY: string} {
  return {
    PII_KEYS: `${id}:${randomBytes(32).toString("base64")}`,
    PII_ACTIVE_KEY: id,
    PII_HASH_KEY: randomBytes(32).toString("base64")
  };
}

export interface KeyOptions {
  embedded: boolean;
  dataDir: string;
  logger?: Logger;
}

/**
 * The key ring from the environment. With no keys set, only the embedded development default generates a set
 * under `data/local/pii-keys.json` (mode 600, git-ignored); against a database server keys are required.
 */
export async function loadKeyRing(
  env: {PII_KEYS?: string; PII_ACTIVE_KEY?: string; PII_HASH_KEY?: string},
  {embedded, dataDir, logger}: KeyOptions
): Promise<KeyRing> {
  if (env.PII_KEYS || env.PII_HASH_KEY) return createKeyRing(keyMaterialFromEnv(env));
  if (!embedded) throw new Error("PII_KEYS and PII_HASH_KEY must be set when DATABASE_URL points at a server");
  const dir = join(dataDir, "local");
  const file = join(dir, "pii-keys.json");
  let stored: ReturnType<typeof generateKeyEnv>;
  try {
    stored = JSON.parse(await readFile(file, "utf8"));
  } catch {
    await mkdir(dir, {recursive: true, mode: 0o700});
    stored = generateKeyEnv();
    await writeFile(file, JSON.stringify(stored, null, 2), {mode: 0o600, flag: "wx"});
    logger?.warn({file}, "PII_KEYS not set: generated development keys for personal data; set them in production");
  }
  return createKeyRing(keyMaterialFromEnv(stored));
}

/** Emails are compared case-insensitively, without surrounding spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
