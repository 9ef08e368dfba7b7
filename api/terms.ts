// Versioned terms (LGPD Art. 8 §6: a changed term needs fresh consent). A published version never changes; the
// newest is current. A user may use the product once they accepted the current version's mandatory items.
import type {Sql} from "./db.js";
import {record} from "./audit.js";

export interface TermItem {
  code: string;
  mandatory: boolean;
  title: string;
  text: string;
}

export interface TermVersion {
  version: number;
  title: string;
  summary: string;
  publishedAt: string;
  items: TermItem[];
}

export interface NewTerms {
  title: string;
  summary?: string;
  items: TermItem[];
}

const TERMS_LOCK = 726356;

async function itemsOf(sql: Sql, version: number): Promise<TermItem[]> {
  return sql<TermItem[]>`SELECT code, mandatory, title, text FROM term_items
    WHERE version = ${version} ORDER BY position`;
}

export async function getTerms(sql: Sql, version: number): Promise<TermVersion | null> {
  const [row] = await sql<{version: number; title: string; summary: string; published_at: Date}[]>`
    SELECT version, title, summary, published_at FROM term_versions WHERE version = ${version}`;
  if (!row) return null;
  return {
    version: row.version,
    title: row.title,
    summary: row.summary,
    publishedAt: row.published_at.toISOString(),
    items: await itemsOf(sql, row.version)
  };
}

export async function currentVersionNumber(sql: Sql): Promise<number | null> {
  const [{version}] = await sql<{version: number | null}[]>`SELECT max(version) AS version FROM term_versions`;
  return version;
}

export async function currentTerms(sql: Sql): Promise<TermVersion | null> {
  const version = await currentVersionNumber(sql);
  return version === null ? null : getTerms(sql, version);
}

export async function listTerms(
  sql: Sql
): Promise<{version: number; title: string; publishedAt: string; items: number; current: boolean}[]> {
  const rows = await sql<{version: number; title: string; published_at: Date; items: number}[]>`
    SELECT v.version, v.title, v.published_at, count(i.code)::int AS items
    FROM term_versions v LEFT JOIN term_items i USING (version)
    GROUP BY v.version ORDER BY v.version DESC`;
  return rows.map((r, index) => ({
    version: r.version,
    title: r.title,
    publishedAt: r.published_at.toISOString(),
    items: r.items,
    current: index === 0
  }));
}

/** Publishes the next version; every active user is told in-app to review it. */
export async function publishTerms(sql: Sql, terms: NewTerms, actorId: string, at: Date): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${TERMS_LOCK})`;
    const [{next}] = await tx<{next: number}[]>`SELECT coalesce(max(version), 0) + 1 AS next FROM term_versions`;
    await tx`INSERT INTO term_versions (version, title, summary, published_at, published_by)
      VALUES (${next}, ${terms.title}, ${terms.summary ?? ""}, ${at}, ${actorId})`;
    const rows = terms.items.map((item, position) => ({version: next, position, ...item}));
    await tx`INSERT INTO term_items ${tx(rows, "version", "code", "position", "mandatory", "title", "text")}`;
    await record(tx, {
      action: "terms.published",
      actorId,
      detail: {version: next, items: terms.items.map((i) => i.code)},
      at
    });
    await tx`INSERT INTO notifications (id, user_id, kind, title, body, link, created_at)
      SELECT gen_random_uuid()::text, u.id, 'terms', ${`New terms: version ${next}`},
             'The terms of use changed. Please review them; mandatory items need your acceptance again.',
             '/privacy', ${at}
      FROM "user" u LEFT JOIN user_profile p ON p.user_id = u.id WHERE p.anonymized_at IS NULL`;
    return next;
  }) as Promise<number>;
}

export interface TermsStatus {
  /** The current version, or null when none was ever published (nothing to accept). */
  version: number | null;
  accepted: boolean;
  /** Mandatory items of the current version not (or no longer) accepted. */
  missing: string[];
}

export async function currentTermsStatus(sql: Sql, userId: string): Promise<TermsStatus> {
  const rows = await sql<{version: number; code: string; decision: string | null}[]>`
    SELECT i.version, i.code,
      (SELECT r.decision FROM consent_records r
        WHERE r.user_id = ${userId} AND r.version = i.version AND r.item_code = i.code
        ORDER BY r.id DESC LIMIT 1) AS decision
    FROM term_items i
    WHERE i.mandatory AND i.version = (SELECT max(version) FROM term_versions)`;
  const version = rows[0]?.version ?? (await currentVersionNumber(sql));
  const missing = rows.filter((r) => r.decision !== "accept").map((r) => r.code);
  return {version, accepted: missing.length === 0, missing};
}

/** For the site middleware: may this user see product pages (or be sent to /terms)? */
export async function termsAccepted(sql: Sql, userId: string): Promise<boolean> {
  return (await currentTermsStatus(sql, userId)).accepted;
}
