// /api/notifications: the signed-in person's in-app notices; each can only be read and marked by its owner.
import {createRoute, z} from "@hono/zod-openapi";
import {requireSession, type SessionEnv} from "../access.js";
import {listNotifications, markAllRead, markRead} from "../notifications.js";
import {IdParams, invalid, json, notFound, OkSchema, router, signedIn, unauthenticated} from "../openapi.js";
import type {Services} from "../services.js";

export const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({example: "profile"}),
    title: z.string(),
    body: z.string(),
    link: z.string().nullable(),
    createdAt: z.string(),
    readAt: z.string().nullable()
  })
  .openapi("Notification");

export function notificationRoutes({sql, auth, clock}: Services) {
  const app = router<SessionEnv>();
  app.use("*", requireSession(auth));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["notifications"],
      summary: "My notifications, newest first, with the unread count",
      ...signedIn,
      request: {query: z.object({unread: z.enum(["true", "false"]).optional()})},
      responses: {
        200: json(z.object({notifications: z.array(NotificationSchema), unread: z.number().int()}), "Notifications"),
        ...invalid,
        ...unauthenticated
      }
    }),
    async (c) => {
      const unreadOnly = c.req.valid("query").unread === "true";
      return c.json(await listNotifications(sql, c.get("user").id, {unreadOnly}), 200);
    }
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/read-all",
      tags: ["notifications"],
      summary: "Mark all my notifications read",
      ...signedIn,
      responses: {200: json(z.object({marked: z.number().int()}), "How many were unread"), ...unauthenticated}
    }),
    async (c) => c.json({marked: await markAllRead(sql, c.get("user").id, clock.now())}, 200)
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/read",
      tags: ["notifications"],
      summary: "Mark one of my notifications read",
      ...signedIn,
      request: {params: IdParams},
      responses: {200: json(OkSchema, "Marked"), ...unauthenticated, ...notFound}
    }),
    async (c) => {
      const found = await markRead(sql, c.get("user").id, c.req.valid("param").id, clock.now());
      return found ? c.json({ok: true as const}, 200) : c.json({error: "not_found"}, 404);
    }
  );

  return app;
}
