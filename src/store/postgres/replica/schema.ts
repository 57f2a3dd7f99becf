/**
 * A border replica's PostgreSQL schema: the state tables under a name prefix ('' live, 'next_' for a
 * bootstrap being built), their index, the count triggers, and the numbered migration steps.
 */
import { auditTrailSchema } from '../auditTrail.js';
import { outcomeTables } from './outcomes.js';

/** The tables a bootstrap replaces, in the order everything that takes several of them locks them. */
export const STATE_TABLES = ['meta', 'applied_batches', 'documents', 'name_keys', 'persons', 'restrictions', 'rules', 'offices', 'attestations'] as const;
export const STATE_INDEXES = ['restrictions_by_person'] as const;

/** The replicated state, under a name prefix: '' for the live tables, 'next_' for a bootstrap being built. */
export function stateTables(s: string, p: string, unlogged: boolean): string {
  const create = unlogged ? 'CREATE UNLOGGED TABLE' : 'CREATE TABLE';
  return `
  ${create} ${s}.${p}meta (key text COLLATE "C", value text NOT NULL, CONSTRAINT ${p}meta_pkey PRIMARY KEY (key));
  ${create} ${s}.${p}applied_batches (last_seq bigint, hash text NOT NULL, CONSTRAINT ${p}applied_batches_pkey PRIMARY KEY (last_seq));
  ${create} ${s}.${p}persons (
    person_id text COLLATE "C",
    surname text NOT NULL,
    given_names text NOT NULL,
    patronymic text,
    date_of_birth text NOT NULL,
    documents text NOT NULL,
    deferments text NOT NULL,
    seq bigint NOT NULL,
    CONSTRAINT ${p}persons_pkey PRIMARY KEY (person_id)
  );
  ${create} ${s}.${p}documents (number text COLLATE "C", country text COLLATE "C", person_id text COLLATE "C",
    CONSTRAINT ${p}documents_pkey PRIMARY KEY (number, country, person_id));
  ${create} ${s}.${p}name_keys (key text COLLATE "C", person_id text COLLATE "C",
    CONSTRAINT ${p}name_keys_pkey PRIMARY KEY (key, person_id));
  ${create} ${s}.${p}restrictions (
    restriction_id text COLLATE "C",
    person_id text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    basis text NOT NULL,
    office text NOT NULL,
    in_force_from text NOT NULL,
    lifted_at text,
    lift_reason text,
    seq bigint NOT NULL,
    expires_at text,
    CONSTRAINT ${p}restrictions_pkey PRIMARY KEY (restriction_id)
  );
  ${rulesTable(s, p, create)}
  ${officesTable(s, p, create)}
  ${attestationsTable(s, p, create)}`;
}

/** Confirmed non-matches (exchange/attestation.ts): few, kept whole like rules. */
export function attestationsTable(s: string, p: string, create: string): string {
  return `${create} ${s}.${p}attestations (ref text COLLATE "C", body text NOT NULL, seq bigint NOT NULL, CONSTRAINT ${p}attestations_pkey PRIMARY KEY (ref));`;
}

/** Category-wide rules: a few rows, kept whole. */
export function rulesTable(s: string, p: string, create: string): string {
  return `${create} ${s}.${p}rules (rule_id text COLLATE "C", body text NOT NULL, seq bigint NOT NULL, CONSTRAINT ${p}rules_pkey PRIMARY KEY (rule_id));`;
}

/** Issuing offices' contact details (protocol 5): a few rows, kept whole. */
export function officesTable(s: string, p: string, create: string): string {
  return `${create} ${s}.${p}offices (office_id text COLLATE "C", body text NOT NULL, seq bigint NOT NULL, CONSTRAINT ${p}offices_pkey PRIMARY KEY (office_id));`;
}

/**
 * `documents` and `name_keys` have no index by person (the first schema step made them; a later one
 * drops them): a person's old rows are found by recomputing them from the person's stored row
 * (writeState), as on SQLite.
 */
export function stateIndexes(s: string, p: string): string {
  return `
  CREATE INDEX ${p}restrictions_by_person ON ${s}.${p}restrictions (person_id);`;
}

/** Keeps `counts` in step with the live persons and restrictions tables. */
export function countTriggers(s: string): string {
  return ['persons', 'restrictions']
    .map(
      (t) => `
  CREATE TRIGGER ${t}_count_insert AFTER INSERT ON ${s}.${t} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_inserted('${t}');
  CREATE TRIGGER ${t}_count_delete AFTER DELETE ON ${s}.${t} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_deleted('${t}');
  CREATE TRIGGER ${t}_count_truncate AFTER TRUNCATE ON ${s}.${t}
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_truncated('${t}');`,
    )
    .join('');
}

/**
 * Numbered migration steps. A bootstrap builds the newest layout directly from `stateTables`, so a
 * later step that changes a state table must change `stateTables` too (and ALTER the live table here).
 */
export const SCHEMA: ((s: string) => string)[] = [
  (s) => `
  ${stateTables(s, '', false)}
  ${stateIndexes(s, '')}
  CREATE TABLE ${s}.counts (name text PRIMARY KEY, n bigint NOT NULL);
  INSERT INTO ${s}.counts (name, n) VALUES ('persons', 0), ('restrictions', 0);
  CREATE FUNCTION ${s}.count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE ${s}.counts SET n = n + (SELECT count(*) FROM new_rows) WHERE name = TG_ARGV[0]; RETURN NULL; END $$;
  CREATE FUNCTION ${s}.count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE ${s}.counts SET n = n - (SELECT count(*) FROM old_rows) WHERE name = TG_ARGV[0]; RETURN NULL; END $$;
  CREATE FUNCTION ${s}.count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE ${s}.counts SET n = 0 WHERE name = TG_ARGV[0]; RETURN NULL; END $$;
  ${countTriggers(s)}

  ${auditTrailSchema(s)}`,
  (s) => rulesTable(s, '', 'CREATE TABLE IF NOT EXISTS'),
  (s) => `DROP INDEX IF EXISTS ${s}.documents_by_person; DROP INDEX IF EXISTS ${s}.name_keys_by_person;`,
  (s) => officesTable(s, '', 'CREATE TABLE IF NOT EXISTS'),
  (s) => attestationsTable(s, '', 'CREATE TABLE IF NOT EXISTS'),
  // The outbox of outcomes (replica/outcomes.ts) beside the screening audit whose entries it names.
  (s) => outcomeTables(s),
];

