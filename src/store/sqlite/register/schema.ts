/**
 * The register's SQLite schema: the numbered migration steps of `register.db` (entities, the change
 * log and its signed batches, rules, search keys, person versions, the audit trail) and the prepared
 * statements over it.
 */
import { AUDIT_TABLE } from '../auditTrail.js';
import { OUTCOME_SCHEMA } from './outcomes.js';
import { DUE_PROCESS_SCHEMA } from './dueProcess.js';
import type { Db } from '../../../shared/sqlite.js';
import type { BatchRow, ChangeRow, PersonVersionRow, RegisterPersonRow as PersonRow, RegisterRestrictionRow as RestrictionRow } from '../../rows.js';

export const SCHEMA = [
  `CREATE TABLE persons (
     person_id TEXT PRIMARY KEY,
     surname TEXT NOT NULL,
     given_names TEXT NOT NULL,
     patronymic TEXT,
     date_of_birth TEXT NOT NULL,
     sex TEXT,
     documents TEXT NOT NULL,
     deferments TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE restrictions (
     restriction_id TEXT PRIMARY KEY,
     person_id TEXT NOT NULL REFERENCES persons(person_id),
     kind TEXT NOT NULL,
     basis TEXT NOT NULL,
     office TEXT NOT NULL,
     issued_at TEXT NOT NULL,
     served_at TEXT,
     service_channel TEXT,
     lifted_at TEXT,
     lift_reason TEXT
   ) WITHOUT ROWID;
   CREATE INDEX restrictions_by_person ON restrictions(person_id);
   CREATE TABLE changes (
     seq INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     entity TEXT NOT NULL,
     key TEXT NOT NULL,
     body TEXT
   );
   CREATE TABLE batches (
     last_seq INTEGER PRIMARY KEY,
     first_seq INTEGER NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL,
     committed_at TEXT NOT NULL,
     key_id TEXT NOT NULL,
     signature TEXT NOT NULL
   );`,
  AUDIT_TABLE,
  `ALTER TABLE restrictions ADD COLUMN delivered_at TEXT;
   ALTER TABLE restrictions ADD COLUMN in_force_from TEXT;
   ALTER TABLE restrictions ADD COLUMN expires_at TEXT;
   ALTER TABLE restrictions ADD COLUMN review_at TEXT;
   ALTER TABLE restrictions ADD COLUMN campaign TEXT;
   CREATE INDEX restrictions_by_campaign ON restrictions(campaign) WHERE campaign IS NOT NULL;`,
  `ALTER TABLE batches ADD COLUMN relief INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX batches_with_relief ON batches(last_seq) WHERE relief = 1;`,
  // Category-wide rules (current version, and every version for the record) and the person search keys
  // (filled for existing persons at open: their codes are computed in JavaScript).
  `CREATE TABLE rules (rule_id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE rule_versions (rule_id TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (rule_id, version)) WITHOUT ROWID;
   CREATE TABLE person_keys (key TEXT NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (key, person_id)) WITHOUT ROWID;
   CREATE INDEX person_keys_by_person ON person_keys(person_id);`,
  // A person's history in the console reads the trail by subject.
  'CREATE INDEX IF NOT EXISTS audit_by_subject ON audit_trail(subject);',
  // Superseded states of a person (identity and deferments): a write never loses the values it replaced.
  `CREATE TABLE person_versions (
     person_id TEXT NOT NULL,
     version INTEGER NOT NULL,
     superseded_at TEXT NOT NULL,
     superseded_by TEXT NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (person_id, version)
   ) WITHOUT ROWID;`,
  // Issuing offices and their contact details (public, carried to replicas whole); the audit trail
  // keeps what each write replaced.
  'CREATE TABLE offices (office_id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;',
  // Outcomes of screenings sent back by replicas, and confirmed non-matches (register/outcomeService.ts).
  OUTCOME_SCHEMA,
  // Due process: contests and reviews (store/sqlite/register/dueProcess.ts).
  DUE_PROCESS_SCHEMA,
  // A person's contact (register only), and the notification outbox written with the change that causes
  // each notice (register/noticeOutbox.ts); the partial index holds only rows still to be sent.
  `ALTER TABLE persons ADD COLUMN contact TEXT;
   CREATE TABLE notices (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     created_at TEXT NOT NULL,
     kind TEXT NOT NULL,
     person_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     address TEXT NOT NULL,
     language TEXT NOT NULL,
     event TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at TEXT NOT NULL,
     delivered_at TEXT,
     failed_at TEXT,
     last_error TEXT
   );
   CREATE INDEX notices_due ON notices(next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
   CREATE INDEX notices_by_person ON notices(person_id);`,
];

