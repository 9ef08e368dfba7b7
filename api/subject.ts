// Confirmation and simplified access (LGPD Art. 18 I–II, Art. 19 I): an immediate answer saying which
// categories of personal data the product holds about the person, and which processing applies to them.
import type {SessionUser} from "./access.js";
import {consentStatus} from "./consent.js";
import type {Sql} from "./db.js";
import {processingFor} from "./processing.js";
import {getProfile} from "./profile.js";
import type {Services} from "./services.js";

export async function processingForUser(sql: Sql, user: Pick<SessionUser, "id" | "role">) {
  const consent = await consentStatus(sql, user.id);
  const accepted = new Set(consent.items.filter((i) => i.decision === "accept").map((i) => i.code));
  return processingFor(user.role, accepted);
}

export async function accessSummary(deps: Pick<Services, "sql" | "keys" | "clock">, user: SessionUser) {
  const {sql, clock} = deps;
  const profile = (await getProfile(deps, user.id))!;
  const held = (["name", "email", "cpf", "phone"] as const).filter((f) => profile[f] !== null);
  const [counts] = await sql<
    {consents: number; changes: number; audit: number; sessions: number; notifications: number; exports: number}[]
  >`SELECT
      (SELECT count(*)::int FROM consent_records WHERE user_id = ${user.id}) AS consents,
      (SELECT count(*)::int FROM profile_changes WHERE user_id = ${user.id}) AS changes,
      (SELECT count(*)::int FROM audit_log WHERE actor_id = ${user.id} OR subject_id = ${user.id}) AS audit,
      (SELECT count(*)::int FROM session WHERE "userId" = ${user.id}) AS sessions,
      (SELECT count(*)::int FROM notifications WHERE user_id = ${user.id}) AS notifications,
      (SELECT count(*)::int FROM data_exports WHERE user_id = ${user.id}) AS exports`;
  const applying = (await processingForUser(sql, user)).filter((a) => a.applies);
  return {
    confirmation: true as const,
    generatedAt: clock.now().toISOString(),
    categories: [
      {category: "identification", items: [...held], count: held.length},
      {
        category: "consent records",
        items: ["term version and item", "decision", "time", "channel"],
        count: counts.consents
      },
      {category: "corrections of your data", items: ["field", "old and new value", "time"], count: counts.changes},
      {category: "audit log entries", items: ["act", "time"], count: counts.audit},
      {category: "sessions", items: ["created", "expires", "user agent", "keyed hash of IP"], count: counts.sessions},
      {category: "notifications", items: ["title", "text"], count: counts.notifications},
      {category: "data exports", items: ["format", "times"], count: counts.exports}
    ],
    processing: applying.map(({id, name, legalBasis}) => ({id, name, legalBasis})),
    rights: {
      access: "GET /api/me/data (this summary); POST /api/me/exports for everything, as JSON or CSV",
      correction: "PATCH /api/profile",
      portability: "POST /api/me/exports",
      information: "GET /api/me/processing",
      revocation: "POST /api/consent",
      deletion: "POST /api/me/deletion, then DELETE /api/me"
    }
  };
}
