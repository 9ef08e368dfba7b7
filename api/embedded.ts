// PGlite's folder belongs to one process: a second process opening it would corrupt it. The server (or a
// command) that opens it leaves its pid in a lock file; anyone else finding a live pid there refuses to start.
import {mkdir, readFile, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";

function lockPath(dataDir: string): string {
  return join(dataDir, "local", "embedded-db.lock");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of another live process holding the embedded database, if any. */
export async function embeddedHolder(dataDir: string): Promise<number | undefined> {
  try {
    const {pid} = JSON.parse(await readFile(lockPath(dataDir), "utf8")) as {pid: number};
    return pid !== process.pid && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function lockEmbedded(dataDir: string): Promise<void> {
  const holder = await embeddedHolder(dataDir);
  if (holder) {
    throw new Error(
      `the embedded database in ${join(dataDir, "pglite")} is in use by process ${holder}; stop it first ` +
        `(to create the first administrator while starting, set ADMIN_EMAIL and ADMIN_PASSWORD for npm start)`
    );
  }
  await mkdir(join(dataDir, "local"), {recursive: true});
  await writeFile(lockPath(dataDir), JSON.stringify({pid: process.pid}), {mode: 0o600});
}

export async function unlockEmbedded(dataDir: string): Promise<void> {
  if ((await embeddedHolder(dataDir)) === undefined) await rm(lockPath(dataDir), {force: true});
}
