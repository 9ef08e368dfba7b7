// Settings of the operations side (jobs, backups), validated with the rest of the configuration (api/config.ts).
import {z} from "zod";

export const operationsConfigShape = {
  // Backups go to S3-compatible storage (MinIO in production) when BACKUP_S3_URL is set, else to a local folder.
  BACKUP_S3_URL: z.string().url().optional(),
  BACKUP_S3_BUCKET: z.string().min(3).default("grafeno-backups"),
  BACKUP_S3_REGION: z.string().default("us-east-1"),
  BACKUP_S3_ACCESS_KEY_ID: z.string().optional(),
  BACKUP_S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** The local folder (default <GRAFENO_DATA_DIR>/backups) when there is no BACKUP_S3_URL. */
  BACKUP_DIR: z.string().optional(),
  /** "[id:]base64 of 32 bytes": the key backups are encrypted with; never stored with them. */
  BACKUP_KEY: z.string().optional(),
  /** Older keys, "id:base64,id:base64", to restore backups made before a key change. */
  BACKUP_PREVIOUS_KEYS: z.string().optional(),
  /** Complete backups kept; older ones are deleted after each successful backup. */
  BACKUP_RETAIN: z.coerce.number().int().min(1).max(1000).default(7),
  /** How often the job worker looks for due jobs and schedules. */
  JOBS_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(5000)
};

export const operationsConfig = z.object(operationsConfigShape);
export type OperationsConfig = z.infer<typeof operationsConfig>;
