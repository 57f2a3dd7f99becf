/**
 * A border replica's storage on embedded SQLite: `state.db` holds the replicated border view and the
 * cursor, `audit.db` the append-only screening audit. A bootstrap builds a fresh `state.next.db` and
 * renames it over `state.db` only when complete, so a crash mid-bootstrap leaves the old state (or
 * none) untouched, and screening goes on from the old state while a new one is built.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplicaState, ReplicaStore, BootstrapWriter, RepairReport, ScreeningAuditEntry } from '../../border/store.js';
import { CursorMoved } from '../../border/store.js';
import type { BatchToApply } from '../../border/apply.js';
import { type BorderPerson, type BorderRestriction, type BorderRule, type Change, isRelief, type SnapshotRecord } from '../../exchange/protocol.js';
import type { ListedPerson, Matcher } from '../../matching/index.js';
import { addRecord, bucketOfKey, type BucketDigests, emptyDigests, planRepair } from '../../exchange/digest.js';
import { AUDIT_TABLE, AuditTrail } from './auditTrail.js';
import { canonicalJson } from '../../shared/canonical.js';
import { faultPointInBatch } from '../../shared/faults.js';
import { type Db, migrate, openDatabase } from './open.js';
import { CachedBetweenWrites } from '../cachedBetweenWrites.js';
import { type ImageFormat, type ImageManifest, incompatibility, receiveImage } from '../../exchange/image.js';
import { BatchRejected } from '../../exchange/verify.js';
import { describeDamage, isDatabaseDamage } from '../damage.js';
import { quickCheck } from './quickCheck.js';
import { type DigestInWorker, digestInWorker } from './stateDigest.js';
import { type ReplicaPersonRow as PersonRow, type ReplicaRestrictionRow as RestrictionRow, replicaPersonOf as personOf, replicaRestrictionOf as restrictionOf, encodeDocuments, encodeDeferments, encodeName, indexEntriesOf } from '../rows.js';

const STATE_TABLES = `
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
const STATE_INDEXES = `
  CREATE INDEX IF NOT EXISTS restrictions_by_person ON restrictions(person_id);
`;

/** Versioned schema of state.db; a bootstrap builds the newest version directly. */
const STATE_SCHEMA = [
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
];
/** A bootstrap's staging tables (rowid tables: appends), moved into the real ones in key order by UNSTAGE. */
const STAGING_TABLES = `
  CREATE TABLE staged_documents (number TEXT NOT NULL, country TEXT NOT NULL, person_id TEXT NOT NULL);
  CREATE TABLE staged_keys (key TEXT NOT NULL, person_id TEXT NOT NULL);`;
const UNSTAGE = `
  INSERT OR IGNORE INTO documents SELECT number, country, person_id FROM staged_documents ORDER BY number, country, person_id;
  INSERT OR IGNORE INTO name_keys SELECT key, person_id FROM staged_keys ORDER BY key, person_id;
  DROP TABLE staged_documents;
  DROP TABLE staged_keys;`;
/** A bootstrap creates the tables, then every later step that is not an index, then the indexes at the end. */
const BOOTSTRAP_STEPS = [STATE_TABLES, ...STATE_SCHEMA.slice(1)];

const AUDIT_SCHEMA = [AUDIT_TABLE];

/** Statements over one state database; rebuilt when a bootstrap swaps the file. */
function statements(db: Db) {
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
  };
}
type Statements = ReturnType<typeof statements>;

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
 * The page cache of a bootstrap's connection (and of a reindex), in KiB. A bootstrap appends (its
 * name keys and documents are staged and moved over sorted), so a small cache does; SQLite's page
 * cache is not given back to the system when the connection closes, so a large one would stay in the
 * replica's RSS for good.
 */
const BOOTSTRAP_CACHE_KIB = 16 * 1024;

export interface ReplicaStoreOptions {
  dataDir: string;
  /** SQLite's page cache for the state database, in KiB (default: stateCacheKiB of the file). */
  cacheKiB?: number;
  /** The page cache of a bootstrap's connection (and of a reindex), in KiB (default 16 MiB). */
  bootstrapCacheKiB?: number;
  matcher: Pick<Matcher, 'version' | 'indexKeys'>;
  /** Called while the name index is rebuilt for a new matcher version: (done, total). */
  onReindex?: (done: number, total: number) => void;
}

