-- Data-subject exports (LGPD Art. 18 II and V): a one-time link per request. Only the token's hash is stored;
-- the content is assembled when the link is used, so no copy of the personal data waits on disk.
CREATE TABLE data_exports (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  format text NOT NULL CHECK (format IN ('json', 'csv')),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  downloaded_at timestamptz
);
CREATE INDEX data_exports_user_idx ON data_exports (user_id, created_at DESC);
