-- Accounts beyond better-auth's core: the sign-in rate limit (kept in the database so every server instance
-- shares it), the encrypted profile, the record of profile corrections, and in-app notifications.
create table "rateLimit" ("id" text not null primary key, "key" text not null unique, "count" integer not null, "lastRequest" bigint not null);

-- Personal data beyond the login identity. *_enc columns hold AES-256-GCM ciphertexts ("<key id>:<base64url>");
-- *_hash columns hold keyed hashes (HMAC-SHA256), so lookups and uniqueness never need the clear value.
CREATE TABLE user_profile (
  user_id text PRIMARY KEY REFERENCES "user" (id) ON DELETE CASCADE,
  email_hash text UNIQUE,
  cpf_hash text UNIQUE,
  cpf_enc text,
  phone_enc text,
  anonymized_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Each correction of personal data (LGPD Art. 18 III): which field, old and new value (encrypted), who, when.
CREATE TABLE profile_changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  field text NOT NULL CHECK (field IN ('name', 'email', 'cpf', 'phone')),
  old_enc text,
  new_enc text,
  changed_by text,
  changed_at timestamptz NOT NULL
);
CREATE INDEX profile_changes_user_idx ON profile_changes (user_id, id);

CREATE TABLE notifications (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  link text,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
