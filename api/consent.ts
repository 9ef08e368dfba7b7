// Consent records (LGPD Art. 8): each acceptance or revocation of a term item is a new row pointing at the exact
// version and item, with when, where from (a keyed hash of the address), the user agent and the channel.
// Rows are never changed (the database refuses it); the current decision on an item is its latest row.
import type postgres from "postgres";
import {record} from "./audit.js";
import type {Sql} from "./db.js";
import type {KeyRing} from "./crypto.js";
import {currentTerms, type TermItem} from "./terms.js";

export const channels = ["sign-up", "privacy-center", "api"] as const;
export type Channel = (typeof channels)[number];
export type Decision = "accept" | "revoke";

export interface ConsentRequest {
  userId: string;
  version: number;
  decisions: {item: string; decision: Decision}[];
  channel: Channel;
  ip: string | null;
  userAgent: string | null;
}

export interface ConsentItemState extends TermItem {
  decision: Decision | null;
  decidedAt: string | null;
}

export interface ConsentStatus {
  version: number | null;
  title: string | null;
  accepted: boolean;
  items: ConsentItemState[];
}

export class ConsentError extends Error {
  constructor(
    readonly code: "stale_version" | "no_terms" | "unknown_item",
    readonly fields: Record<string, string[]> = {}
  ) {
    super(code);
  }
}

/** Works inside a transaction too (any postgres.js query function). */
async function latestDecisions(sql: postgres.ISql, userId: string, version: number) {
  const rows = await sql<{item_code: string; decision: Decision; decided_at: Date}[]>`
    SELECT DISTINCT ON (item_code) item_code, decision, decided_at FROM consent_records
    WHERE user_id = ${userId} AND version = ${version} ORDER BY item_code, id DESC`;
  return new Map(rows.map((r) => [r.item_code, r]));
}

export async function consentStatus(sql: Sql, userId: string): Promise<ConsentStatus> {
  const terms = await currentTerms(sql);
  if (!terms) return {version: null, title: null, accepted: true, items: []};
  const latest = await latestDecisions(sql, userId, terms.version);
  const items = terms.items.map((item) => {
    const found = latest.get(item.code);
    return {...item, decision: found?.decision ?? null, decidedAt: found?.decided_at.toISOString() ?? null};
  });
  const accepted = items.every((i) => !i.mandatory || i.decision === "accept");
  return {version: terms.version, title: terms.title, accepted, items};
}

/**
 * Appends a record for each decision that changes the item's state (repeating a decision is a no-op) and an
 * audit entry, in one transaction. Only the current version can be decided on.
 */
export async function decide(
  sql: Sql,
  keys: KeyRing,
  request: ConsentRequest,
  at: Date
): Promise<{changed: {item: string; decision: Decision}[]}> {
  const terms = await currentTerms(sql);
  if (!terms) throw new ConsentError("no_terms");
  if (terms.version !== request.version) throw new ConsentError("stale_version");
  const codes = new Set(terms.items.map((i) => i.code));
  const unknown: Record<string, string[]> = {};
  request.decisions.forEach((d, i) => {
    if (!codes.has(d.item)) unknown[`decisions.${i}.item`] = [`no item "${d.item}" in version ${terms.version}`];
  });
  if (Object.keys(unknown).length) throw new ConsentError("unknown_item", unknown);
  const ipHash = request.ip ? keys.hash("ip", request.ip) : null;
  const userAgent = request.userAgent?.slice(0, 500) ?? null;
  return sql.begin(async (tx) => {
    // One decision at a time per user, so two tabs cannot both see "unchanged" and both skip.
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`consent:${request.userId}`}))`;
    const latest = await latestDecisions(tx, request.userId, request.version);
    const last = new Map(request.decisions.map((d) => [d.item, d.decision]));
    const changed = [...last].filter(([item, decision]) => latest.get(item)?.decision !== decision);
    for (const [item, decision] of changed) {
      await tx`INSERT INTO consent_records
        (user_id, version, item_code, decision, decided_at, ip_hash, user_agent, channel)
        VALUES (${request.userId}, ${request.version}, ${item}, ${decision}, ${at}, ${ipHash}, ${userAgent},
                ${request.channel})`;
    }
    if (changed.length) {
      await record(tx, {
        action: "consent.changed",
        actorId: request.userId,
        subjectId: request.userId,
        detail: {
          version: request.version,
          channel: request.channel,
          accepted: changed.filter(([, d]) => d === "accept").map(([i]) => i),
          revoked: changed.filter(([, d]) => d === "revoke").map(([i]) => i)
        },
        at
      });
    }
    return {changed: changed.map(([item, decision]) => ({item, decision}))};
  }) as Promise<{changed: {item: string; decision: Decision}[]}>;
}

export interface ConsentRecord {
  id: number;
  version: number;
  item: string;
  itemTitle: string;
  mandatory: boolean;
  decision: Decision;
  decidedAt: string;
  channel: string;
  userAgent: string | null;
  ipHash: string | null;
}

export async function consentHistory(sql: Sql, userId: string): Promise<ConsentRecord[]> {
  const rows = await sql<
    {
      id: string;
      version: number;
      item_code: string;
      title: string;
      mandatory: boolean;
      decision: Decision;
      decided_at: Date;
      channel: string;
      user_agent: string | null;
      ip_hash: string | null;
    }[]
  >`SELECT r.id::text AS id, r.version, r.item_code, i.title, i.mandatory, r.decision, r.decided_at, r.channel,
           r.user_agent, r.ip_hash
    FROM consent_records r JOIN term_items i ON i.version = r.version AND i.code = r.item_code
    WHERE r.user_id = ${userId} ORDER BY r.id DESC`;
  return rows.map((r) => ({
    id: Number(r.id),
    version: r.version,
    item: r.item_code,
    itemTitle: r.title,
    mandatory: r.mandatory,
    decision: r.decision,
    decidedAt: r.decided_at.toISOString(),
    channel: r.channel,
    userAgent: r.user_agent,
    ipHash: r.ip_hash
  }));
}
