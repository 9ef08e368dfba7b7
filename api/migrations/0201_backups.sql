-- Backups of the LGPD tables (api/backup.ts): a daily schedule, off until an administrator turns it on.
INSERT INTO schedules (kind, enabled, every_hours, at_time) VALUES ('backup', false, 24, '03:00');

-- The erasure journal: whenever a user is anonymized, the same transaction queues a job that writes an encrypted
-- erasure record to the backup storage (api/erasure-journal.ts), so the erasure outlives this database and a
-- restore of an older backup re-applies it. A trigger, so every path that anonymizes is covered.
CREATE FUNCTION journal_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO jobs (kind, payload, max_attempts, run_at, created_at, updated_at)
  VALUES ('erasure.journal', jsonb_build_object('userId', NEW.user_id, 'at', NEW.anonymized_at), 20,
          NEW.anonymized_at, NEW.anonymized_at, NEW.anonymized_at);
  RETURN NEW;
END
$$;

CREATE TRIGGER user_profile_erasure_journal AFTER UPDATE OF anonymized_at ON user_profile
  FOR EACH ROW WHEN (OLD.anonymized_at IS NULL AND NEW.anonymized_at IS NOT NULL)
  EXECUTE FUNCTION journal_erasure();
