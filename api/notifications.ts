// Notifications: every notice is kept in-app; those marked `email` also go out by mail (SMTP or the outbox).
// A mail that fails to go out is logged and never undoes the act it reports; the in-app copy remains.
import {randomUUID} from "node:crypto";
import type {Sql} from "./db.js";
import {openEmail} from "./pii.js";
import type {Services} from "./services.js";

export interface Notice {
  userId: string;
  kind: string;
  title: string;
  body: string;
  link?: string;
  /** Also send it to the user's email address (or to `to`, e.g. the old address after a change). */
  email?: boolean;
  to?: string;
}

export interface NotificationRow {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

type NotifyDeps = Pick<Services, "sql" | "keys" | "mailer" | "clock" | "logger" | "publicUrl">;

export async function notify(deps: NotifyDeps, notice: Notice): Promise<string> {
  const {sql, keys, mailer, clock, logger, publicUrl} = deps;
  const id = randomUUID();
  await sql`INSERT INTO notifications (id, user_id, kind, title, body, link, created_at)
    VALUES (${id}, ${notice.userId}, ${notice.kind}, ${notice.title}, ${notice.body}, ${notice.link ?? null},
            ${clock.now()})`;
  if (notice.email) {
    const [user] = await sql<{email: string; email_enc: string | null}[]>`
      SELECT email, email_enc FROM "user" WHERE id = ${notice.userId}`;
    const to = notice.to ?? (user ? openEmail(keys, notice.userId, user) : undefined);
    const link = notice.link ? `\n\n${new URL(notice.link, publicUrl)}` : "";
    if (to) {
      await mailer.send({to, subject: notice.title, text: `${notice.body}${link}\n`}).catch((error: unknown) => {
        logger.error({err: error, kind: notice.kind, notification: id}, "notification email not sent");
      });
    }
  }
  return id;
}

export async function listNotifications(
  sql: Sql,
  userId: string,
  {unreadOnly = false, limit = 50}: {unreadOnly?: boolean; limit?: number} = {}
): Promise<{notifications: NotificationRow[]; unread: number}> {
  const rows = await sql<
    {
      id: string;
      kind: string;
      title: string;
      body: string;
      link: string | null;
      created_at: Date;
      read_at: Date | null;
    }[]
  >`
    SELECT id, kind, title, body, link, created_at, read_at FROM notifications
    WHERE user_id = ${userId} ${unreadOnly ? sql`AND read_at IS NULL` : sql``}
    ORDER BY created_at DESC, id LIMIT ${limit}`;
  const [{unread}] = await sql<{unread: number}[]>`
    SELECT count(*)::int AS unread FROM notifications WHERE user_id = ${userId} AND read_at IS NULL`;
  return {
    unread,
    notifications: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      body: r.body,
      link: r.link,
      createdAt: r.created_at.toISOString(),
      readAt: r.read_at?.toISOString() ?? null
    }))
  };
}

/** Marks one of the user's own notifications read; false when there is no such notification for this user. */
export async function markRead(sql: Sql, userId: string, id: string, at: Date): Promise<boolean> {
  const rows = await sql`UPDATE notifications SET read_at = coalesce(read_at, ${at})
    WHERE id = ${id} AND user_id = ${userId} RETURNING id`;
  return rows.length === 1;
}

export async function markAllRead(sql: Sql, userId: string, at: Date): Promise<number> {
  const rows = await sql`UPDATE notifications SET read_at = ${at}
    WHERE user_id = ${userId} AND read_at IS NULL RETURNING id`;
  return rows.length;
}
