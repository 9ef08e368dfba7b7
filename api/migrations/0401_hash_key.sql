-- Which PII_HASH_KEY the lookup hashes ("user".email, user_profile.email_hash and cpf_hash) were made with: a
-- fingerprint of the key (an HMAC of a fixed label under it, never the key itself), one row at most. When the
-- server starts with another key it re-hashes those columns from their ciphertexts (api/rehash.ts) and records the
-- new fingerprint. A fingerprint that matches no key (a restore writes 'unknown') forces a re-hash.
-- Keyed hashes kept only as pseudonyms (audit_log details, consent_records.ip_hash, session IP addresses) are not
-- re-hashed: the append-only tables refuse UPDATE, and no clear value is kept to hash again.
CREATE TABLE pii_hash_key (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  fingerprint text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
