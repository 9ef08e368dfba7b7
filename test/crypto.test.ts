import {mkdtemp, readFile, stat} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createKeyRing, generateKeyEnv, keyMaterialFromEnv, loadKeyRing} from "../api/crypto.js";
import type {Database} from "../api/db.js";
import {migrate} from "../api/migrate.js";
import {ciphertextsByKey, rotateKeys, seal, unseal} from "../api/pii.js";
import {insertUser} from "./helpers/accounts.js";
import {testDatabase} from "./helpers/database.js";

const k1 = generateKeyEnv("k1");
const k2 = generateKeyEnv("k2");

describe("personal data encryption", () => {
  const keys = createKeyRing(keyMaterialFromEnv(k1));

  it("encrypts with AES-256-GCM under a named key and decrypts back", () => {
    const sealed = keys.encrypt("529.982.247-25", "user_profile.cpf_enc:u1");
    expect(sealed).toMatch(/^k1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("529");
    expect(keys.decrypt(sealed, "user_profile.cpf_enc:u1")).toBe("529.982.247-25");
  });

  it("never gives the same ciphertext twice for the same value", () => {
    expect(keys.encrypt("same", "a")).not.toBe(keys.encrypt("same", "a"));
  });

  it("refuses a ciphertext moved to another owner or column (bound by its AAD)", () => {
    const sealed = keys.encrypt("5511999990000", "user_profile.phone_enc:alice");
    expect(() => keys.decrypt(sealed, "user_profile.phone_enc:bob")).toThrow();
    expect(() => keys.decrypt(sealed, "user_profile.cpf_enc:alice")).toThrow();
  });

  it("refuses a tampered ciphertext", () => {
    const sealed = keys.encrypt("secret", "x");
    const body = Buffer.from(sealed.slice(3), "base64url");
    body[body.length - 20] ^= 1;
    expect(() => keys.decrypt(`k1:${body.toString("base64url")}`, "x")).toThrow();
  });

  it("names the missing key when a ciphertext's key is no longer configured", () => {
    const other = createKeyRing(keyMaterialFromEnv(k2));
    expect(() => other.decrypt(keys.encrypt("x", "a"), "a")).toThrow(/no PII key "k1"/);
  });

  it("hashes lookups with a key: stable, per purpose, and unlike a plain hash", () => {
    expect(keys.hash("email", "ana@example.com")).toBe(keys.hash("email", "ana@example.com"));
    expect(keys.hash("email", "52998224725")).not.toBe(keys.hash("cpf", "52998224725"));
    const other = createKeyRing(keyMaterialFromEnv(k2));
    expect(other.hash("email", "ana@example.com")).not.toBe(keys.hash("email", "ana@example.com"));
  });

  it("reads several keys from the environment and encrypts with the active one", () => {
    const both = createKeyRing(
      keyMaterialFromEnv({
        PII_KEYS: `${k1.PII_KEYS},${k2.PII_KEYS}`,
        PII_ACTIVE_KEY: "k2",
        PII_HASH_KEY: k1.PII_HASH_KEY
      })
    );
    expect(both.keyIds).toEqual(["k1", "k2"]);
    expect(both.encrypt("x", "a")).toMatch(/^k2:/);
    expect(both.decrypt(keys.encrypt("old", "a"), "a")).toBe("old");
  });

  it("rejects malformed key settings with a clear message", () => {
    expect(() => keyMaterialFromEnv({PII_KEYS: k1.PII_KEYS})).toThrow(/PII_HASH_KEY/);
    expect(() => createKeyRing(keyMaterialFromEnv({...k1, PII_KEYS: "k1:c2hvcnQ="}))).toThrow(/32 bytes/);
    expect(() => createKeyRing(keyMaterialFromEnv({...k1, PII_ACTIVE_KEY: "k9"}))).toThrow(/k9/);
  });

  it("generates development keys only for the embedded database, in a private file", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "keys-"));
    const first = await loadKeyRing({}, {embedded: true, dataDir});
    const again = await loadKeyRing({}, {embedded: true, dataDir});
    expect(again.decrypt(first.encrypt("x", "a"), "a")).toBe("x");
    expect((await stat(join(dataDir, "local", "pii-keys.json"))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(dataDir, "local", "pii-keys.json"), "utf8"))).toHaveProperty("PII_KEYS");
    await expect(loadKeyRing({}, {embedded: false, dataDir})).rejects.toThrow(/must be set/);
  });
});

describe("key rotation", () => {
  let db: Database;
  beforeAll(async () => {
    db = await testDatabase();
    await migrate(db.sql);
  });
  afterAll(() => db?.close());

  it("re-encrypts every stored value under the active key, and the data still reads the same", async () => {
    const old = createKeyRing(keyMaterialFromEnv(k1));
    for (const [id, cpf, phone] of [
      ["u1", "52998224725", "+55 11 99999-0001"],
      ["u2", "11144477735", null]
    ] as const) {
      await insertUser(db.sql, id);
      await db.sql`INSERT INTO user_profile (user_id, cpf_enc, phone_enc)
        VALUES (${id}, ${seal(old, "user_profile", "cpf_enc", id, cpf)},
                ${seal(old, "user_profile", "phone_enc", id, phone)})`;
    }
    await db.sql`INSERT INTO profile_changes (user_id, field, old_enc, new_enc, changed_at)
      VALUES ('u1', 'phone', ${seal(old, "profile_changes", "old_enc", "u1", "+55 11 1")},
              ${seal(old, "profile_changes", "new_enc", "u1", "+55 11 99999-0001")}, now())`;
    expect(await ciphertextsByKey(db.sql)).toEqual({k1: 5});

    const both = createKeyRing(
      keyMaterialFromEnv({
        PII_KEYS: `${k1.PII_KEYS},${k2.PII_KEYS}`,
        PII_ACTIVE_KEY: "k2",
        PII_HASH_KEY: k1.PII_HASH_KEY
      })
    );
    const report = await rotateKeys(db.sql, both, 2);
    expect(report).toEqual({activeKeyId: "k2", reencrypted: 5, remaining: {k2: 5}});
    expect((await rotateKeys(db.sql, both)).reencrypted).toBe(0);

    const onlyNew = createKeyRing(keyMaterialFromEnv({...k2, PII_HASH_KEY: k1.PII_HASH_KEY}));
    const [row] = await db.sql`SELECT cpf_enc, phone_enc FROM user_profile WHERE user_id = 'u1'`;
    expect(unseal(onlyNew, "user_profile", "cpf_enc", "u1", row.cpf_enc)).toBe("52998224725");
    expect(unseal(onlyNew, "user_profile", "phone_enc", "u1", row.phone_enc)).toBe("+55 11 99999-0001");
    const [change] = await db.sql`SELECT new_enc FROM profile_changes WHERE user_id = 'u1'`;
    expect(unseal(onlyNew, "profile_changes", "new_enc", "u1", change.new_enc)).toBe("+55 11 99999-0001");
  });
});
