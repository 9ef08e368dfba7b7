// Accounts with better-auth on postgres.js (through kysely-postgres-js). Features are plugins in one list.
import {betterAuth} from "better-auth";
import {createAuthMiddleware, getSessionFromCtx, isAPIError} from "better-auth/api";
import {admin} from "better-auth/plugins";
import {PostgresJSDialect} from "kysely-postgres-js";
import {encryptedUserAdapter, identityFields} from "./auth-adapter.js";
import {audit} from "./audit.js";
import {normalizeEmail, type KeyRing} from "./crypto.js";
import type {Sql} from "./db.js";
import type {Logger} from "./logger.js";
import type {Mailer} from "./mailer.js";
import {notify} from "./notifications.js";
import type {Clock} from "./services.js";

export const roles = ["admin", "analyst", "client"] as const;
export type Role = (typeof roles)[number];

/**
 * better-auth reads the client address from this header only; the server sets it from the socket, or from
 * X-Forwarded-For when the socket peer is a trusted proxy (TRUST_PROXY, api/access.ts).
 */
export const clientIpHeader = "x-grafeno-client-ip";

/**
 * better-auth endpoints that would bypass the audit, the change log or anonymization: profile changes go
 * through /api/profile, user administration through /api/users, account deletion through /api/me.
 */
export const disabledAuthPaths = [
  "/update-user",
  "/change-email",
  "/delete-user",
  "/delete-user/callback",
  "/admin/create-user",
  "/admin/update-user",
  "/admin/set-role",
  "/admin/remove-user",
  "/admin/set-user-password",
  "/admin/impersonate-user",
  "/admin/stop-impersonating",
  "/admin/list-users"
];

/** Account-security acts of the signed-in user that the audit log records (sign-out everywhere, etc.). */
const auditedPaths = new Set(["/revoke-sessions", "/revoke-other-sessions", "/revoke-session", "/change-password"]);

export interface RateRule {
  max: number;
  window: number;
}

/**
 * The side effects auth needs beyond the database. Absent (only in schema checks: better-auth's getMigrations reads
 * the plain `{dialect, type}` option), no hooks are installed and users are not encrypted.
 */
export interface AuthEffects {
  keys: KeyRing;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
}

export interface AuthOptions {
  sql: Sql;
  secret: string;
  baseURL: string;
  trustedOrigins?: string[];
  /** Sign-in and sign-up attempts per client address (default 10 a minute). */
  signInLimit?: RateRule;
  effects?: AuthEffects;
}

