// Backup encryption: AES-256-GCM over a stream, in chunks, so a table of any size is encrypted and checked
// without holding it in memory. Each object gets its own key, derived (HKDF-SHA256) from the backup key, a random
// salt and the object's name, so a chunk nonce (chunk index + final flag) is never reused and an object moved to
// another name does not decrypt. The final flag is authenticated, so a truncated object is detected.
//
//   object = "GRFNBK01" | key id length (1) | key id | salt (16) | chunk* ;  chunk = flag (1) | n (4) | n bytes | tag (16)
//
// The key comes from the environment (BACKUP_KEY) and is never written with the backup; only its id and a check
// value (an HMAC that reveals nothing about it) are.
import {createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes} from "node:crypto";
import {mkdir, readFile, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {Readable, Transform} from "node:stream";
import {pipeline} from "node:stream/promises";
import type {Logger} from "./logger.js";

const MAGIC = Buffer.from("GRFNBK01", "latin1");
const SALT_BYTES = 16;
const TAG_BYTES = 16;
const FRAME_BYTES = 5;
export const CHUNK_BYTES = 64 * 1024;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A backup that is altered, truncated, incomplete or made with another key: nothing is restored from it. */
export class BackupIntegrityError extends Error {
  override name = "BackupIntegrityError";
}

export interface BackupKeys {
  readonly activeId: string;
  readonly ids: readonly string[];
  /** The key with this id; a clear error when it is not configured. */
  key(id: string): Buffer;
}

export function createBackupKeys(keys: Record<string, Buffer>, activeId: string): BackupKeys {
  for (const [id, key] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) throw new Error(`backup key id "${id}" must be letters, digits, _ or - (at most 32)`);
    if (key.length !== 32) throw new Error(`backup key "${id}" must be 32 bytes (base64), got ${key.length}`);
  }
  if (!keys[activeId]) throw new Error(`no backup key "${activeId}"`);
  return {
    activeId,
    ids: Object.keys(keys),
    key(id) {
      const key = keys[id];
      if (!key) {
        throw new BackupIntegrityError(
          `this backup was encrypted with key "${id}", which is neither BACKUP_KEY nor in BACKUP_PREVIOUS_KEYS`
        );
      }
      return key;
    }
  };
}

function parseEntry(entry: string, defaultId: string): [string, Buffer] {
  const at = entry.indexOf(":");
  const [id, text] = at < 0 ? [defaultId, entry] : [entry.slice(0, at).trim(), entry.slice(at + 1)];
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new Error(`backup key "${id}" must be base64 of 32 bytes`);
  return [id, key];
}

/** `BACKUP_KEY="[id:]base64"` (id "b1" by default) and `BACKUP_PREVIOUS_KEYS="id:base64,…"`. */
export function parseBackupKeys(active: string, previous = ""): BackupKeys {
  const [activeId, activeKey] = parseEntry(active, "b1");
  const keys: Record<string, Buffer> = {};
  for (const entry of previous.split(",").filter((e) => e.trim())) {
    const [id, key] = parseEntry(entry, "");
    if (!id) throw new Error("BACKUP_PREVIOUS_KEYS entries must look like id:base64");
    keys[id] = key;
  }
  keys[activeId] = activeKey;
  return createBackupKeys(keys, activeId);
}

export class BackupKeyMissing extends Error {
  override name = "BackupKeyMissing";
}

/**
 * The backup keys from the environment. Without BACKUP_KEY, only the embedded development default falls back to a
 * key kept under <data>/local/backup-key (mode 600, git-ignored), generated when `create` is set.
 */
export async function loadBackupKeys(
  env: {BACKUP_KEY?: string; BACKUP_PREVIOUS_KEYS?: string},
  {embedded, dataDir, logger, create}: {embedded: boolean; dataDir: string; logger?: Logger; create: boolean}
): Promise<BackupKeys> {
  if (env.BACKUP_KEY) return parseBackupKeys(env.BACKUP_KEY, env.BACKUP_PREVIOUS_KEYS);
  if (!embedded) throw new BackupKeyMissing("BACKUP_KEY must be set (base64 of 32 bytes) to make or read backups");
  const file = join(dataDir, "local", "backup-key");
  let text: string;
  try {
    text = (await readFile(file, "utf8")).trim();
  } catch {
    if (!create) throw new BackupKeyMissing(`BACKUP_KEY is not set and there is no development key in ${file}`);
    await mkdir(join(dataDir, "local"), {recursive: true, mode: 0o700});
    text = `dev1:${randomBytes(32).toString("base64")}`;
    await writeFile(file, text, {mode: 0o600, flag: "wx"});
    logger?.warn({file}, "BACKUP_KEY not set: generated a development backup key; set BACKUP_KEY in production");
  }
  return parseBackupKeys(text, env.BACKUP_PREVIOUS_KEYS);
}

/** Tells whether a configured key is the one a backup was made with, without revealing anything about it. */
export function keyCheck(key: Buffer): string {
  return createHmac("sha256", key).update("grafeno-backup key check").digest("hex").slice(0, 16);
}

