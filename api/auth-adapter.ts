// better-auth's "user" table without personal data in clear: a wrapper around its kysely adapter stores the
// email as a keyed hash (the unique index still checks uniqueness; lookups by address hash it first) and the address
// and name encrypted (email_enc, name_enc, bound to user.<column>:<id>), and hands better-auth and its hooks the
// decrypted values. Every other model passes through untouched.
import {kyselyAdapter} from "@better-auth/kysely-adapter";
import {randomUUID} from "node:crypto";
import type {BetterAuthOptions, DBAdapter, DBTransactionAdapter, Where} from "better-auth";
import {generateRandomString} from "better-auth/crypto";
import {Kysely} from "kysely";
import {PostgresJSDialect} from "kysely-postgres-js";
import type {KeyRing} from "./crypto.js";
import type {Sql} from "./db.js";
import {emailHash, sealIdentity, unseal} from "./pii.js";

const USER = "user";

/** The ciphertext columns as better-auth fields: never taken from a request, never in a response. */
export const identityFields = {
  emailEnc: {type: "string", required: false, input: false, returned: false, fieldName: "email_enc"},
  nameEnc: {type: "string", required: false, input: false, returned: false, fieldName: "name_enc"}
} as const;

/** Fields that hold ciphertexts or placeholders: no query may filter or sort on them except email equality. */
const sealedFields = new Set(["name", "emailEnc", "email_enc", "nameEnc", "name_enc"]);
const emailOperators = new Set(["eq", "ne", "in", "not_in"]);

type Row = Record<string, unknown>;

/** Lookups by address become lookups by its keyed hash; anything else on a sealed field is refused loudly. */
function lookup(keys: KeyRing, where: Where[] | undefined): Where[] | undefined {
  return where?.map((w) => {
    if (sealedFields.has(w.field)) throw new Error(`users cannot be filtered by ${w.field}: it is encrypted`);
    if (w.field !== "email") return w;
    const operator = w.operator ?? "eq";
    if (!emailOperators.has(operator)) {
      throw new Error(`user emails are stored as keyed hashes: a "${operator}" lookup is impossible`);
    }
    const hash = (v: unknown) => (typeof v === "string" ? emailHash(keys, v) : v);
    const value = Array.isArray(w.value) ? (w.value as unknown[]).map(hash) : hash(w.value);
    return {...w, mode: "sensitive", value: value as Where["value"]};
  });
}

const touchesIdentity = (data: Row) => data.email !== undefined || data.name !== undefined;

/** The row as stored: hash and ciphertexts in place of the address and name (the AAD needs the user id). */
function sealRow(keys: KeyRing, id: string, data: Row): Row {
  const {emailEnc: _e, nameEnc: _n, ...rest} = data;
  const who = {
    email: typeof data.email === "string" ? data.email : undefined,
    name: typeof data.name === "string" ? data.name : undefined
  };
  const sealed = sealIdentity(keys, id, who);
  const row: Row = {...rest};
  if (who.email !== undefined) Object.assign(row, {email: sealed.email, emailEnc: sealed.email_enc});
  if (who.name !== undefined) Object.assign(row, {name: sealed.name, nameEnc: sealed.name_enc});
  return row;
}

/** The row as better-auth expects it: the address and name back, the ciphertext fields gone. */
function openRow<T>(keys: KeyRing, row: T): T {
  if (!row || typeof row !== "object") return row;
  const {emailEnc, nameEnc, ...rest} = row as Row;
  const id = rest.id;
  if (typeof id === "string") {
    if (typeof emailEnc === "string") rest.email = unseal(keys, USER, "email_enc", id, emailEnc);
    if (typeof nameEnc === "string") rest.name = unseal(keys, USER, "name_enc", id, nameEnc);
  }
  return rest as T;
}

/** A user row, or one that carries its user (a session or account joined with it). */
function openResult<T>(keys: KeyRing, model: string, result: T): T {
  if (!result || typeof result !== "object") return result;
  if (model === USER) return openRow(keys, result);
  const joined = (result as Row)[USER];
  if (joined === undefined) return result;
  const user = Array.isArray(joined) ? joined.map((u) => openRow(keys, u)) : openRow(keys, joined);
  return {...result, [USER]: user};
}

/** Selecting the address or name also selects its ciphertext and the id it is bound to. */
function withCiphertexts(select: string[] | undefined): string[] | undefined {
  if (!select?.length) return select;
  const extra = [
    ...(select.includes("email") ? ["emailEnc", "id"] : []),
    ...(select.includes("name") ? ["nameEnc", "id"] : [])
  ];
  return [...new Set([...select, ...extra])];
}

function refuseSealedSort(sortBy: {field: string} | undefined) {
  if (sortBy && (sortBy.field === "email" || sealedFields.has(sortBy.field))) {
    throw new Error(`users cannot be sorted by ${sortBy.field}: it is encrypted`);
  }
}