export class SqliteReplicaStore implements ReplicaStore {
  private db: Db;
  private stmt: Statements;
  private readonly audit: Db;
  /** The screening audit: append-only and hash-chained (audit/trail.ts). */
  readonly trail: AuditTrail;
  private readonly statePath: string;
  private readonly nextPath: string;
  private readonly packedPath: string;
  /**
   * The state and the rules, read on every screening, kept between writes (every write to the state
   * database goes through write()): reading them from SQLite each time cost a read transaction per
   * screening, with its locking system calls.
   */
  private readonly cache = new CachedBetweenWrites();
  /** The state file could not be opened for damage and was set aside (see setAsideDamaged). */
  damagedAtOpen: { reason: string; keptAs: string } | null = null;

  constructor(private readonly options: ReplicaStoreOptions) {
    this.statePath = join(options.dataDir, 'state.db');
    this.nextPath = join(options.dataDir, 'state.next.db');
    this.packedPath = join(options.dataDir, 'state.packed.db');
    // A half-built bootstrap from a crashed run is worthless: start it again from scratch.
    this.removeBootstrapFiles();
    try {
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
      this.reindexIfMatcherChanged();
    } catch (err) {
      // A state file SQLite cannot even open is set aside at once; the replica starts empty and rebuilds.
      if (!isDatabaseDamage(err)) throw err;
      this.damagedAtOpen = { reason: describeDamage(err), keptAs: this.moveStateAside() };
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
    }
    // WAL with synchronous=NORMAL: an entry committed before a screening is answered survives a killed
    // process; a power cut may lose the last moments of entries (FULL would cost an fsync per
    // screening, which capped a replica at a few hundred screenings a second).
    this.audit = openDatabase(join(options.dataDir, 'audit.db'), { synchronous: 'NORMAL' });
    migrate(this.audit, AUDIT_SCHEMA, 'audit');
    this.trail = new AuditTrail(this.audit);
  }

  private removeBootstrapFiles(): void {
    for (const path of [this.nextPath, this.packedPath]) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  }

  private get bootstrapCache(): number {
    return this.options.bootstrapCacheKiB ?? BOOTSTRAP_CACHE_KIB;
  }

  /** The state database's page cache, in KiB: as configured, or grown with the file. */
  private stateCache(path: string): number {
    return this.options.cacheKiB ?? stateCacheKiB(existsSync(path) ? statSync(path).size : 0);
  }

