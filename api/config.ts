// Configuration from the environment, validated once at start.
import {isIP} from "node:net";
import {z} from "zod";
import {operationsConfigShape} from "./backup-config.js";

/** An IP address or a CIDR range ("10.0.0.0/8", "fd00::/8"). */
function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split("/");
  const version = isIP(address);
  if (!version || rest.length) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().url().optional(),
  GRAFENO_DATA_DIR: z.string().default("data"),
  GRAFENO_DIST: z.string().default("dist"),
  BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Personal data at rest (api/crypto.ts): "k1:base64,k2:base64", the key new data is encrypted with, the hash key.
  PII_KEYS: z.string().optional(),
  PII_ACTIVE_KEY: z.string().optional(),
  PII_HASH_KEY: z.string().optional(),
  // Email (api/mailer.ts): without SMTP_URL, messages go to <GRAFENO_DATA_DIR>/outbox.
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().optional(),
  /** Reverse proxies whose X-Forwarded-For is believed (api/access.ts): addresses or CIDR ranges, comma-separated. */
  TRUST_PROXY: z
    .string()
    .default("")
    .transform((list) =>
      list
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean)
    )
    .pipe(z.array(z.string().refine(isAddressOrRange, "must be IP addresses or CIDR ranges, comma-separated"))),
  /** Sign-in (and sign-up) attempts per client address: "max/seconds". */
  SIGN_IN_RATE_LIMIT: z
    .string()
    .regex(/^\d+\/\d+$/, "must look like 10/60 (attempts/seconds)")
    .default("10/60"),
  // Jobs and backups (api/backup-config.ts): storage, key, retention, poll interval.
  ...operationsConfigShape
});

export type Config = z.infer<typeof schema> & {publicUrl: string};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  return {...config, publicUrl: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`};
}
