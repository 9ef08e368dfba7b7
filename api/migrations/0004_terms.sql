-- Versioned terms and the consent given to them (LGPD Art. 8). A published version and its items never change
-- (a change is a new version); consent records are append-only: the current decision on an item is the latest.
CREATE TABLE term_versions (
  version integer PRIMARY KEY CHECK (version > 0),
  title text NOT NULL,
  summary text NOT NULL DEFAULT '',
  published_at timestamptz NOT NULL,
  published_by text REFERENCES "user" (id)
);

CREATE TABLE term_items (
  version integer NOT NULL REFERENCES term_versions (version),
  code text NOT NULL,
  position integer NOT NULL,
  mandatory boolean NOT NULL,
  title text NOT NULL,
  text text NOT NULL,
  PRIMARY KEY (version, code)
);

CREATE TABLE consent_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text NOT NULL REFERENCES "user" (id),
  version integer NOT NULL,
  item_code text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('accept', 'revoke')),
  decided_at timestamptz NOT NULL,
  ip_hash text,
  user_agent text,
  channel text NOT NULL,
  FOREIGN KEY (version, item_code) REFERENCES term_items (version, code)
);
CREATE INDEX consent_records_user_idx ON consent_records (user_id, version, item_code, id DESC);

CREATE TRIGGER term_versions_immutable BEFORE UPDATE OR DELETE ON term_versions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER term_items_immutable BEFORE UPDATE OR DELETE ON term_items
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
