// /api/jobs: the durable jobs for administrators: list (filter by status or kind), and retry a failed one.
import {createRoute, z} from "@hono/zod-openapi";
import {requireRole, requireSession, requireTerms, type SessionEnv} from "../access.js";
import {audit} from "../audit.js";
import {jobStatuses, listJobs, retryJob} from "../jobs.js";
import type {Operations} from "../operations.js";
import {
  ErrorSchema,
  forbidden,
  invalid,
  json,
  notFound,
  Paging,
  router,
  signedIn,
  unauthenticated
} from "../openapi.js";
import type {Services} from "../services.js";

export const JobSchema = z
  .object({
    id: z.number().int(),
    kind: z.string().openapi({example: "backup"}),
    payload: z.record(z.string(), z.unknown()),
    status: z.enum(jobStatuses),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    runAt: z.string().openapi({description: "When it is (or was) due; after a failed attempt, the retry time"}),
    lockedUntil: z.string().nullable(),
    lockedBy: z.string().nullable(),
    lastError: z.string().nullable(),
    result: z.unknown(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable()
  })
  .openapi("Job");

export const JobIdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({param: {name: "id", in: "path"}, example: 12})
});

const JobQuery = z.object({
  status: z.enum(jobStatuses).optional(),
  kind: z.string().max(100).optional(),
  ...Paging
});

export function jobRoutes({sql, auth, clock}: Services, operations: Operations) {
  const app = router<SessionEnv>();
  app.use("*", requireSession(auth), requireRole("admin"), requireTerms(sql));

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["jobs"],
      summary: "Jobs, newest first, filtered by status or kind (administrators)",
      ...signedIn,
      request: {query: JobQuery},
      responses: {
        200: json(z.object({jobs: z.array(JobSchema), total: z.number().int()}), "Jobs"),
        ...invalid,
        ...unauthenticated,
        ...forbidden
      }
    }),
    async (c) => c.json(await listJobs(sql, c.req.valid("query")), 200)
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/retry",
      tags: ["jobs"],
      summary: "Queue a failed job again, with a fresh set of attempts (administrators)",
      ...signedIn,
      request: {params: JobIdParams},
      responses: {
        200: json(z.object({job: JobSchema}), "Queued again"),
        ...invalid,
        ...unauthenticated,
        ...forbidden,
        ...notFound,
        409: json(ErrorSchema, "The job has not failed (it is queued, running or succeeded)")
      }
    }),
    async (c) => {
      const {id} = c.req.valid("param");
      const job = await retryJob(sql, id, clock.now());
      if (job === "not_found") return c.json({error: "not_found"}, 404);
      if (job === "not_failed") return c.json({error: "not_failed", message: "only a failed job can be retried"}, 409);
      await audit(sql, {action: "job.retried", actorId: c.get("user").id, detail: {job: id, kind: job.kind}});
      operations.worker.wake();
      return c.json({job}, 200);
    }
  );

  return app;
}
