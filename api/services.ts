// What routes and services share, passed in rather than reached for, so tests can swap the side effects:
// the clock (expiring links), the mailer (SMTP or the outbox) and the key ring (encryption, keyed hashes).
import type {Auth} from "./auth.js";
import type {KeyRing} from "./crypto.js";
import type {Sql} from "./db.js";
import type {Logger} from "./logger.js";
import type {Mailer} from "./mailer.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {now: () => new Date()};

export interface Services {
  sql: Sql;
  auth: Auth;
  keys: KeyRing;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  /** The origin browsers use; links in emails point here. */
  publicUrl: string;
}
