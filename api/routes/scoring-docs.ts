// The OpenAPI description of the routes that are not built from zod-openapi routes (uploads that may be CSV,
// Prometheus text, Arrow streams): scoring, API keys, metrics and dataset previews.
import {z, type OpenAPIHono} from "@hono/zod-openapi";
import type {Env} from "hono";
import {billsToScore, maxScoredBills} from "../risk-scoring.js";
import {body, ErrorSchema, json, signedIn} from "../openapi.js";
import {jsonTransactions, maxScoringBytes, maxScoringRows} from "../scoring-input.js";

const RowErrors = z
  .object({
    error: z.literal("invalid_rows"),
    count: z.number().int(),
    rows: z.array(z.object({row: z.number().int(), column: z.string(), value: z.string(), reason: z.string()}))
  })
  .openapi("RowErrors");

const CustomerScores = z
  .object({
    entity: z.string(),
    observationDate: z.string(),
    modelVersions: z.object({segmentation: z.string(), retention: z.string()}),
    ignoredAfterObservation: z.number().int(),
    customers: z.array(z.record(z.string(), z.union([z.string(), z.number()])))
  })
  .openapi("CustomerScores");

const BillRisks = z
  .object({
    modelVersion: z.string(),
    bills: z.array(
      z.object({
        bill_id: z.string(),
        meanRisk: z.number(),
        maxRisk: z.number(),
        installments: z.array(z.object({number: z.number().int(), due_date: z.string(), risk: z.number()}))
      })
    )
  })
  .openapi("BillRisks");

const scoringCallers: {security: Record<string, string[]>[]} = {security: [{session: []}, {apiKey: []}]};
const refusals = {
  401: json(ErrorSchema, "No session and no valid API key"),
  403: json(ErrorSchema, "Not an analyst or administrator, terms not accepted, or a foreign origin"),
  503: json(ErrorSchema, "No usable model artifact (run npm run models:train)")
};

export function describeScoring<E extends Env>(api: OpenAPIHono<E>): void {
  api.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "gk_… key issued by an administrator"
  });
  api.openAPIRegistry.registerPath({
    method: "post",
    path: "/score/customers",
    tags: ["scoring"],
    summary: `Per-customer RFM, scores, segment, cluster, P(alive) and lifetime value (≤ ${maxScoringRows} rows, ≤ ${maxScoringBytes / 1024 / 1024} MB)`,
    ...scoringCallers,
    request: {
      query: z.object({
        entity: z.enum(["participant", "assignor", "payer"]).optional(),
        observationDate: z.string().optional()
      }),
      body: {
        content: {
          "application/json": {schema: jsonTransactions},
          "text/csv": {schema: z.string().openapi({example: "customer,date,amount\n0001,2024-03-31,150.00"})}
        },
        required: true
      }
    },
    responses: {
      200: {
        description: "Scores (JSON, or CSV with Accept: text/csv)",
        content: {"application/json": {schema: CustomerScores}, "text/csv": {schema: z.string()}}
      },
      400: json(RowErrors, "Rows that are not valid, each with its row, column and reason; nothing scored"),
      413: json(ErrorSchema, "Too many rows or too large"),
      ...refusals
    }
  });
  api.openAPIRegistry.registerPath({
    method: "post",
    path: "/score/bills",
    tags: ["scoring"],
    summary: `Late-payment risk of each installment of new trade bills (≤ ${maxScoredBills} bills)`,
    ...scoringCallers,
    request: {body: body(billsToScore)},
    responses: {
      200: json(BillRisks, "Risk per installment, with the model version"),
      400: json(ErrorSchema, "Invalid bills"),
      409: json(ErrorSchema, "A bill already in the registry"),
      ...refusals
    }
  });
  api.openAPIRegistry.registerPath({
    method: "get",
    path: "/api-keys",
    tags: ["scoring"],
    summary: "API keys (administrators)",
    ...signedIn,
    responses: {200: {description: "Keys, without their secret"}, 403: json(ErrorSchema, "Not an administrator")}
  });
  api.openAPIRegistry.registerPath({
    method: "post",
    path: "/api-keys",
    tags: ["scoring"],
    summary: "Issue an API key (shown once)",
    ...signedIn,
    request: {body: body(z.object({name: z.string().min(1).max(120)}))},
    responses: {
      201: {description: "The key and its record"},
      400: json(ErrorSchema, "Invalid name"),
      403: json(ErrorSchema, "Not an administrator")
    }
  });
  api.openAPIRegistry.registerPath({
    method: "delete",
    path: "/api-keys/{id}",
    tags: ["scoring"],
    summary: "Revoke an API key",
    ...signedIn,
    request: {params: z.object({id: z.string()})},
    responses: {200: {description: "Revoked"}, 404: json(ErrorSchema, "No such key")}
  });
  api.openAPIRegistry.registerPath({
    method: "get",
    path: "/metrics",
    tags: ["scoring"],
    summary: "Scoring requests, errors, rows and latency in the Prometheus text format (administrators or an API key)",
    ...scoringCallers,
    responses: {
      200: {description: "Prometheus text 0.0.4", content: {"text/plain": {schema: z.string()}}},
      403: json(ErrorSchema, "Not allowed")
    }
  });
  api.openAPIRegistry.registerPath({
    method: "get",
    path: "/datasets/{name}/{table}",
    tags: ["datasets"],
    summary: "Up to 50,000 rows of one table of a dataset, CPFs masked (analysts and administrators)",
    ...signedIn,
    request: {params: z.object({name: z.string(), table: z.string()})},
    responses: {
      200: {
        description: "Arrow IPC stream",
        content: {"application/vnd.apache.arrow.stream": {schema: z.string().openapi({format: "binary"})}}
      },
      404: json(ErrorSchema, "No such dataset or table")
    }
  });
}
