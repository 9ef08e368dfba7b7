// `--load postgres,mongodb` for the generator: after the files are written, the same registry goes into the Postgres
// tables (DATABASE_URL, or the embedded PGlite under GRAFENO_DATA_DIR) and into the MongoDB collection of nested
// trade-bill documents (MONGODB_URL, GRAFENO_MONGODB_COLLECTION). Repeated bill rows of a dirty registry are kept
// out of both (keys are unique there) and counted.
import {join} from "node:path";
import {openDatabase} from "../api/db.js";
import {migrate} from "../api/migrate.js";
import {loadRegistryIntoMongo} from "../loaders/mongo-load.js";
import {loadRegistryIntoPostgres} from "../loaders/postgres-registry.js";

export const LOAD_TARGETS = ["postgres", "mongodb"] as const;
export type LoadTarget = (typeof LOAD_TARGETS)[number];

/** "postgres,mongodb" → targets; throws a RangeError naming what is not a target. */
export function parseLoadTargets(text: string | undefined): LoadTarget[] {
  if (text === undefined) return [];
  const targets = text.split(",").map((t) => t.trim());
  const unknown = targets.filter((t) => !(LOAD_TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0 || targets.length === 0) {
    throw new RangeError(`--load takes a comma-separated list of ${LOAD_TARGETS.join(", ")}, got "${text}"`);
  }
  return LOAD_TARGETS.filter((t) => targets.includes(t));
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** Loads the generated folder into each target; false (and the reason logged) when a load fails. */
export async function loadGenerated(
  folder: string,
  targets: LoadTarget[],
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => process.stderr.write(line + "\n")
): Promise<boolean> {
  try {
    await load(folder, targets, env, log);
    return true;
  } catch (error) {
    log(`load: failed (the generated files in ${folder} are complete): ${(error as Error).message}`);
    return false;
  }
}

async function load(folder: string, targets: LoadTarget[], env: NodeJS.ProcessEnv, log: (line: string) => void) {
  if (targets.includes("postgres")) {
    const db = await openDatabase(
      env.DATABASE_URL ? {url: env.DATABASE_URL} : {dataDir: join(env.GRAFENO_DATA_DIR ?? "data", "pglite")}
    );
    try {
      await migrate(db.sql);
      const result = await loadRegistryIntoPostgres(db.sql, folder, {
        method: db.embedded ? "insert" : "copy",
        skipDuplicateBills: true,
        onProgress: ({table, rows}) => log(`  postgres: ${table} ${fmt(rows)} rows`)
      });
      const rows = Object.entries(result.rows).map(([t, n]) => `${t} ${fmt(n)}`);
      log(
        `load: postgres (${db.embedded ? "embedded PGlite" : "DATABASE_URL"}) ${rows.join(", ")}` +
          `${result.skippedDuplicates ? `; ${fmt(result.skippedDuplicates)} repeated bill rows kept out` : ""}` +
          ` in ${result.seconds.toFixed(1)} s`
      );
    } finally {
      await db.close();
    }
  }
  if (targets.includes("mongodb")) {
    if (!env.MONGODB_URL)
      throw new RangeError("--load mongodb needs MONGODB_URL (e.g. mongodb://127.0.0.1:27017/grafeno)");
    const collection = env.GRAFENO_MONGODB_COLLECTION ?? "trade_bills";
    const result = await loadRegistryIntoMongo(env.MONGODB_URL, folder, {collection, skipDuplicateBills: true});
    const {trade_bills, participants, parties} = result.documents;
    log(
      `load: mongodb ${fmt(trade_bills)} documents in ${collection}, ${fmt(participants)} participants, ` +
        `${fmt(parties)} parties in ${result.seconds.toFixed(1)} s`
    );
  }
}
