import {execFile} from "node:child_process";
import {randomBytes} from "node:crypto";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {promisify} from "node:util";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {loadConfig} from "../api/config.js";
import {createKeyRing, keyMaterialFromEnv, type KeyRing} from "../api/crypto.js";
import {openDatabase} from "../api/db.js";
import {createLogger} from "../api/logger.js";
import {forgetHashKey, hashKeyFingerprint, recordedHashKey, UNKNOWN_HASH_KEY} from "../api/rehash.js";
import {listen, openRuntime} from "../api/server.js";
import {emailHash} from "../api/pii.js";
import {signUp, type Person} from "./helpers/accounts.js";
import {Client} from "./helpers/http.js";
import {freePort, type TestServer} from "./helpers/server.js";

const PII_KEYS = `t1:${Buffer.alloc(32, 1).toString("base64")}`;
const hashKeys = {a: randomBytes(32).toString("base64"), b: randomBytes(32).toString("base64")};
const keyRing = (hashKey: string): KeyRing => createKeyRing(keyMaterialFromEnv({PII_KEYS, PII_HASH_KEY: hashKey}));

/** One database kept across restarts: a schema on the real PostgreSQL with DATABASE_URL, else embedded on disk. */
interface Store {
  dataDir: string;
  schema?: string;
  dispose(): Promise<void>;
}

async function newStore(embedded = !process.env.DATABASE_URL): Promise<Store> {
  const dataDir = await mkdtemp(join(tmpdir(), "grafeno-rehash-"));
  const schema = embedded ? undefined : `test_${randomBytes(6).toString("hex")}`;
  return {
    dataDir,
    schema,
    async dispose() {
      if (schema) {
        const db = await openDatabase({url: process.env.DATABASE_URL, schema});
        await db.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await db.close();
      }
      await rm(dataDir, {recursive: true, force: true});
    }
  };
}

async function configFor(store: Store, hashKey: string) {
  return loadConfig({
    ...process.env,
    DATABASE_URL: store.schema ? process.env.DATABASE_URL : undefined,
    PORT: String(await freePort()),
    GRAFENO_DATA_DIR: store.dataDir,
    BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
    PII_KEYS,
    PII_HASH_KEY: hashKey,
    LOG_LEVEL: "silent",
    SIGN_IN_RATE_LIMIT: "1000/60"
  });
}

const silent = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");

/** The product on the store, as `npm start` opens it: migrations, start-up work, then the listener. */
async function start(store: Store, hashKey: string): Promise<TestServer> {
  const runtime = await openRuntime(await configFor(store, hashKey), silent, {schema: store.schema});
  const running = await listen(runtime);
  return {url: running.url, runtime, close: running.close};
}

interface StoredHashes {
  users: Record<string, string>;
  profiles: Record<string, {email_hash: string | null; cpf_hash: string | null}>;
  fingerprint: string | null;
}

async function storedHashes(server: TestServer): Promise<StoredHashes> {
  const {sql} = server.runtime.db;
  const users = await sql<{id: string; email: string}[]>`SELECT id, email FROM "user" ORDER BY id`;
  const profiles = await sql<{user_id: string; email_hash: string | null; cpf_hash: string | null}[]>`
    SELECT user_id, email_hash, cpf_hash FROM user_profile ORDER BY user_id`;
  return {
    users: Object.fromEntries(users.map((u) => [u.id, u.email])),
    profiles: Object.fromEntries(profiles.map((p) => [p.user_id, {email_hash: p.email_hash, cpf_hash: p.cpf_hash}])),
    fingerprint: await recordedHashKey(sql)
  };
}

const patchProfile = (who: Person, json: unknown) => who.client.request("/api/profile", {method: "PATCH", json});

async function rotations(server: TestServer): Promise<number> {
  const [{n}] = await server.runtime.db.sql<{n: number}[]>`
    SELECT count(*)::int AS n FROM audit_log WHERE action = 'pii.hash_key_rotated'`;
  return n;
}

