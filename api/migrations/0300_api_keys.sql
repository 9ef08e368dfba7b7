-- Machine clients of the scoring API. Only a SHA-256 of each key is kept; the key is shown once, at creation.
CREATE TABLE api_key (
  id text PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  created_by text NOT NULL REFERENCES "user" (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
