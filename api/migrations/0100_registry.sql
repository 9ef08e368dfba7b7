-- The registry's canonical tables, as loaders/registry-schema.ts defines them (test/postgres-registry.test.ts checks
-- that names, order, types and nullability agree). Dates are date, instants timestamptz, money numeric(16,2), enums
-- text with a CHECK. Values are not required to be positive here: the database holds what the registry holds, dirt
-- included; validation happens on import (loaders/validate.ts).

CREATE TABLE participants (
  participant_id text PRIMARY KEY,
  cnpj text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('bank', 'fidc', 'securitizer', 'fintech')),
  uf text NOT NULL CHECK (uf ~ '^[A-Z]{2}$'),
  joined_at date NOT NULL,
  left_at date
);

CREATE TABLE parties (
  party_id text PRIMARY KEY,
  document text NOT NULL,
  person_type text NOT NULL CHECK (person_type IN ('PF', 'PJ')),
  name text NOT NULL,
  uf text NOT NULL CHECK (uf ~ '^[A-Z]{2}$'),
  city text NOT NULL,
  segment text NOT NULL
);

CREATE TABLE trade_bills (
  bill_id text PRIMARY KEY,
  participant_id text NOT NULL REFERENCES participants (participant_id),
  assignor_id text NOT NULL REFERENCES parties (party_id),
  payer_id text NOT NULL REFERENCES parties (party_id),
  kind text NOT NULL CHECK (kind IN ('goods', 'services')),
  ballast text NOT NULL CHECK (ballast IN ('nfe_key', 'invoice')),
  nfe_key text,
  emitted_at date NOT NULL,
  registered_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('active', 'finished', 'canceled')),
  cancel_reason text CHECK (cancel_reason IN ('operational_error', 'reversal', 'other')),
  value numeric(16, 2) NOT NULL
);

-- One participant's, assignor's or payer's bills, newest first or in a period: an index scan on (who, when).
CREATE INDEX trade_bills_participant_idx ON trade_bills (participant_id, registered_at);
CREATE INDEX trade_bills_assignor_idx ON trade_bills (assignor_id, registered_at);
CREATE INDEX trade_bills_payer_idx ON trade_bills (payer_id, registered_at);
-- Registrations in a period (monthly dashboards, incremental loads).
CREATE INDEX trade_bills_registered_idx ON trade_bills (registered_at);

-- The primary key (bill_id, number) also serves "the installments of a bill".
CREATE TABLE installments (
  bill_id text NOT NULL REFERENCES trade_bills (bill_id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number >= 1),
  due_date date NOT NULL,
  original_due_date date NOT NULL,
  value numeric(16, 2) NOT NULL,
  paid_value numeric(16, 2),
  paid_at date,
  PRIMARY KEY (bill_id, number)
);

CREATE TABLE payments (
  payment_id text PRIMARY KEY,
  bill_id text NOT NULL,
  installment_number integer NOT NULL,
  performed_at timestamptz NOT NULL,
  value numeric(16, 2) NOT NULL,
  FOREIGN KEY (bill_id, installment_number) REFERENCES installments (bill_id, number) ON DELETE CASCADE
);

-- The payments of a bill (and the foreign key's own lookups when installments are deleted).
CREATE INDEX payments_bill_idx ON payments (bill_id, installment_number);
