/**
 * A border replica's SQLite schema: the versioned steps of `state.db` (a bootstrap builds the newest
 * version directly, indexes last), a bootstrap's staging tables, the audit database's one step, the
 * prepared statements over a state database, and the page-cache sizes.
 */
import { AUDIT_TABLE } from '../auditTrail.js';
import { OUTCOME_TABLES } from './outcomes.js';
import type { Db } from '../../../shared/sqlite.js';
import type { ReplicaPersonRow as PersonRow, ReplicaRestrictionRow as RestrictionRow } from '../../rows.js';

export const STATE_TABLES = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS applied_batches (last_seq INTEGER PRIMARY KEY, hash TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS persons (
    person_id TEXT PRIMARY KEY,
    surname TEXT NOT NULL,
    given_names TEXT NOT NULL,
    patronymic TEXT,
    date_of_birth TEXT NOT NULL,
    documents TEXT NOT NULL,
    deferments TEXT NOT NULL,
    seq INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS documents (number TEXT NOT NULL, country TEXT NOT NULL, person_id TEXT NOT NULL,
    PRIMARY KEY (number, country, person_id)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS name_keys (key TEXT NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (key, person_id)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS restrictions (
    restriction_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    basis TEXT NOT NULL,
    office TEXT NOT NULL,
    in_force_from TEXT NOT NULL,
    lifted_at TEXT,
    lift_reason TEXT,
    seq INTEGER NOT NULL
  ) WITHOUT ROWID;`;
/**
 * `documents` and `name_keys` have no index by person: a person's old rows are found by reading the
 * person's stored row and recomputing its documents and keys (see clearPerson), which saves a third of
 * the file. Schema step 1 created such indexes; a later step drops them.
 */
export const STATE_INDEXES = `
  CREATE INDEX IF NOT EXISTS restrictions_by_person ON restrictions(person_id);
`;

/** Versioned schema of state.db; a bootstrap builds the newest version directly. */
export const STATE_SCHEMA = [
  STATE_TABLES + STATE_INDEXES,
  'ALTER TABLE restrictions ADD COLUMN expires_at TEXT;',
  // Row counts kept by triggers: state() is read on every screening and every page, and count(*) is a
  // full scan (110 ms at a million persons). Upserts fire UPDATE triggers, so they do not count twice.
  `INSERT OR REPLACE INTO meta VALUES ('persons', (SELECT count(*) FROM persons)), ('restrictions', (SELECT count(*) FROM restrictions));
   CREATE TRIGGER persons_counted AFTER INSERT ON persons BEGIN UPDATE meta SET value = value + 1 WHERE key = 'persons'; END;
   CREATE TRIGGER persons_uncounted AFTER DELETE ON persons BEGIN UPDATE meta SET value = value - 1 WHERE key = 'persons'; END;
   CREATE TRIGGER restrictions_counted AFTER INSERT ON restrictions BEGIN UPDATE meta SET value = value + 1 WHERE key = 'restrictions'; END;
   CREATE TRIGGER restrictions_uncounted AFTER DELETE ON restrictions BEGIN UPDATE meta SET value = value - 1 WHERE key = 'restrictions'; END;`,
  // Category-wide rules: a few rows, kept whole.
  'CREATE TABLE IF NOT EXISTS rules (rule_id TEXT PRIMARY KEY, body TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;',
  // The by-person indexes of documents and name keys go (STATE_INDEXES): about 100 MB per million persons.
  'DROP INDEX IF EXISTS documents_by_person; DROP INDEX IF EXISTS name_keys_by_person;',
  // Issuing offices' contact details (protocol 5): a few rows, kept whole.
  'CREATE TABLE IF NOT EXISTS offices (office_id TEXT PRIMARY KEY, body TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;',
  // Confirmed non-matches (exchange/attestation.ts): few, kept whole like rules, read all at once.
  'CREATE TABLE IF NOT EXISTS attestations (ref TEXT PRIMARY KEY, body TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;',
];
/** A bootstrap's staging tables (rowid tables: appends), moved into the real ones in key order by UNSTAGE. */
export const STAGING_TABLES = `
  CREATE TABLE staged_documents (number TEXT NOT NULL, country TEXT NOT NULL, person_id TEXT NOT NULL);
  CREATE TABLE staged_keys (key TEXT NOT NULL, person_id TEXT NOT NULL);`;
export const UNSTAGE = `
  INSERT OR IGNORE INTO documents SELECT number, country, person_id FROM staged_documents ORDER BY number, country, person_id;
  INSERT OR IGNORE INTO name_keys SELECT key, person_id FROM staged_keys ORDER BY key, person_id;
  DROP TABLE staged_documents;
  DROP TABLE staged_keys;`;
/** A bootstrap creates the tables, then every later step that is not an index, then the indexes at the end. */
export const BOOTSTRAP_STEPS = [STATE_TABLES, ...STATE_SCHEMA.slice(1)];

export const AUDIT_SCHEMA = [
  AUDIT_TABLE,
  // An outcome names its screening by id (border/outcomes.ts), and the outbox of outcomes sits beside the trail.
  'CREATE INDEX IF NOT EXISTS audit_by_subject ON audit_trail(subject);' + OUTCOME_TABLES,
];

/** Statements over one state database; rebuilt when a bootstrap swaps the file. */
export function statements(db: Db) {
  return {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    allMeta: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    putPerson: db.prepare(
      `INSERT INTO persons VALUES (@person_id, @surname, @given_names, @patronymic, @date_of_birth, @documents, @deferments, @seq)
       ON CONFLICT(person_id) DO UPDATE SET surname = excluded.surname, given_names = excluded.given_names,
         patronymic = excluded.patronymic, date_of_birth = excluded.date_of_birth, documents = excluded.documents,
         deferments = excluded.deferments, seq = excluded.seq`,
    ),
    deletePerson: db.prepare('DELETE FROM persons WHERE person_id = ?'),
    deleteDocument: db.prepare('DELETE FROM documents WHERE number = ? AND country = ? AND person_id = ?'),
    deleteKey: db.prepare('DELETE FROM name_keys WHERE key = ? AND person_id = ?'),
    putDocument: db.prepare('INSERT OR IGNORE INTO documents VALUES (?, ?, ?)'),
    putKey: db.prepare('INSERT OR IGNORE INTO name_keys VALUES (?, ?)'),
    putRestriction: db.prepare(
      `INSERT INTO restrictions VALUES (@restriction_id, @person_id, @kind, @basis, @office, @in_force_from, @lifted_at, @lift_reason, @seq, @expires_at)
       ON CONFLICT(restriction_id) DO UPDATE SET person_id = excluded.person_id, kind = excluded.kind, basis = excluded.basis,
         office = excluded.office, in_force_from = excluded.in_force_from, lifted_at = excluded.lifted_at,
         lift_reason = excluded.lift_reason, seq = excluded.seq, expires_at = excluded.expires_at`,
    ),
    deleteRestriction: db.prepare('DELETE FROM restrictions WHERE restriction_id = ?'),
    getPerson: db.prepare<[string], PersonRow>('SELECT * FROM persons WHERE person_id = ?'),
    byDocument: db.prepare<[string], PersonRow>(
      'SELECT p.* FROM documents d JOIN persons p ON p.person_id = d.person_id WHERE d.number = ?',
    ),
    byDocumentIn: db.prepare<[string, string], PersonRow>(
      'SELECT p.* FROM documents d JOIN persons p ON p.person_id = d.person_id WHERE d.number = ? AND d.country = ?',
    ),
    // The persons under a JSON array of keys, in the order of the array (each key's persons in
    // person_id order). One statement for all the keys of a stage: every statement is a read
    // transaction of its own, with its locking system calls, which cost more than the lookups. CROSS
    // JOIN keeps the keys' order as the loop order; the caller stops stepping at its budget, so no
    // person beyond it is read. (No bound LIMIT: better-sqlite3's SQLite re-prepares a statement with
    // `LIMIT ?` on every call.)
    byKeys: db.prepare<[string], PersonRow>(
      'SELECT p.* FROM json_each(?) k CROSS JOIN name_keys n ON n.key = k.value CROSS JOIN persons p ON p.person_id = n.person_id',
    ),
    restrictionsOf: db.prepare<[string], RestrictionRow>('SELECT * FROM restrictions WHERE person_id = ?'),
    countPersons: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM persons'),
    allPersons: db.prepare<[], PersonRow>('SELECT * FROM persons'),
    putApplied: db.prepare('INSERT OR REPLACE INTO applied_batches VALUES (?, ?)'),
    personSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM persons WHERE person_id = ?'),
    restrictionSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM restrictions WHERE restriction_id = ?'),
    allRestrictions: db.prepare<[], RestrictionRow>('SELECT * FROM restrictions'),
    getApplied: db.prepare<[number], { hash: string }>('SELECT hash FROM applied_batches WHERE last_seq = ?'),
    putRule: db.prepare('INSERT INTO rules VALUES (?, ?, ?) ON CONFLICT(rule_id) DO UPDATE SET body = excluded.body, seq = excluded.seq'),
    deleteRule: db.prepare('DELETE FROM rules WHERE rule_id = ?'),
    ruleSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM rules WHERE rule_id = ?'),
    allRules: db.prepare<[], { body: string }>('SELECT body FROM rules ORDER BY rule_id'),
    putOffice: db.prepare('INSERT INTO offices VALUES (?, ?, ?) ON CONFLICT(office_id) DO UPDATE SET body = excluded.body, seq = excluded.seq'),
    deleteOffice: db.prepare('DELETE FROM offices WHERE office_id = ?'),
    officeSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM offices WHERE office_id = ?'),
    allOffices: db.prepare<[], { body: string }>('SELECT body FROM offices ORDER BY office_id'),
    putAttestation: db.prepare('INSERT INTO attestations VALUES (?, ?, ?) ON CONFLICT(ref) DO UPDATE SET body = excluded.body, seq = excluded.seq'),
    deleteAttestation: db.prepare('DELETE FROM attestations WHERE ref = ?'),
    attestationSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM attestations WHERE ref = ?'),
    allAttestations: db.prepare<[], { body: string }>('SELECT body FROM attestations ORDER BY ref'),
  };
}
export type Statements = ReturnType<typeof statements>;

/**
 * SQLite's page cache for the state database, in KiB: 1/64 of the file, between 8 and 64 MiB. A
 * screening reads a few index pages and a few persons; with the upper levels of every B-tree in the
 * cache (about 1 % of the file) each of those costs one page read, not three or four. It is memory,
 * counted in the process's RSS, so it grows with the data (about 3 MiB per million persons), not ahead of it.
 */
export function stateCacheKiB(fileBytes: number): number {
  return Math.min(64 * 1024, Math.max(8 * 1024, Math.round(fileBytes / 64 / 1024)));
}
/**
 * Bytes of the state database read through a memory map: the whole file, up to SQLite's own limit of
 * 2 GiB (MAX_MMAP_SIZE of better-sqlite3's build; beyond it pages are read as before). A page not in
 * SQLite's small page cache (above) is otherwise a `pread` into a copy — on a replica of a million
 * persons a carrier's manifest spent a quarter of its time so — where the map reads it in place.
 *
 * The mapped pages are the kernel's file cache, shared by the replica's workers and given back under
 * memory pressure; the pages read count in each process's RSS (RssFile), as the same pages read with
 * `pread` would sit in the file cache uncounted. A file cut short under a running replica (not
 * something SQLite does: only a person with the file open could) ends the process with SIGBUS instead of
 * an I/O error; the worker is restarted and finds the damage at open (replicaHealth.ts).
 */
export const STATE_MMAP_BYTES = 0x7fff0000;
/**
 * The page cache of a bootstrap's connection (and of a reindex), in KiB. A bootstrap appends (its
 * name keys and documents are staged and moved over sorted), so a small cache does; SQLite's page
 * cache is not given back to the system when the connection closes, so a large one would stay in the
 * replica's RSS for good.
 */
export const BOOTSTRAP_CACHE_KIB = 16 * 1024;