/** Authenticates a manifest's text under the backup key. */
export function manifestMac(key: Buffer, text: string): string {
  const macKey = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "grafeno-backup manifest", 32));
  return createHmac("sha256", macKey).update(text, "utf8").digest("hex");
}

function objectKey(key: Buffer, salt: Buffer, context: string): Buffer {
  return Buffer.from(hkdfSync("sha256", key, salt, `grafeno-backup object\0${context}`, 32));
}

function nonce(index: number, final: boolean): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUIntBE(index, 5, 6);
  iv[11] = final ? 1 : 0;
  return iv;
}

/** Encrypts a stream for the object named `context` (e.g. `backups/<id>/user.jsonl.gz.enc`). */
export function encryptStream(keys: BackupKeys, context: string): Transform {
  const id = Buffer.from(keys.activeId, "utf8");
  const salt = randomBytes(SALT_BYTES);
  const header = Buffer.concat([MAGIC, Buffer.from([id.length]), id, salt]);
  const key = objectKey(keys.key(keys.activeId), salt, context);
  let index = 0;
  let pending: Buffer = Buffer.alloc(0);
  const seal = (plain: Buffer, final: boolean): Buffer => {
    const cipher = createCipheriv("aes-256-gcm", key, nonce(index++, final));
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const frame = Buffer.alloc(FRAME_BYTES);
    frame[0] = final ? 1 : 0;
    frame.writeUInt32BE(body.length, 1);
    return Buffer.concat([frame, body, cipher.getAuthTag()]);
  };
  return new Transform({
    construct(done) {
      this.push(header);
      done();
    },
    transform(chunk: Buffer, _encoding, done) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Strictly more than a chunk: the last full chunk may turn out to be the final one.
      let at = 0;
      while (pending.length - at > CHUNK_BYTES) {
        this.push(seal(pending.subarray(at, at + CHUNK_BYTES), false));
        at += CHUNK_BYTES;
      }
      pending = pending.subarray(at);
      done();
    },
    flush(done) {
      done(null, seal(pending, true));
    }
  });
}

/** Decrypts and authenticates, releasing each chunk only after its tag checked; refuses truncated objects. */
export function decryptStream(keys: BackupKeys, context: string): Transform {
  let buffered: Buffer = Buffer.alloc(0);
  let header: Buffer | undefined;
  let key: Buffer | undefined;
  let index = 0;
  let finished = false;
  const fail = (message: string) => new BackupIntegrityError(`${context}: ${message}`);
  const readHeader = (): boolean => {
    if (buffered.length < MAGIC.length + 1) return false;
    if (!buffered.subarray(0, MAGIC.length).equals(MAGIC)) throw fail("not a backup object (bad header)");
    const idLength = buffered[MAGIC.length];
    const end = MAGIC.length + 1 + idLength + SALT_BYTES;
    if (buffered.length < end) return false;
    const id = buffered.subarray(MAGIC.length + 1, MAGIC.length + 1 + idLength).toString("utf8");
    header = Buffer.from(buffered.subarray(0, end));
    let master: Buffer;
    try {
      master = keys.key(id);
    } catch (error) {
      throw fail((error as Error).message);
    }
    key = objectKey(master, header.subarray(end - SALT_BYTES), context);
    buffered = buffered.subarray(end);
    return true;
  };
  const open = (): Buffer | undefined => {
    if (buffered.length < FRAME_BYTES) return undefined;
    if (finished) throw fail("data after the final chunk");
    const flag = buffered[0];
    const length = buffered.readUInt32BE(1);
    if (flag > 1 || length > CHUNK_BYTES) throw fail(`malformed chunk ${index}`);
    if (buffered.length < FRAME_BYTES + length + TAG_BYTES) return undefined;
    const decipher = createDecipheriv("aes-256-gcm", key!, nonce(index, flag === 1));
    decipher.setAAD(header!);
    decipher.setAuthTag(buffered.subarray(FRAME_BYTES + length, FRAME_BYTES + length + TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(buffered.subarray(FRAME_BYTES, FRAME_BYTES + length)), decipher.final()]);
    } catch {
      throw fail(`authentication failed at chunk ${index} (altered, reordered, or not the key it was made with)`);
    }
    buffered = buffered.subarray(FRAME_BYTES + length + TAG_BYTES);
    index++;
    finished = flag === 1;
    return plain;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
        if (!header && !readHeader()) return done();
        for (let plain = open(); plain; plain = open()) this.push(plain);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      if (!header) return done(fail("truncated (no complete header)"));
      if (buffered.length && finished) return done(fail("data after the final chunk"));
      if (!finished) return done(fail(`truncated after chunk ${index} (the final chunk is missing)`));
      done();
    }
  });
}

async function collect(source: Readable, transform: Transform): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(source, transform, async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) parts.push(chunk);
  });
  return Buffer.concat(parts);
}

export function encryptBytes(keys: BackupKeys, context: string, plain: Buffer): Promise<Buffer> {
  return collect(Readable.from([plain]), encryptStream(keys, context));
}

export function decryptBytes(keys: BackupKeys, context: string, sealed: Buffer): Promise<Buffer> {
  return collect(Readable.from([sealed]), decryptStream(keys, context));
}