describe("rotating the hash key (PII_HASH_KEY)", () => {
  let store: Store;
  let server: TestServer | undefined;
  let ana: Person;
  let bia: Person;
  let gone: Person;
  let underA: StoredHashes;
  let underB: StoredHashes;
  const restart = async (hashKey: string) => {
    await server?.close();
    server = undefined;
    server = await start(store, hashKey);
    return server;
  };
  beforeAll(async () => {
    store = await newStore();
    const first = await restart(hashKeys.a);
    ana = await signUp(first, "Ana.Lima@example.com", "Ana Lima");
    expect((await patchProfile(ana, {cpf: "529.982.247-25"})).status).toBe(200);
    bia = await signUp(first, "bia@example.com", "Bia Costa");
    expect((await patchProfile(bia, {cpf: "111.444.777-35"})).status).toBe(200);
    gone = await signUp(first, "gone@example.com", "Gone Person");
    const {confirmation} = await (await gone.client.post("/api/me/deletion", {})).json();
    expect((await gone.client.request("/api/me", {method: "DELETE", json: {confirmation}})).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it("records the key's fingerprint at the first start, and nothing else", async () => {
    underA = await storedHashes(server!);
    expect(underA.fingerprint).toBe(hashKeyFingerprint(keyRing(hashKeys.a)));
    expect(underA.fingerprint).not.toContain(hashKeys.a);
    expect(underA.users[ana.id]).toBe(emailHash(keyRing(hashKeys.a), "ana.lima@example.com"));
    expect(underA.profiles[ana.id].cpf_hash).toBe(keyRing(hashKeys.a).hash("cpf", "52998224725"));
    expect(await rotations(server!)).toBe(0);
  });

  it("re-hashes every email and CPF lookup when the server starts with another key", async () => {
    const b = keyRing(hashKeys.b);
    const auditBefore = await server!.runtime.db.sql`SELECT id, hash FROM audit_log ORDER BY id`;
    const current = await restart(hashKeys.b);
    underB = await storedHashes(current);
    expect(underB.fingerprint).toBe(hashKeyFingerprint(b));
    expect(underB.fingerprint).not.toBe(underA.fingerprint);
    for (const [who, email, cpf] of [
      [ana, "ana.lima@example.com", "52998224725"],
      [bia, "bia@example.com", "11144477735"]
    ] as const) {
      expect(underB.users[who.id]).toBe(emailHash(b, email));
      expect(underB.users[who.id]).not.toBe(underA.users[who.id]);
      expect(underB.profiles[who.id]).toEqual({email_hash: emailHash(b, email), cpf_hash: b.hash("cpf", cpf)});
      expect(underB.profiles[who.id].cpf_hash).not.toBe(underA.profiles[who.id].cpf_hash);
    }
    // The anonymized account keeps its placeholder and no hashes.
    expect(underB.users[gone.id]).toBe(`deleted-${gone.id}@anonymized.invalid`);
    expect(underB.profiles[gone.id]).toEqual({email_hash: null, cpf_hash: null});
    // The audit log is append-only: its entries stay as they were, one more records the rotation.
    const auditAfter = await current.runtime.db.sql`SELECT id, hash FROM audit_log ORDER BY id`;
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    const [rotation] = await current.runtime.db.sql<{detail: Record<string, unknown>}[]>`
      SELECT detail FROM audit_log WHERE action = 'pii.hash_key_rotated'`;
    expect(rotation.detail).toMatchObject({previous: underA.fingerprint, fingerprint: underB.fingerprint, users: 2});
  });

  it("still signs people in with the same address and password, and still finds taken emails and CPFs", async () => {
    const current = server!;
    expect((await new Client(current.url).signIn("ANA.LIMA@example.com")).status).toBe(200);
    expect((await new Client(current.url).signIn("ana.lima@example.com", "wrong password!")).status).toBe(401);
    const anaAgain = new Client(current.url);
    expect((await anaAgain.signIn("ana.lima@example.com")).status).toBe(200);
    const mine = await (await anaAgain.request("/api/profile")).json();
    expect(mine).toMatchObject({email: "ana.lima@example.com", cpf: "52998224725"});
    const again = await new Client(current.url).signUp("ana.lima@EXAMPLE.com", "another password 1", "Other");
    expect(again.status).toBe(422);
    const biaAgain = new Client(current.url);
    expect((await biaAgain.signIn("bia@example.com")).status).toBe(200);
    const taken = await biaAgain.request("/api/profile", {
      method: "PATCH",
      json: {cpf: "529.982.247-25", email: "Ana.Lima@example.com"}
    });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toEqual({
      error: "conflict",
      fields: {email: ["already in use"], cpf: ["already in use"]}
    });
  });

  it("changes nothing when restarted with the same key", async () => {
    const current = await restart(hashKeys.b);
    expect(await storedHashes(current)).toEqual(underB);
    expect(await rotations(current)).toBe(1);
  });

  it("leaves every hash as it was when a ciphertext cannot be decrypted midway, and refuses to start", async () => {
    const {sql} = server!.runtime.db;
    // Bia's CPF ciphertext copied onto Ana's row: bound to Bia, it does not decrypt there (the users come first).
    await sql`UPDATE user_profile SET cpf_enc = (SELECT cpf_enc FROM user_profile WHERE user_id = ${bia.id})
      WHERE user_id = ${ana.id}`;
    await server!.close();
    server = undefined;
    const third = randomBytes(32).toString("base64");
    await expect(start(store, third)).rejects.toThrow(
      new RegExp(`cannot decrypt user_profile\\.cpf_enc of row ${ana.id} .*no hash was changed`)
    );
    // The failed start released the database: the old key opens it, nothing re-hashed, nothing recorded.
    const current = await restart(hashKeys.b);
    expect(await storedHashes(current)).toEqual(underB);
    expect(await rotations(current)).toBe(1);
  });

  it("re-hashes at the next start a database whose hashes were made with an unknown key (a restore)", async () => {
    const {sql} = server!.runtime.db;
    await sql`UPDATE user_profile SET cpf_enc = NULL, cpf_hash = NULL WHERE user_id = ${ana.id}`;
    await forgetHashKey(sql);
    expect(await recordedHashKey(sql)).toBe(UNKNOWN_HASH_KEY);
    const current = await restart(hashKeys.b);
    expect(await storedHashes(current)).toEqual({
      ...underB,
      profiles: {...underB.profiles, [ana.id]: {email_hash: underB.profiles[ana.id].email_hash, cpf_hash: null}}
    });
    expect(await rotations(current)).toBe(2);
  });
});

describe("scripts/rehash.ts", () => {
  it("re-hashes an embedded database under a new key, says how many rows, and the server then signs in", async () => {
    const store = await newStore(true);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GRAFENO_DATA_DIR: store.dataDir,
      PII_KEYS,
      LOG_LEVEL: "silent"
    };
    delete env.DATABASE_URL;
    const rehash = (hashKey: string, args: string[] = []) =>
      promisify(execFile)("npx", ["tsx", "scripts/rehash.ts", ...args], {env: {...env, PII_HASH_KEY: hashKey}});
    try {
      let server = await start(store, hashKeys.a);
      const kim = await signUp(server, "kim@example.com", "Kim");
      expect((await patchProfile(kim, {cpf: "529.982.247-25"})).status).toBe(200);
      await server.close();

      expect((await rehash(hashKeys.b)).stderr).toMatch(/re-hashed 2 rows \(user: 1, user_profile: 1\)/);
      expect((await rehash(hashKeys.b)).stderr).toMatch(/re-hashed 0 rows: the hashes are already under this key/);
      expect((await rehash(hashKeys.b, ["--force"])).stderr).toMatch(/re-hashed 2 rows/);

      server = await start(store, hashKeys.b);
      try {
        const b = keyRing(hashKeys.b);
        expect(await storedHashes(server)).toEqual({
          users: {[kim.id]: emailHash(b, "kim@example.com")},
          profiles: {[kim.id]: {email_hash: emailHash(b, "kim@example.com"), cpf_hash: b.hash("cpf", "52998224725")}},
          fingerprint: hashKeyFingerprint(b)
        });
        expect((await new Client(server.url).signIn("kim@example.com")).status).toBe(200);
      } finally {
        await server.close();
      }
    } finally {
      await store.dispose();
    }
  }, 120_000);
});
