// Data portability and access (LGPD Art. 18 II and V): everything the product holds about a person, as JSON or
// CSV, through a link that expires, works once and only for that person. The link carries a random token; only
// its keyed hash is stored. Every request, download and refused attempt is in the audit log.
import {randomBytes, randomUUID} from "node:crypto";
import {audit, listAudit, record} from "./audit.js";
import type {Role} from "./auth.js";
import {consentHistory, consentStatus} from "./consent.js";
import {listNotifications} from "./notifications.js";
import {processingFor} from "./processing.js";
import {getProfile, profileChanges} from "./profile.js";
import type {Services} from "./services.js";
import {csvCell} from "./spreadsheet.js";

export const EXPORT_MINUTES = 15;
export const exportFormats = ["json", "csv"] as const;
export type ExportFormat = (typeof exportFormats)[number];

type Deps = Pick<Services, "sql" | "keys" | "clock">;

export async function createExport(deps: Deps, userId: string, format: ExportFormat) {
  const {sql, keys, clock} = deps;
  const token = randomBytes(32).toString("base64url");
  const id = randomUUID();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + EXPORT_MINUTES * 60_000);
  await sql.begin(async (tx) => {
    await tx`INSERT INTO data_exports (id, user_id, format, token_hash, created_at, expires_at)
      VALUES (${id}, ${userId}, ${format}, ${keys.hash("token", token)}, ${now}, ${expiresAt})`;
    await record(tx, {action: "export.requested", actorId: userId, subjectId: userId, detail: {id, format}, at: now});
  });
  return {id, format, url: `/api/me/exports/${token}`, expiresAt: expiresAt.toISOString()};
}

export type Redeemed =
  {ok: true; id: string; format: ExportFormat} | {ok: false; reason: "not_found" | "expired" | "used"};

/** Marks the link used, atomically: of two concurrent downloads only one gets the data. */
export async function redeemExport(deps: Deps, token: string, userId: string): Promise<Redeemed> {
  const {sql, keys, clock} = deps;
  const now = clock.now();
  const hash = keys.hash("token", token);
  const [used] = await sql<{id: string; format: ExportFormat}[]>`UPDATE data_exports SET downloaded_at = ${now}
    WHERE token_hash = ${hash} AND user_id = ${userId} AND downloaded_at IS NULL AND expires_at > ${now}
    RETURNING id, format`;
  if (used) {
    await audit(sql, {action: "export.downloaded", actorId: userId, subjectId: userId, detail: {id: used.id}, at: now});
    return {ok: true, ...used};
  }
  const [found] = await sql<{id: string; user_id: string; downloaded_at: Date | null}[]>`
    SELECT id, user_id, downloaded_at FROM data_exports WHERE token_hash = ${hash}`;
  // Someone else's link is answered like a link that does not exist, and logged as a refused attempt.
  if (!found || found.user_id !== userId) {
    if (found) {
      await audit(sql, {
        action: "export.refused",
        actorId: userId,
        subjectId: found.user_id,
        detail: {id: found.id},
        at: now
      });
    }
    return {ok: false, reason: "not_found"};
  }
  return {ok: false, reason: found.downloaded_at ? "used" : "expired"};
}

export async function listExports({sql}: Pick<Services, "sql">, userId: string) {
  const rows = await sql<
    {id: string; format: ExportFormat; created_at: Date; expires_at: Date; downloaded_at: Date | null}[]
  >`
    SELECT id, format, created_at, expires_at, downloaded_at FROM data_exports
    WHERE user_id = ${userId} ORDER BY created_at DESC`;
  return rows.map((r) => ({
    id: r.id,
    format: r.format,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    downloadedAt: r.downloaded_at?.toISOString() ?? null
  }));
}

/** Everything about the person. Other people appear only as "administrator" or "system", never by id. */
export async function collectUserData(deps: Deps, userId: string) {
  const {sql, clock} = deps;
  const profile = await getProfile(deps, userId);
  if (!profile) return null;
  const consent = await consentStatus(sql, userId);
  const auditEntries = (await listAudit(sql, {involving: userId, pageSize: 10_000})).entries.map((e) => ({
    id: e.id,
    at: e.at,
    action: e.action,
    actor: e.actorId === userId ? "you" : e.actorId ? "administrator" : "system",
    aboutYou: e.subjectId === userId,
    detail: e.detail
  }));
  const sessions = await sql<{createdAt: Date; expiresAt: Date; userAgent: string | null}[]>`
    SELECT "createdAt", "expiresAt", "userAgent" FROM session WHERE "userId" = ${userId} ORDER BY "createdAt" DESC`;
  const accepted = new Set(consent.items.filter((i) => i.decision === "accept").map((i) => i.code));
  return {
    generatedAt: clock.now().toISOString(),
    profile,
    consent: {current: consent, history: await consentHistory(sql, userId)},
    profileChanges: await profileChanges(deps, userId),
    sessions: sessions.map((s) => ({
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      userAgent: s.userAgent
    })),
    notifications: (await listNotifications(sql, userId, {limit: 10_000})).notifications,
    exports: await listExports(deps, userId),
    auditEntries,
    processing: processingFor(profile.role as Role, accepted).filter((a) => a.applies)
  };
}

export type UserData = NonNullable<Awaited<ReturnType<typeof collectUserData>>>;

/** Nested values (arrays, details) go in as JSON text; csvCell quotes and defuses formula-like cells. */
const cell = (value: unknown) => csvCell(value !== null && typeof value === "object" ? JSON.stringify(value) : value);

/** One long table (dataset, record, field, value): every section of the export, reusable by any tool. */
export function toCsv(data: UserData): string {
  const lines = ["dataset,record,field,value"];
  const add = (dataset: string, index: number, row: object) => {
    for (const [field, value] of Object.entries(row)) lines.push([dataset, index, field, value].map(cell).join(","));
  };
  add("profile", 0, data.profile);
  data.consent.current.items.forEach((item, i) => add("consent_current", i, item));
  data.consent.history.forEach((r, i) => add("consent_history", i, r));
  data.profileChanges.forEach((r, i) => add("profile_changes", i, r));
  data.sessions.forEach((r, i) => add("sessions", i, r));
  data.notifications.forEach((r, i) => add("notifications", i, r));
  data.exports.forEach((r, i) => add("exports", i, r));
  data.auditEntries.forEach((r, i) => add("audit", i, r));
  data.processing.forEach((r, i) => add("processing", i, r));
  add("export", 0, {generatedAt: data.generatedAt});
  return `${lines.join("\r\n")}\r\n`;
}
