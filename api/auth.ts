// Accounts with better-auth on postgres.js (through kysely-postgres-js). Features are plugins in one list.
import {betterAuth} from "better-auth";
import {admin} from "better-auth/plugins";
import {PostgresJSDialect} from "kysely-postgres-js";
import type {Sql} from "./db.js";

export const roles = ["admin", "analyst", "client"] as const;
export type Role = (typeof roles)[number];

export interface AuthOptions {
  sql: Sql;
  secret: string;
  baseURL: string;
  trustedOrigins?: string[];
}

export function createAuth({sql, secret, baseURL, trustedOrigins = []}: AuthOptions) {
  return betterAuth({
    appName: "Grafeno Workbench",
    database: {dialect: new PostgresJSDialect({postgres: sql}), type: "postgres"},
    secret,
    baseURL,
    basePath: "/api/auth",
    trustedOrigins: [baseURL, ...trustedOrigins],
    emailAndPassword: {enabled: true, minPasswordLength: 10, maxPasswordLength: 128},
    session: {expiresIn: 60 * 60 * 8, updateAge: 60 * 60},
    advanced: {defaultCookieAttributes: {sameSite: "lax", httpOnly: true}},
    plugins: [admin({defaultRole: "client", adminRoles: ["admin"]})],
    telemetry: {enabled: false}
  });
}

export type Auth = ReturnType<typeof createAuth>;
export type Session = NonNullable<Awaited<ReturnType<Auth["api"]["getSession"]>>>;
