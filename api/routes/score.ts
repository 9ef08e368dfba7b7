// POST /api/score/customers: transactions in (JSON or CSV), per-customer RFM, scores, segment, cluster, P(alive)
// and lifetime value out, with the model versions. Analysts and administrators with a session, or machine
// clients with an API key. Every call is timed, counted and audited.
import {Hono, type Context, type MiddlewareHandler} from "hono";
import {bodyLimit} from "hono/body-limit";
import {parseEntity} from "../../loaders/customer-events.js";
import type {AppEnv} from "../middleware.js";
import {verifyApiKey} from "../api-keys.js";
import {audit} from "../audit.js";
import type {ScoringMetrics} from "../metrics.js";
import type {ModelRegistry} from "../model-registry.js";
import {BillConflict, billsToScore, riskHistory, scoreBills} from "../risk-scoring.js";
import {ModelUnavailable, scoreCustomers, scoresCsv} from "../scoring.js";
import {
  jsonTransactions,
  maxScoringBytes,
  maxScoringRows,
  observationOf,
  parseCsvTransactions,
  parseJsonTransactions,
  TooManyRows,
  type RowError
} from "../scoring-input.js";
import type {Services} from "../services.js";
import {currentTermsStatus} from "../terms.js";

export type Caller = {kind: "user"; id: string} | {kind: "api-key"; id: string; createdBy: string};
type ScoreEnv = {Variables: AppEnv["Variables"] & {caller: Caller}};

/** A valid API key (Authorization: Bearer gk_…), or a session of an analyst or administrator who accepted the terms. */
export function scoringCaller({sql, auth, clock}: Services): MiddlewareHandler<ScoreEnv> {
  return async (c, next) => {
    const bearer = /^Bearer (gk_\S+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    if (bearer) {
      const key = await verifyApiKey(sql, bearer, clock.now());
      if (!key) return c.json({error: "invalid_api_key"}, 401);
      c.set("caller", {kind: "api-key", id: key.id, createdBy: key.created_by});
      return next();
    }
    const session = await auth.api.getSession({headers: c.req.raw.headers});
    if (!session) return c.json({error: "unauthenticated"}, 401);
    const role = (session.user as {role?: string | null}).role ?? "client";
    if (role !== "admin" && role !== "analyst") return c.json({error: "forbidden"}, 403);
    const terms = await currentTermsStatus(sql, session.user.id);
    if (!terms.accepted) return c.json({error: "terms_required", version: terms.version}, 403);
    c.set("caller", {kind: "user", id: session.user.id});
    return next();
  };
}

/** Every scoring call is an audited act: who (a person, or the person who issued the API key), what, how much. */
function auditScoring(services: Services, caller: Caller, detail: {[key: string]: string | number}) {
  return audit(services.sql, {
    action: "model.scored",
    actorId: caller.kind === "user" ? caller.id : caller.createdBy,
    detail: {...detail, via: caller.kind, apiKey: caller.kind === "api-key" ? caller.id : null},
    at: services.clock.now()
  });
}

function rowErrors(c: Context, errors: RowError[]) {
  return c.json({error: "invalid_rows", count: errors.length, rows: errors.slice(0, 200)}, 400);
}

export function scoreRoutes(services: Services, models: ModelRegistry, metrics: ScoringMetrics): Hono<ScoreEnv> {
  const app = new Hono<ScoreEnv>();
  app.use(scoringCaller(services));
  app.use(
    bodyLimit({
      maxSize: maxScoringBytes,
      onError: (c) => c.json({error: "too_large", message: `at most ${maxScoringBytes / 1024 / 1024} MB`}, 413)
    })
  );
  app.post("/customers", async (c) => {
    const started = performance.now();
    let rows = 0;
    const done = (response: Response) => {
      metrics.observe("customers", response.status, (performance.now() - started) / 1000, rows);
      return response;
    };
    let parsed;
    let given = c.req.query("observationDate");
    try {
      if ((c.req.header("content-type") ?? "").startsWith("text/csv")) {
        parsed = parseCsvTransactions(await c.req.text());
      } else {
        const body = jsonTransactions.safeParse(await c.req.json().catch(() => undefined));
        if (!body.success) {
          return done(
            c.json(
              {
                error: "invalid_input",
                fields: body.error.issues.map((i) => ({path: i.path.join("."), message: i.message}))
              },
              400
            )
          );
        }
        given ??= body.data.observationDate;
        parsed = parseJsonTransactions(body.data);
      }
    } catch (error) {
      if (error instanceof TooManyRows)
        return done(c.json({error: "too_many_rows", message: `${error.message}`, limit: maxScoringRows}, 413));
      throw error;
    }
    rows = parsed.transactions.length;
    if (parsed.errors.length) return done(rowErrors(c, parsed.errors));
    if (rows === 0)
      return done(
        c.json(
          {error: "invalid_rows", count: 1, rows: [{row: 1, column: "", value: "", reason: "no transactions"}]},
          400
        )
      );
    const observationDate = observationOf(given, parsed.transactions);
    if (observationDate === null)
      return done(
        c.json({error: "invalid_input", fields: [{path: "observationDate", message: "not a date (YYYY-MM-DD)"}]}, 400)
      );
    let entity;
    try {
      entity = parseEntity(c.req.query("entity") ?? process.env.GRAFENO_RFM_ENTITY);
    } catch (error) {
      return done(c.json({error: "invalid_input", fields: [{path: "entity", message: (error as Error).message}]}, 400));
    }
    let result;
    try {
      result = await scoreCustomers(models, parsed.transactions, {observationDate, entity});
    } catch (error) {
      if (error instanceof ModelUnavailable)
        return done(c.json({error: "model_unavailable", message: error.message}, 503));
      throw error;
    }
    await auditScoring(services, c.get("caller"), {
      endpoint: "customers",
      rows,
      customers: result.customers.length,
      ...result.modelVersions
    });
    if ((c.req.header("accept") ?? "").includes("text/csv")) {
      return done(
        c.body(scoresCsv(result), 200, {
          "content-type": "text/csv; charset=utf-8",
          "x-model-version": `${result.modelVersions.segmentation}, ${result.modelVersions.retention}`
        })
      );
    }
    return done(c.json(result));
  });
  app.post("/bills", async (c) => {
    const started = performance.now();
    const parsed = billsToScore.safeParse(await c.req.json().catch(() => undefined));
    const rows = parsed.success ? parsed.data.bills.length : 0;
    const done = (response: Response) => {
      metrics.observe("bills", response.status, (performance.now() - started) / 1000, rows);
      return response;
    };
    if (!parsed.success) {
      return done(
        c.json(
          {
            error: "invalid_input",
            fields: parsed.error.issues.slice(0, 200).map((i) => ({path: i.path.join("."), message: i.message}))
          },
          400
        )
      );
    }
    let result;
    try {
      result = await scoreBills(models, parsed.data, await riskHistory());
    } catch (error) {
      if (error instanceof ModelUnavailable)
        return done(c.json({error: "model_unavailable", message: error.message}, 503));
      if (error instanceof BillConflict) return done(c.json({error: "conflict", message: error.message}, 409));
      throw error;
    }
    await auditScoring(services, c.get("caller"), {endpoint: "bills", rows, model: result.modelVersion});
    return done(c.json(result));
  });
  return app;
}
