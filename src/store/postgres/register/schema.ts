/**
 * The register's PostgreSQL schema: the numbered migration steps (db.ts `migrate` runs the ones a
 * schema has not had yet, in order).
 *
 * Text keys sort with COLLATE "C" (bytewise, like SQLite's BINARY), so snapshots come out in the same
 * order — and with the same digest — on both backends, whatever the database's locale.
 */
import { auditTrailSchema } from '../auditTrail.js';
import { outcomeSchema } from './outcomes.js';
import { dueProcessSchema } from './dueProcess.js';

export const SCHEMA: ((s: string) => string)[] = [
  (s) => `
  CREATE TABLE ${s}.persons (
    person_id text COLLATE "C" PRIMARY KEY,
    surname text NOT NULL,
    given_names text NOT NULL,
    patronymic text,
    date_of_birth text NOT NULL,
    sex text,
    documents text NOT NULL,
    deferments text NOT NULL
  );
  CREATE TABLE ${s}.restrictions (
    restriction_id text COLLATE "C" PRIMARY KEY,
    person_id text COLLATE "C" NOT NULL REFERENCES ${s}.persons (person_id),
    kind text NOT NULL,
    basis text NOT NULL,
    office text NOT NULL,
    issued_at text COLLATE "C" NOT NULL,
    served_at text,
    service_channel text,
    lifted_at text,
    lift_reason text,
    delivered_at text,
    in_force_from text,
    expires_at text,
    review_at text,
    campaign text COLLATE "C"
  );
  CREATE INDEX restrictions_by_person ON ${s}.restrictions (person_id);
  CREATE INDEX restrictions_by_campaign ON ${s}.restrictions (campaign) WHERE campaign IS NOT NULL;
  CREATE TABLE ${s}.changes (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    entity text NOT NULL,
    key text NOT NULL,
    body text
  );
  CREATE TABLE ${s}.batches (
    last_seq bigint PRIMARY KEY,
    first_seq bigint NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    committed_at text COLLATE "C" NOT NULL,
    key_id text NOT NULL,
    signature text NOT NULL
  );
  -- The head of the log: locked by every writer, moved by every sealed batch.
  CREATE TABLE ${s}.head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq bigint NOT NULL,
    last_hash text NOT NULL
  );
  INSERT INTO ${s}.head (id, seq, last_hash) VALUES (true, 0, '');
  ${auditTrailSchema(s)}`,
  // Category-wide rules (current version, and every version) and the person search keys (filled for
  // existing persons at open: their codes are computed in JavaScript).
  (s) => `
  CREATE TABLE ${s}.rules (rule_id text COLLATE "C" PRIMARY KEY, version integer NOT NULL, body text NOT NULL);
  CREATE TABLE ${s}.rule_versions (rule_id text COLLATE "C" NOT NULL, version integer NOT NULL, body text NOT NULL, PRIMARY KEY (rule_id, version));
  CREATE TABLE ${s}.person_keys (key text COLLATE "C" NOT NULL, person_id text COLLATE "C" NOT NULL, PRIMARY KEY (key, person_id));
  CREATE INDEX person_keys_by_person ON ${s}.person_keys (person_id);`,
  // A person's history in the console reads the trail by subject.
  (s) => `CREATE INDEX audit_by_subject ON ${s}.audit_trail (subject);`,
  // Superseded states of a person (identity and deferments): a write never loses the values it replaced.
  (s) => `
  CREATE TABLE ${s}.person_versions (
    person_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    superseded_at text NOT NULL,
    superseded_by text NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (person_id, version)
  );`,
  // Issuing offices and their contact details (public, carried to replicas whole); the audit trail
  // keeps what each write replaced.
  (s) => `CREATE TABLE ${s}.offices (office_id text COLLATE "C" PRIMARY KEY, body text NOT NULL);`,
  // Outcomes of screenings sent back by replicas, and confirmed non-matches (register/outcomeService.ts).
  outcomeSchema,
  // Due process: contests and reviews (store/postgres/register/dueProcess.ts).
  dueProcessSchema,
  // A person's contact (register only), and the notification outbox written with the change that causes
  // each notice (register/noticeOutbox.ts); the partial index holds only rows still to be sent.
  (s) => `
  ALTER TABLE ${s}.persons ADD COLUMN contact text;
  CREATE TABLE ${s}.notices (
    id bigserial PRIMARY KEY,
    created_at text NOT NULL,
    kind text NOT NULL,
    person_id text COLLATE "C" NOT NULL,
    channel text NOT NULL,
    address text NOT NULL,
    language text NOT NULL,
    event text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at text COLLATE "C" NOT NULL,
    delivered_at text,
    failed_at text,
    last_error text
  );
  CREATE INDEX notices_due ON ${s}.notices (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
  CREATE INDEX notices_by_person ON ${s}.notices (person_id);`,
];