  private openState(path: string): Db {
    const db = openDatabase(path, { synchronous: 'NORMAL', cacheKiB: this.stateCache(path) });
    try {
      migrate(db, STATE_SCHEMA, 'replica state');
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }

  private meta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  /** Runs `fn` in a write transaction of the state database; what is cached of the state is read anew after it. */
  private write<T>(fn: () => T): T {
    return this.cache.write(() => this.db.transaction(fn)());
  }

  /** Name keys depend on the matcher; a new matcher version recomputes them from the stored persons. */
  private reindexIfMatcherChanged(): void {
    if (this.meta('matcher') === this.options.matcher.version) return;
    const total = this.stmt.countPersons.get()!.n;
    // Keys are written in no order: a bootstrap's page cache for the while.
    this.db.pragma(`cache_size = ${-this.bootstrapCache}`);
    try {
      this.write(() => {
        this.db.exec('DELETE FROM name_keys');
        let done = 0;
        for (const row of this.db.prepare<[], PersonRow>('SELECT * FROM persons').iterate()) {
          for (const key of this.options.matcher.indexKeys(personOf(row))) this.stmt.putKey.run(key, row.person_id);
          if (++done % 10_000 === 0) this.options.onReindex?.(done, total);
        }
        this.stmt.setMeta.run('matcher', this.options.matcher.version);
      });
    } finally {
      this.db.pragma(`cache_size = ${-this.stateCache(this.statePath)}`);
    }
  }

  async state(): Promise<ReplicaState> {
    return { ...(await this.cache.read('state', () => this.readState())) };
  }

  private readState(): ReplicaState {
    // One statement for all of meta (a dozen rows), not one per value.
    const meta = new Map(this.stmt.allMeta.all().map((r) => [r.key, r.value]));
    const cursor = meta.get('cursor');
    const snapshotSeq = meta.get('snapshotSeq');
    return {
      cursor: cursor === undefined ? null : Number(cursor),
      lastHash: meta.get('lastHash') ?? '',
      registerSeq: Number(meta.get('registerSeq') ?? 0),
      dataAsOf: meta.get('dataAsOf') ?? null,
      changesApplied: Number(meta.get('changesApplied') ?? 0),
      snapshotSeq: snapshotSeq === undefined ? null : Number(snapshotSeq),
      persons: Number(meta.get('persons') ?? 0),
      restrictions: Number(meta.get('restrictions') ?? 0),
    };
  }

  /**
   * Deletes the documents and name keys of the person's stored row (before it is replaced or deleted).
   * There is no index by person on those tables: the old row is read by its primary key, its documents
   * and keys are recomputed with the matcher, and exactly those (number, country, person) and
   * (key, person) rows are deleted.
   *
   * A row edited by hand behind the replica's back (its names or documents changed in SQL) leaves the
   * rows of its earlier contents behind. They are harmless: a stale name key only makes the person a
   * candidate once more, and candidates are scored on the person's real row; byDocument returns a person
   * only if the row really holds the document. Anti-entropy repairs the row itself; a new matcher version
   * rebuilds every key.
   */
  private clearPerson(s: Statements, personId: string): void {
    const row = s.getPerson.get(personId);
    if (!row) return;
    const old = indexEntriesOf(row, (p) => this.options.matcher.indexKeys(p));
    for (const d of old.documents) s.deleteDocument.run(d.number, d.country, personId);
    for (const key of old.keys) s.deleteKey.run(key, personId);
  }

  /** `fresh`: the bootstrap's empty tables, with no old rows to clear. */
  private writePerson(s: Statements, p: BorderPerson, seq: number, fresh = false): void {
    if (!fresh) this.clearPerson(s, p.personId);
    s.putPerson.run({
      person_id: p.personId,
      surname: encodeName(p.surname),
      given_names: encodeName(p.givenNames),
      patronymic: p.patronymic === undefined ? null : encodeName(p.patronymic),
      date_of_birth: p.dateOfBirth,
      documents: encodeDocuments(p.documents),
      deferments: encodeDeferments(p.deferments),
      seq,
    });
    for (const d of p.documents) s.putDocument.run(d.number, d.country, p.personId);
    for (const key of this.options.matcher.indexKeys(p)) s.putKey.run(key, p.personId);
  }

  private writeRestriction(s: Statements, r: BorderRestriction, seq: number): void {
    s.putRestriction.run({
      restriction_id: r.restrictionId,
      person_id: r.personId,
      kind: r.kind,
      basis: r.basis,
      office: r.office,
      in_force_from: r.inForceFrom,
      lifted_at: r.liftedAt ?? null,
      lift_reason: r.liftReason ?? null,
      seq,
      expires_at: r.expiresAt ?? null,
    });
  }

  private writeRecord(s: Statements, record: SnapshotRecord, seq: number, fresh = false): void {
    if (record.type === 'person') this.writePerson(s, record.body, seq, fresh);
    else if (record.type === 'restriction') this.writeRestriction(s, record.body, seq);
    else s.putRule.run(record.body.ruleId, JSON.stringify(record.body), seq);
  }

  async beginBootstrap(): Promise<BootstrapWriter> {
    this.removeBootstrapFiles();
    // Nothing in this file matters until it is complete, so the build keeps its journal in memory (OFF
    // is refused by better-sqlite3's defensive mode: it left a rollback journal on disk) and never
    // syncs.
    const next = openDatabase(this.nextPath, { synchronous: 'OFF', journal: 'MEMORY', cacheKiB: this.bootstrapCache });
    for (const step of BOOTSTRAP_STEPS) next.exec(step);
    // Name keys and documents arrive in no order: inserted straight into their B-trees, every insert
    // lands on another page, and the build runs at the speed of its page cache (the cache it needed at
    // ten million persons stayed in the process's memory afterwards). They are appended to staging
    // tables instead and moved over sorted at the end: a sort, then appends in key order.
    next.exec(STAGING_TABLES);
    const s: Statements = {
      ...statements(next),
      putDocument: next.prepare('INSERT INTO staged_documents VALUES (?, ?, ?)'),
      putKey: next.prepare('INSERT INTO staged_keys VALUES (?, ?)'),
    };
    const writeBatch = next.transaction((records: SnapshotRecord[]) => {
      for (const record of records) this.writeRecord(s, record, 0, true);
    });
    return {
      write: async (records) => writeBatch(records),
      finish: async (asOfSeq, registerTime, lastHash) => {
        next.exec(UNSTAGE);
        next.exec(STATE_INDEXES);
        next.pragma(`user_version = ${STATE_SCHEMA.length}`);
        next.transaction(() => {
          if (asOfSeq > 0) s.putApplied.run(asOfSeq, lastHash);
          for (const [k, v] of Object.entries({
            cursor: asOfSeq,
            lastHash,
            snapshotSeq: asOfSeq,
            registerSeq: asOfSeq,
            changesApplied: 0,
            dataAsOf: registerTime,
            matcher: this.options.matcher.version,
          })) s.setMeta.run(k, String(v));
        })();
        // B-trees filled in key order, or in no order, leave their pages a tenth or more empty: a copy
        // packs every page (about 10 % of the file).
        next.prepare('VACUUM INTO ?').run(this.packedPath);
        next.close();
        rmSync(this.nextPath, { force: true });
        this.replaceState(this.packedPath);
      },
    };
  }

  /** Makes a complete state file, written beside the state, the state: durable first, then renamed over it (the commit point of a bootstrap). */
  private replaceState(built: string): void {
    const fd = openSync(built, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    this.db.close();
    for (const suffix of ['-wal', '-shm']) rmSync(this.statePath + suffix, { force: true });
    renameSync(built, this.statePath);
    this.cache.write(() => {
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
    });
  }

  /** `PRAGMA quick_check` of the state file in a worker thread (quickCheck.ts): screenings go on meanwhile. */
  async checkIntegrity(): Promise<{ problems: string[]; seconds: number }> {
    return quickCheck(this.statePath);
  }

  /**
   * Moves the damaged state file (and its WAL) aside as `state.damaged-TIME.db`, for inspection, and
   * opens an empty state in its place: the follower finds no cursor and bootstraps it like a new
   * replica, building the new file beside and swapping it in (beginBootstrap, installImage).
   */
  async setAsideDamaged(): Promise<string> {
    return this.cache.write(() => {
      const keptAs = this.moveStateAside();
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
      return keptAs;
    });
  }

  /** Closes the state database and renames its files to a new `state.damaged-TIME.db`; returns that name. */
  private moveStateAside(): string {
    try {
      this.db?.close();
    } catch {
      // A damaged file may refuse a clean close (its WAL checkpoint); its bytes are kept all the same.
    }
    const keptAs = join(this.options.dataDir, `state.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(this.statePath + suffix)) renameSync(this.statePath + suffix, keptAs + suffix);
    return keptAs;
  }

  /** The replica images this store can take instead of a snapshot (exchange/image.ts). */
  imageFormat(): ImageFormat {
    return { store: 'sqlite-replica', schema: STATE_SCHEMA.length, matcher: this.options.matcher.version };
  }

  /**
   * Bootstraps from a replica image whose manifest the caller has verified: the file is written beside
   * the state, must have the manifest's length and sha256 and hold the manifest's cursor, and then
   * replaces the state as a finished snapshot bootstrap does. Anything else leaves the state untouched.
   */
  async installImage(manifest: ImageManifest, chunks: AsyncIterable<Uint8Array>, onProgress?: (bytes: number) => void): Promise<void> {
    const wanted = incompatibility(manifest.format, this.imageFormat());
    if (wanted) throw new Error(`cannot use this replica image: ${wanted}`);
    this.removeBootstrapFiles();
    try {
      await receiveImage(manifest, chunks, this.packedPath, onProgress);
      const image = openDatabase(this.packedPath, { readonly: true, synchronous: 'OFF' });
      try {
        const meta = new Map(image.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta').all().map((r) => [r.key, r.value]));
        const holds = { cursor: meta.get('cursor'), lastHash: meta.get('lastHash'), matcher: meta.get('matcher') };
        const says = { cursor: String(manifest.asOfSeq), lastHash: manifest.lastHash, matcher: manifest.format.matcher };
        if (JSON.stringify(holds) !== JSON.stringify(says)) {
          throw new BatchRejected('tampered', `the replica image holds ${JSON.stringify(holds)}, its manifest says ${JSON.stringify(says)}`);
        }
      } finally {
        image.close();
      }
      this.replaceState(this.packedPath);
    } finally {
      this.removeBootstrapFiles();
    }
  }

  /**
   * Writes one change unless the row already holds a newer state (its seq is at least the change's):
   * relief applied ahead of the sequence (applyRelief) must not be undone when the older changes of the
   * same entity arrive in order. Repair writes (seq = cursor) are not guarded by this.
   */
  private applyChange(s: Statements, change: Change): void {
    if (change.entity === 'person') {
      if ((s.personSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
      if (change.body) this.writePerson(s, change.body, change.seq);
      else {
        this.clearPerson(s, change.key);
        s.deletePerson.run(change.key);
      }
    } else if (change.entity === 'restriction') {
      if ((s.restrictionSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
      if (change.body) this.writeRestriction(s, change.body, change.seq);
      else s.deleteRestriction.run(change.key);
    } else {
      if ((s.ruleSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
      if (change.body) s.putRule.run(change.key, JSON.stringify(change.body), change.seq);
      else s.deleteRule.run(change.key);
    }
  }

  /**
   * The priority lane: applies the relief changes (lifts, deferments) of verified batches beyond the
   * cursor, without moving the cursor. The ordinary apply reaches them later and finds them done.
   */
  async applyRelief(expectedCursor: number, batches: BatchToApply[]): Promise<number> {
    const s = this.stmt;
    return this.write(() => {
      const cursor = this.meta('cursor');
      if (cursor === undefined || Number(cursor) !== expectedCursor) throw new CursorMoved(expectedCursor, cursor === undefined ? null : Number(cursor));
      let applied = 0;
      for (const batch of batches) {
        for (const change of batch.changes) {
          if (change.seq <= expectedCursor || !isRelief(change)) continue;
          this.applyChange(s, change);
          applied++;
        }
      }
      return applied;
    });
  }

  async applyBatches(expectedCursor: number, batches: BatchToApply[], registerSeq: number, registerTime: string): Promise<void> {
    const s = this.stmt;
    this.write(() => {
      const cursor = this.meta('cursor');
      if (cursor === undefined || Number(cursor) !== expectedCursor) throw new CursorMoved(expectedCursor, cursor === undefined ? null : Number(cursor));
      let applied = 0;
      for (const batch of batches) {
        const middle = Math.floor(batch.changes.length / 2);
        for (const [i, change] of batch.changes.entries()) {
          if (i === middle) faultPointInBatch();
          this.applyChange(s, change);
        }
        applied += batch.changes.length;
        s.putApplied.run(batch.lastSeq, batch.hash);
      }
      const last = batches[batches.length - 1];
      if (last) {
        s.setMeta.run('cursor', String(last.lastSeq));
        s.setMeta.run('lastHash', last.hash);
      }
      const now = last?.lastSeq ?? expectedCursor;
      s.setMeta.run('changesApplied', String(Number(this.meta('changesApplied') ?? 0) + applied));
      s.setMeta.run('registerSeq', String(Math.max(registerSeq, now)));
      if (now >= registerSeq) s.setMeta.run('dataAsOf', registerTime);
    });
  }

  async knownBatchHashes(lastSeqs: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const seq of lastSeqs) {
      const row = this.stmt.getApplied.get(seq);
      if (row) out.set(seq, row.hash);
    }
    return out;
  }

  async noteContact(registerSeq: number, registerTime: string, caughtUp: boolean): Promise<void> {
    // A state without a cursor (set aside, not yet rebuilt) holds nothing a contact could make current.
    if (this.meta('cursor') === undefined) return;
    this.write(() => {
      this.stmt.setMeta.run('registerSeq', String(registerSeq));
      if (caughtUp) this.stmt.setMeta.run('dataAsOf', registerTime);
    });
  }

  async digest(): Promise<BucketDigests> {
    const d = emptyDigests();
    for (const row of this.stmt.allPersons.iterate()) addRecord(d, { type: 'person', body: personOf(row) });
    for (const row of this.stmt.allRestrictions.iterate()) addRecord(d, { type: 'restriction', body: restrictionOf(row) });
    // From the table, not the cache: anti-entropy is there to find what was changed behind this object's back.
    for (const rule of this.readRules()) addRecord(d, { type: 'rule', body: rule });
    return d;
  }

  /** digest(), in a worker thread on a read snapshot of its own (stateDigest.ts): screenings and the follower go on meanwhile. */
  digestOffThread(): DigestInWorker {
    return digestInWorker(this.statePath);
  }

  async repairBuckets(expectedCursor: number, buckets: number[], records: SnapshotRecord[]): Promise<RepairReport> {
    const s = this.stmt;
    return this.write(() => {
      const cursor = this.meta('cursor');
      if (cursor === undefined || Number(cursor) !== expectedCursor) throw new CursorMoved(expectedCursor, cursor === undefined ? null : Number(cursor));
      const wanted = new Set(buckets);
      const before = new Map<string, string>();
      // Buckets are computed from each row's identity (as in digest()), not stored: a row written by
      // hand must still be found and judged.
      for (const row of s.allPersons.iterate()) {
        if (wanted.has(bucketOfKey(`person:${row.person_id}`))) before.set(`person:${row.person_id}`, canonicalJson(personOf(row)));
      }
      for (const row of s.allRestrictions.iterate()) {
        if (wanted.has(bucketOfKey(`restriction:${row.restriction_id}`))) before.set(`restriction:${row.restriction_id}`, canonicalJson(restrictionOf(row)));
      }
      for (const row of s.allRules.all()) {
        const rule = JSON.parse(row.body) as BorderRule;
        if (wanted.has(bucketOfKey(`rule:${rule.ruleId}`))) before.set(`rule:${rule.ruleId}`, canonicalJson(rule));
      }
      const plan = planRepair(buckets, before, records);
      for (const record of plan.write) this.writeRecord(s, record, expectedCursor);
      for (const key of plan.remove) {
        const id = key.slice(key.indexOf(':') + 1);
        if (key.startsWith('person:')) {
          this.clearPerson(s, id);
          s.deletePerson.run(id);
        } else if (key.startsWith('rule:')) s.deleteRule.run(id);
        else s.deleteRestriction.run(id);
      }
      return plan.report;
    });
  }

  async byDocument(number: string, country?: string): Promise<ListedPerson[]> {
    const rows = country ? this.stmt.byDocumentIn.all(number, country) : this.stmt.byDocument.all(number);
    // Only persons whose row holds the document: a row edited by hand may have left a stale documents row (clearPerson).
    return rows.map(personOf).filter((p) => p.documents.some((d) => d.number === number && (!country || d.country === country)));
  }

  /**
   * The persons under these keys, keys in the order given (each key's persons in person_id order), each
   * person once, at most `limit`; a key whose person is gone (a hand edit) is skipped.
   */
  async byNameKeys(keys: string[], limit: number): Promise<ListedPerson[]> {
    const out: ListedPerson[] = [];
    if (keys.length === 0 || limit <= 0) return out;
    const seen = new Set<string>();
    for (const row of this.stmt.byKeys.iterate(JSON.stringify(keys))) {
      if (seen.has(row.person_id)) continue;
      seen.add(row.person_id);
      out.push(personOf(row));
      if (out.length >= limit) break;
    }
    return out;
  }

  async restrictionsOf(personIds: string[]): Promise<BorderRestriction[]> {
    return personIds.flatMap((id) => this.stmt.restrictionsOf.all(id).map(restrictionOf));
  }

  async getPerson(personId: string): Promise<BorderPerson | undefined> {
    const row = this.stmt.getPerson.get(personId);
    return row ? personOf(row) : undefined;
  }

  async rules(): Promise<BorderRule[]> {
    return [...(await this.cache.read('rules', () => this.readRules()))];
  }

  private readRules(): BorderRule[] {
    return this.stmt.allRules.all().map((r) => JSON.parse(r.body) as BorderRule);
  }

  async recordScreening(entry: ScreeningAuditEntry): Promise<void> {
    this.trail.append({
      at: entry.at,
      actor: entry.requester,
      action: 'screening',
      subject: entry.screeningId,
      detail: { request: entry.request, decision: entry.decision, reasons: entry.reasons, replicaSeq: entry.replicaSeq },
    });
  }

  async screenings(limit: number, checkpoint?: string): Promise<ScreeningAuditEntry[]> {
    return this.trail.recent('screening', limit, checkpoint).map((e) => {
      const d = e.detail as { request: unknown; decision: string; reasons: unknown; replicaSeq: number };
      return { screeningId: e.subject, at: e.at, requester: e.actor, request: d.request, decision: d.decision, reasons: d.reasons, replicaSeq: d.replicaSeq };
    });
  }

  async close(): Promise<void> {
    this.db.close();
    this.audit.close();
  }

  /** For tests and repair tools: whether a state file exists at all. */
  static hasState(dataDir: string): boolean {
    return existsSync(join(dataDir, 'state.db'));
  }
}