/** The id a new user will have, chosen here because the ciphertexts are bound to it. */
function newUserId(options: BetterAuthOptions): string {
  const strategy = options.advanced?.database?.generateId;
  if (typeof strategy === "function") {
    const id = strategy({model: USER});
    if (typeof id === "string" && id) return id;
  }
  if (strategy === "uuid") return randomUUID();
  if (strategy === undefined) return generateRandomString(32, "a-z", "A-Z", "0-9");
  throw new Error("encrypted users need string ids generated by the application");
}

function wrap(inner: DBTransactionAdapter, keys: KeyRing, options: BetterAuthOptions): DBTransactionAdapter {
  const findIds = async (model: string, where: Where[]): Promise<string[]> => {
    const [only] = where;
    if (
      where.length === 1 &&
      only.field === "id" &&
      (only.operator ?? "eq") === "eq" &&
      typeof only.value === "string"
    ) {
      return [only.value];
    }
    const rows = await inner.findMany<Row>({model, where, select: ["id"]});
    return rows.map((r) => String(r.id));
  };
  const adapter = {
    ...inner,
    async create({model, data, select, forceAllowId}: Parameters<DBAdapter["create"]>[0]) {
      if (model !== USER) return inner.create({model, data, select, forceAllowId});
      const given = (data as Row).id;
      const id = forceAllowId && typeof given === "string" && given ? given : newUserId(options);
      const row = sealRow(keys, id, {...data, id});
      return openRow(keys, await inner.create({model, data: row, select: withCiphertexts(select), forceAllowId: true}));
    },
    async findOne({model, where, select, join}: Parameters<DBAdapter["findOne"]>[0]) {
      const found = await inner.findOne({
        model,
        where: model === USER ? lookup(keys, where)! : where,
        select: model === USER ? withCiphertexts(select) : select,
        join
      });
      return openResult(keys, model, found);
    },
    async findMany({model, where, select, sortBy, join, ...rest}: Parameters<DBAdapter["findMany"]>[0]) {
      if (model === USER) refuseSealedSort(sortBy);
      const found = await inner.findMany({
        ...rest,
        model,
        where: model === USER ? lookup(keys, where) : where,
        select: model === USER ? withCiphertexts(select) : select,
        sortBy,
        join
      });
      return found.map((r) => openResult(keys, model, r));
    },
    async count({model, where}: Parameters<DBAdapter["count"]>[0]) {
      return inner.count({model, where: model === USER ? lookup(keys, where) : where});
    },
    async update({model, where, update}: Parameters<DBAdapter["update"]>[0]) {
      if (model !== USER) return inner.update({model, where, update});
      const matching = lookup(keys, where)!;
      if (!touchesIdentity(update)) return openRow(keys, await inner.update({model, where: matching, update}));
      const [id] = await findIds(model, matching);
      if (id === undefined) return null;
      const updated = await inner.update({
        model,
        where: [...matching, {field: "id", value: id, connector: "AND"}],
        update: sealRow(keys, id, update)
      });
      return openRow(keys, updated);
    },
    async updateMany({model, where, update}: Parameters<DBAdapter["updateMany"]>[0]) {
      if (model !== USER) return inner.updateMany({model, where, update});
      const matching = lookup(keys, where)!;
      if (!touchesIdentity(update)) return inner.updateMany({model, where: matching, update});
      // Each row's ciphertexts are bound to its own id, so the rows are updated one by one.
      let n = 0;
      for (const id of await findIds(model, matching)) {
        n += await inner.updateMany({model, where: [{field: "id", value: id}], update: sealRow(keys, id, update)});
      }
      return n;
    },
    async delete({model, where}: Parameters<DBAdapter["delete"]>[0]) {
      return inner.delete({model, where: model === USER ? lookup(keys, where)! : where});
    },
    async deleteMany({model, where}: Parameters<DBAdapter["deleteMany"]>[0]) {
      return inner.deleteMany({model, where: model === USER ? lookup(keys, where)! : where});
    },
    async consumeOne({model, where}: Parameters<DBAdapter["consumeOne"]>[0]) {
      const consumed = await inner.consumeOne({model, where: model === USER ? lookup(keys, where)! : where});
      return openResult(keys, model, consumed);
    },
    async incrementOne({model, where, increment, set}: Parameters<DBAdapter["incrementOne"]>[0]) {
      if (model !== USER) return inner.incrementOne({model, where, increment, set});
      if (set && touchesIdentity(set)) throw new Error("a user's email or name is not changed by incrementOne");
      return openRow(keys, await inner.incrementOne({model, where: lookup(keys, where)!, increment, set}));
    }
  };
  return adapter as DBTransactionAdapter;
}

/**
 * better-auth's `database` option: its own kysely adapter on the product's postgres.js pool, wrapped so the user
 * table holds hashes and ciphertexts only. Transactions stay off, as with the plain `{dialect, type}` option.
 */
export function encryptedUserAdapter(sql: Sql, keys: KeyRing) {
  return (options: BetterAuthOptions): DBAdapter => {
    const db = new Kysely<unknown>({dialect: new PostgresJSDialect({postgres: sql})});
    const inner = kyselyAdapter(db, {type: "postgres"})(options);
    return {
      ...wrap(inner, keys, options),
      transaction: (callback) => inner.transaction((trx) => callback(wrap(trx, keys, options)))
    };
  };
}
