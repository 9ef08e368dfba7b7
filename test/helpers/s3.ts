// A real S3-protocol server for the backup suites: s3rver on a random loopback port over a temporary folder, with
// one bucket; `env` configures the product to use it.
import {mkdtemp, rm} from "node:fs/promises";
import {createRequire} from "node:module";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {S3Settings} from "../../api/backup-storage.js";

interface S3rverInstance {
  run(): Promise<{port: number}>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

export interface TestS3 {
  url: string;
  settings: S3Settings;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startS3(bucket = "grafeno-backups"): Promise<TestS3> {
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;
  const directory = await mkdtemp(join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{name: bucket}]
  });
  const {port} = await server.run();
  const url = `http://127.0.0.1:${port}`;
  // s3rver's fixed development credentials.
  const settings = {url, bucket, region: "us-east-1", accessKeyId: "S3RVER", secretAccessKey: "S3RVER"};
  return {
    url,
    settings,
    env: {
      BACKUP_S3_URL: url,
      BACKUP_S3_BUCKET: bucket,
      BACKUP_S3_ACCESS_KEY_ID: settings.accessKeyId,
      BACKUP_S3_SECRET_ACCESS_KEY: settings.secretAccessKey
    },
    async close() {
      await server.close();
      await rm(directory, {recursive: true, force: true});
    }
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails after `ms`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  ms = 15_000,
  what = "condition"
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
