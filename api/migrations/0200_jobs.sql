-- Durable jobs (api/jobs.ts): a job is claimed by one worker at a time (FOR UPDATE SKIP LOCKED) under a lock
-- with an expiry, so a job whose worker died is taken up again once its lock has expired. A failed attempt is
-- retried later (exponential backoff) until max_attempts; then the job stays visible as 'failed'.
CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  run_at timestamptz NOT NULL,
  locked_until timestamptz,
  locked_by text,
  last_error text,
  result jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_lock_idx ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_status_idx ON jobs (status, id DESC);
CREATE INDEX jobs_kind_idx ON jobs (kind, id DESC);

-- Recurring jobs (api/schedules.ts): every N hours, aligned on HH:MM UTC; the worker enqueues a job when
-- next_run has passed (never a second one while one of the same kind is still queued or running).
CREATE TABLE schedules (
  kind text PRIMARY KEY,
  payload jsonb NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT false,
  every_hours integer NOT NULL CHECK (every_hours BETWEEN 1 AND 8760),
  at_time text NOT NULL CHECK (at_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  next_run timestamptz,
  last_run timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
