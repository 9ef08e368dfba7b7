// The session secret comes from the environment. Only the embedded development default may fall back to a
// generated one kept under the data folder (never committed), so `npm start` works on a fresh clone.
import {randomBytes} from "node:crypto";
import {mkdir, readFile, writeFile} from "node:fs/promises";
import {join} from "node:path";
import type {Logger} from "./logger.js";

export async function authSecret(
  fromEnv: string | undefined,
  opts: {embedded: boolean; dataDir: string; logger?: Logger}
): Promise<string> {
  if (fromEnv) return fromEnv;
  if (!opts.embedded) throw new Error("BETTER_AUTH_SECRET must be set when DATABASE_URL points at a server");
  const dir = join(opts.dataDir, "local");
  const file = join(dir, "auth-secret");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    await mkdir(dir, {recursive: true, mode: 0o700});
    const secret = randomBytes(32).toString("base64url");
    await writeFile(file, secret, {mode: 0o600, flag: "wx"});
    opts.logger?.warn({file}, "BETTER_AUTH_SECRET not set: generated a development secret; set it in production");
    return secret;
  }
}
