-- better-auth's user table keeps no personal data in clear (api/auth-adapter.ts): "email" holds the keyed hash of
-- the normalized address (its unique index stays the uniqueness check; sign-in looks the hash up), email_enc and
-- name_enc hold AES-256-GCM ciphertexts bound to user.<column>:<id>, and "name" keeps an empty string (NOT NULL).
-- Anonymized rows keep only placeholders ('Deleted user', deleted-<id>@anonymized.invalid) and no ciphertexts.
-- SQL has no keys, so rows written before this migration are encrypted by the server when it starts
-- (encryptPlainUsers in api/pii.ts).
ALTER TABLE "user" ADD COLUMN email_enc text, ADD COLUMN name_enc text;
