// Where backups and the erasure journal live: S3-compatible object storage (MinIO in production, path-style URLs)
// or a local folder (the embedded default, <data>/backups). Both store opaque, already-encrypted objects under
// keys like `backups/<id>/user.jsonl.gz.enc`; neither ever sees a key or a clear value.
import {randomBytes} from "node:crypto";
import {createReadStream, createWriteStream} from "node:fs";
import {mkdir, readdir, rename, rm, stat, writeFile} from "node:fs/promises";
import {dirname, join, relative, resolve, sep} from "node:path";
import type {Readable} from "node:stream";
import {pipeline} from "node:stream/promises";
import type {S3Client} from "@aws-sdk/client-s3";
import type {OperationsConfig} from "./backup-config.js";

export interface StoredObject {
  key: string;
  size: number;
}

export interface BackupStorage {
  /** Where, for logs and the admin page (never credentials). */
  readonly description: string;
  putFile(key: string, path: string): Promise<void>;
  putBytes(key: string, bytes: Buffer): Promise<void>;
  /** The object's bytes as a stream; ObjectMissing when there is none. */
  get(key: string): Promise<Readable>;
  /** Objects whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredObject[]>;
  remove(key: string): Promise<void>;
}

export class ObjectMissing extends Error {
  override name = "ObjectMissing";
  constructor(readonly key: string) {
    super(`no object ${key} in the backup storage`);
  }
}

const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

function checkKey(key: string): string {
  if (!SAFE_KEY.test(key) || key.split("/").some((part) => part === "." || part === "..")) {
    throw new Error(`invalid object key "${key}"`);
  }
  return key;
}

export async function getBytes(storage: BackupStorage, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of await storage.get(key)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A folder; each object is written under a temporary name and renamed, so a reader never sees half of one. */
export function localStorage(root: string): BackupStorage {
  const dir = resolve(root);
  const pathOf = (key: string) => join(dir, ...checkKey(key).split("/"));
  const temporary = (path: string) => join(dirname(path), `.${randomBytes(8).toString("hex")}.tmp`);
  const place = async (key: string, write: (path: string) => Promise<void>) => {
    const path = pathOf(key);
    await mkdir(dirname(path), {recursive: true, mode: 0o700});
    const tmp = temporary(path);
    try {
      await write(tmp);
      await rename(tmp, path);
    } finally {
      await rm(tmp, {force: true});
    }
  };
  const walk = async (folder: string): Promise<string[]> => {
    const entries = await readdir(folder, {withFileTypes: true}).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    const found: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) found.push(...(await walk(path)));
      else found.push(path);
    }
    return found;
  };
  return {
    description: `folder ${dir}`,
    putFile: (key, path) =>
      place(key, (tmp) => pipeline(createReadStream(path), createWriteStream(tmp, {mode: 0o600}))),
    putBytes: (key, bytes) => place(key, (tmp) => writeFile(tmp, bytes, {mode: 0o600})),
    async get(key) {
      const path = pathOf(key);
      await stat(path).catch(() => {
        throw new ObjectMissing(key);
      });
      return createReadStream(path);
    },
    async list(prefix) {
      const files = await walk(dir);
      const keys = files.map((f) => relative(dir, f).split(sep).join("/")).filter((k) => k.startsWith(prefix));
      keys.sort();
      return Promise.all(keys.map(async (key) => ({key, size: (await stat(pathOf(key))).size})));
    },
    async remove(key) {
      await rm(pathOf(key), {force: true});
    }
  };
}

export interface S3Settings {
  url: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** An S3-compatible bucket through @aws-sdk/client-s3, path-style (MinIO, s3rver). */
export async function s3Storage(settings: S3Settings): Promise<BackupStorage> {
  const s3 = await import("@aws-sdk/client-s3");
  const client: S3Client = new s3.S3Client({
    endpoint: settings.url,
    region: settings.region,
    forcePathStyle: true,
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? {accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey}
        : undefined,
    // Streamed uploads with the SDK's default trailing checksums arrive as aws-chunked bodies, which not every
    // S3-compatible server decodes (s3rver stores them as they are); our own SHA-256 in the manifest checks bytes.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  });
  const Bucket = settings.bucket;
  const missing = (error: unknown) => {
    const name = (error as {name?: string}).name;
    return name === "NoSuchKey" || name === "NotFound";
  };
  return {
    description: `s3 bucket ${Bucket} at ${new URL(settings.url).origin}`,
    async putFile(key, path) {
      const {size} = await stat(path);
      const Body = createReadStream(path);
      await client.send(new s3.PutObjectCommand({Bucket, Key: checkKey(key), Body, ContentLength: size}));
    },
    async putBytes(key, bytes) {
      await client.send(
        new s3.PutObjectCommand({Bucket, Key: checkKey(key), Body: bytes, ContentLength: bytes.length})
      );
    },
    async get(key) {
      try {
        const {Body} = await client.send(new s3.GetObjectCommand({Bucket, Key: checkKey(key)}));
        return Body as Readable;
      } catch (error) {
        if (missing(error)) throw new ObjectMissing(key);
        throw error;
      }
    },
    async list(prefix) {
      const found: StoredObject[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new s3.ListObjectsV2Command({Bucket, Prefix: prefix, ContinuationToken}));
        for (const o of page.Contents ?? []) if (o.Key) found.push({key: o.Key, size: o.Size ?? 0});
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async remove(key) {
      await client.send(new s3.DeleteObjectCommand({Bucket, Key: checkKey(key)}));
    }
  };
}

/** The storage the configuration names: S3 when BACKUP_S3_URL is set, otherwise BACKUP_DIR or <data>/backups. */
export function storageFromConfig(config: OperationsConfig & {GRAFENO_DATA_DIR: string}): Promise<BackupStorage> {
  if (config.BACKUP_S3_URL) {
    return s3Storage({
      url: config.BACKUP_S3_URL,
      bucket: config.BACKUP_S3_BUCKET,
      region: config.BACKUP_S3_REGION,
      accessKeyId: config.BACKUP_S3_ACCESS_KEY_ID,
      secretAccessKey: config.BACKUP_S3_SECRET_ACCESS_KEY
    });
  }
  return Promise.resolve(localStorage(config.BACKUP_DIR ?? join(config.GRAFENO_DATA_DIR, "backups")));
}