export function statements(db: Db) {
  return {
    getPerson: db.prepare<[string], PersonRow>('SELECT * FROM persons WHERE person_id = ?'),
    putPerson: db.prepare(
      `INSERT INTO persons (person_id, surname, given_names, patronymic, date_of_birth, sex, documents, deferments, contact)
       VALUES (@person_id, @surname, @given_names, @patronymic, @date_of_birth, @sex, @documents, @deferments, @contact)
       ON CONFLICT(person_id) DO UPDATE SET surname = excluded.surname, given_names = excluded.given_names,
         patronymic = excluded.patronymic, date_of_birth = excluded.date_of_birth, sex = excluded.sex,
         documents = excluded.documents, deferments = excluded.deferments, contact = excluded.contact`,
    ),
    getRestriction: db.prepare<[string], RestrictionRow>('SELECT * FROM restrictions WHERE restriction_id = ?'),
    restrictionsOf: db.prepare<[string], RestrictionRow>(
      'SELECT * FROM restrictions WHERE person_id = ? ORDER BY issued_at, restriction_id',
    ),
    putRestriction: db.prepare(
      `INSERT INTO restrictions VALUES (@restriction_id, @person_id, @kind, @basis, @office, @issued_at, @served_at,
         @service_channel, @lifted_at, @lift_reason, @delivered_at, @in_force_from, @expires_at, @review_at, @campaign)
       ON CONFLICT(restriction_id) DO UPDATE SET served_at = excluded.served_at,
         service_channel = excluded.service_channel, lifted_at = excluded.lifted_at, lift_reason = excluded.lift_reason,
         delivered_at = excluded.delivered_at, in_force_from = excluded.in_force_from, expires_at = excluded.expires_at,
         review_at = excluded.review_at`,
    ),
    head: db.prepare<[], { head: number | null }>('SELECT max(seq) AS head FROM changes'),
    append: db.prepare('INSERT INTO changes (seq, at, entity, key, body) VALUES (?, ?, ?, ?, ?)'),
    changeRange: db.prepare<[number, number], ChangeRow>('SELECT * FROM changes WHERE seq >= ? AND seq <= ? ORDER BY seq'),
    lastBatch: db.prepare<[], BatchRow>('SELECT * FROM batches ORDER BY last_seq DESC LIMIT 1'),
    putBatch: db.prepare(
      'INSERT INTO batches VALUES (@last_seq, @first_seq, @prev_hash, @hash, @committed_at, @key_id, @signature, @relief)',
    ),
    batchesAfter: db.prepare<[number, number], BatchRow>('SELECT * FROM batches WHERE last_seq > ? ORDER BY last_seq LIMIT ?'),
    reliefBatchesAfter: db.prepare<[number, number], BatchRow>('SELECT * FROM batches WHERE relief = 1 AND last_seq > ? ORDER BY last_seq LIMIT ?'),
    deleteKeys: db.prepare('DELETE FROM person_keys WHERE person_id = ?'),
    putKey: db.prepare('INSERT OR IGNORE INTO person_keys VALUES (?, ?)'),
    byKey: db.prepare<[string], PersonRow>('SELECT p.* FROM person_keys k JOIN persons p ON p.person_id = k.person_id WHERE k.key = ?'),
    lastVersion: db.prepare<[string], { version: number | null }>('SELECT max(version) AS version FROM person_versions WHERE person_id = ?'),
    putVersion: db.prepare('INSERT INTO person_versions VALUES (?, ?, ?, ?, ?)'),
    versionsOf: db.prepare<[string, number], PersonVersionRow>('SELECT * FROM person_versions WHERE person_id = ? ORDER BY version DESC LIMIT ?'),
    getRule: db.prepare<[string], { body: string }>('SELECT body FROM rules WHERE rule_id = ?'),
    putRule: db.prepare('INSERT INTO rules VALUES (?, ?, ?) ON CONFLICT(rule_id) DO UPDATE SET version = excluded.version, body = excluded.body'),
    putRuleVersion: db.prepare('INSERT INTO rule_versions VALUES (?, ?, ?)'),
    rules: db.prepare<[], { body: string }>('SELECT body FROM rules ORDER BY rule_id'),
    ruleVersions: db.prepare<[string], { body: string }>('SELECT body FROM rule_versions WHERE rule_id = ? ORDER BY version'),
    getOffice: db.prepare<[string], { body: string }>('SELECT body FROM offices WHERE office_id = ?'),
    putOffice: db.prepare('INSERT INTO offices VALUES (?, ?) ON CONFLICT(office_id) DO UPDATE SET body = excluded.body'),
    offices: db.prepare<[], { body: string }>('SELECT body FROM offices ORDER BY office_id'),
    queueNotice: db.prepare(
      `INSERT INTO notices (created_at, kind, person_id, channel, address, language, event, next_attempt_at)
       VALUES (@created_at, @kind, @person_id, @channel, @address, @language, @event, @created_at)`,
    ),
  };
}
export type Statements = ReturnType<typeof statements>;