function hooks(sql: Sql, baseURL: string, {keys, mailer, clock, logger}: AuthEffects) {
  const log = (what: string) => (error: unknown) => logger.error({err: error}, `${what} failed`);
  const deps = {sql, keys, mailer, clock, logger, publicUrl: baseURL};
  return {
    emailAndPassword: {
      async sendResetPassword({user, url}: {user: {email: string}; url: string}) {
        const text = `Someone asked to reset the password of this account. To choose a new one, open:\n\n${url}\n\nIf it was not you, ignore this message.`;
        await mailer.send({to: user.email, subject: "Reset your Grafeno Workbench password", text});
      },
      async onPasswordReset({user}: {user: {id: string}}) {
        // The link came by email, so following it proves the address too (accounts created by an administrator).
        await sql`UPDATE "user" SET "emailVerified" = true WHERE id = ${user.id}`;
        await audit(sql, {action: "auth.password_reset", actorId: user.id, subjectId: user.id, at: clock.now()});
        await notify(deps, {
          userId: user.id,
          kind: "security",
          title: "Your password was changed",
          body: "The password of your account was reset. If it was not you, contact the administrators.",
          email: true
        });
      }
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      async sendVerificationEmail({user, url}: {user: {email: string}; url: string}) {
        const text = `Confirm this email address for your Grafeno Workbench account by opening:\n\n${url}\n`;
        await mailer.send({to: user.email, subject: "Confirm your email address", text});
      },
      async afterEmailVerification(user: {id: string}) {
        await audit(sql, {action: "auth.email_verified", actorId: user.id, subjectId: user.id, at: clock.now()});
      }
    },
    databaseHooks: {
      user: {
        create: {
          async after(user: {id: string; email: string}) {
            await sql`INSERT INTO user_profile (user_id, email_hash)
              VALUES (${user.id}, ${keys.hash("email", normalizeEmail(user.email))}) ON CONFLICT (user_id) DO NOTHING`;
            await audit(sql, {action: "account.created", actorId: user.id, subjectId: user.id, at: clock.now()});
          }
        }
      },
      session: {
        create: {
          // The session table keeps a keyed hash of the address, never the address itself.
          async before(session: {ipAddress?: string | null}) {
            return {data: {...session, ipAddress: session.ipAddress ? keys.hash("ip", session.ipAddress) : null}};
          },
          async after(session: {userId: string; ipAddress?: string | null}) {
            await audit(sql, {
              action: "auth.sign_in",
              actorId: session.userId,
              subjectId: session.userId,
              detail: {ipHash: session.ipAddress ?? null},
              at: clock.now()
            }).catch(log("sign-in audit"));
          }
        }
      }
    },
    hooks: {
      // Sign-out deletes the session before any after-hook could see whose it was.
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-out") return;
        const session = await getSessionFromCtx(ctx).catch(() => null);
        if (session) {
          const userId = session.user.id;
          await audit(sql, {action: "auth.sign_out", actorId: userId, subjectId: userId, at: clock.now()});
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/sign-in/email" && isAPIError(ctx.context.returned)) {
          const email = typeof ctx.body?.email === "string" ? normalizeEmail(ctx.body.email) : "";
          await audit(sql, {
            action: "auth.sign_in_failed",
            detail: {emailHash: keys.hash("email", email), status: ctx.context.returned.statusCode},
            at: clock.now()
          }).catch(log("failed sign-in audit"));
        }
        if (auditedPaths.has(ctx.path) && ctx.context.session && !isAPIError(ctx.context.returned)) {
          const userId = ctx.context.session.user.id;
          const action = `auth.${ctx.path.slice(1).replace(/-/g, "_")}`;
          await audit(sql, {action, actorId: userId, subjectId: userId, at: clock.now()});
        }
        // The admin plugin's remaining acts (ban, unban, revoke sessions) are administrative acts too.
        if (ctx.path.startsWith("/admin/") && ctx.context.session && !isAPIError(ctx.context.returned)) {
          const subject = typeof ctx.body?.userId === "string" ? ctx.body.userId : null;
          await audit(sql, {
            action: `admin.${ctx.path.slice("/admin/".length)}`,
            actorId: ctx.context.session.user.id,
            subjectId: subject,
            at: clock.now()
          });
        }
      })
    }
  };
}

export function createAuth({sql, secret, baseURL, trustedOrigins = [], signInLimit, effects}: AuthOptions) {
  const limit = signInLimit ?? {max: 10, window: 60};
  const extra = effects ? hooks(sql, baseURL, effects) : undefined;
  return betterAuth({
    appName: "Grafeno Workbench",
    database: effects
      ? encryptedUserAdapter(sql, effects.keys)
      : {dialect: new PostgresJSDialect({postgres: sql}), type: "postgres"},
    secret,
    baseURL,
    basePath: "/api/auth",
    trustedOrigins: [baseURL, ...trustedOrigins],
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      revokeSessionsOnPasswordReset: true,
      ...extra?.emailAndPassword
    },
    emailVerification: extra?.emailVerification,
    // The user table's ciphertext columns (migration 0400), filled and read by api/auth-adapter.ts.
    user: {additionalFields: identityFields},
    session: {expiresIn: 60 * 60 * 8, updateAge: 60 * 60},
    // In the database, so every server instance counts the same attempts.
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 300,
      customRules: {"/sign-in/*": limit, "/sign-up/*": limit}
    },
    advanced: {
      defaultCookieAttributes: {sameSite: "lax", httpOnly: true},
      useSecureCookies: baseURL.startsWith("https:"),
      ipAddress: {ipAddressHeaders: [clientIpHeader]}
    },
    disabledPaths: disabledAuthPaths,
    databaseHooks: extra?.databaseHooks,
    hooks: extra?.hooks,
    plugins: [admin({defaultRole: "client", adminRoles: ["admin"]})],
    telemetry: {enabled: false}
  });
}

export type Auth = ReturnType<typeof createAuth>;
export type Session = NonNullable<Awaited<ReturnType<Auth["api"]["getSession"]>>>;
