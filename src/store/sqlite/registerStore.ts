/** The register's storage on embedded SQLite. See RegisterStore for the guarantees. */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { CategoryRule } from '../../domain/rules.js';
import type { Person, Restriction } from '../../domain/types.js';
import { personSearchKeys } from '../../register/search.js';
import type { AuditEntry } from '../../audit/chain.js';
import { auditEntryOf, type AuditRow } from '../auditRow.js';
import { AUDIT_TABLE, AuditTrail } from './auditTrail.js';
import { bucketOf } from '../../exchange/digest.js';
import type { Signer } from '../../exchange/keys.js';
import type { Change, ChangeEntity, SignedBatch, SnapshotLine, SnapshotRecord } from '../../exchange/protocol.js';
import { batchHash, borderPersonOf, borderRestrictionOf, isRelief, manifestBytes, PROTOCOL_VERSION, snapshotDigest } from '../../exchange/protocol.js';
import type { CompactionReport, PersonVersion, RegisterStore, RegisterTx, Retention } from '../../register/store.js';
import { type Db, migrate, openDatabase } from './open.js';
import { type BatchRow, type ChangeRow, changeOf, type RegisterPersonRow as PersonRow, type RegisterRestrictionRow as RestrictionRow, registerPersonOf as personOf, personVersionOf, type PersonVersionRow, registerPersonRow, registerRestrictionOf as restrictionOf } from '../rows.js';

const SCHEMA = [
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
];


export class SqliteRegisterStore implements RegisterStore {
  private readonly db: Db;
  private readonly file: string;
  private readonly events = new EventEmitter();
  /** Serialises transactions: better-sqlite3 has one connection, and an open transaction owns it. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly stmt;
  /** Every mutation, hash-chained, committed in the same transaction as the mutation itself. */
  readonly trail: AuditTrail;

  constructor(
    dataDir: string,
    private readonly signer: Signer,
  ) {
    this.file = join(dataDir, 'register.db');
    this.db = openDatabase(this.file, { synchronous: 'FULL' });
    migrate(this.db, SCHEMA, 'register');
    this.trail = new AuditTrail(this.db);
    this.events.setMaxListeners(0);
    const db = this.db;
    this.stmt = {
      getPerson: db.prepare<[string], PersonRow>('SELECT * FROM persons WHERE person_id = ?'),
      putPerson: db.prepare(
        `INSERT INTO persons VALUES (@person_id, @surname, @given_names, @patronymic, @date_of_birth, @sex, @documents, @deferments)
         ON CONFLICT(person_id) DO UPDATE SET surname = excluded.surname, given_names = excluded.given_names,
           patronymic = excluded.patronymic, date_of_birth = excluded.date_of_birth, sex = excluded.sex,
           documents = excluded.documents, deferments = excluded.deferments`,
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
    };
    this.fillSearchKeys();
  }

  /** Persons stored before the search keys existed get theirs once, in chunks (one transaction each). */
  private fillSearchKeys(): void {
    const missing = this.db.prepare<[], PersonRow>('SELECT p.* FROM persons p WHERE NOT EXISTS (SELECT 1 FROM person_keys k WHERE k.person_id = p.person_id) LIMIT 5000');
    for (;;) {
      const rows = missing.all();
      if (rows.length === 0) return;
      this.db.transaction(() => {
        for (const row of rows) this.writeSearchKeys(personOf(row), false);
      })();
    }
  }

  private writeSearchKeys(p: Person, replace = true): void {
    if (replace) this.stmt.deleteKeys.run(p.personId);
    for (const key of personSearchKeys(p)) this.stmt.putKey.run(key, p.personId);
  }

  private readonly tx: RegisterTx = {
    getPerson: async (id) => this.readPerson(id),
    putPerson: async (p) => {
      this.stmt.putPerson.run(registerPersonRow(p));
      this.writeSearchKeys(p);
    },
    keepPersonVersion: async (previous, supersededAt, supersededBy) => {
      const version = (this.stmt.lastVersion.get(previous.personId)?.version ?? 0) + 1;
      this.stmt.putVersion.run(previous.personId, version, supersededAt, supersededBy, JSON.stringify(previous));
      return version;
    },
    restrictionsOf: async (id) => this.stmt.restrictionsOf.all(id).map(restrictionOf),
    getRestriction: async (id) => this.readRestriction(id),
    putRestriction: async (r) => {
      this.stmt.putRestriction.run({
        restriction_id: r.restrictionId,
        person_id: r.personId,
        kind: r.kind,
        basis: r.basis,
        office: r.office,
        issued_at: r.issuedAt,
        served_at: r.servedAt ?? null,
        service_channel: r.serviceChannel ?? null,
        lifted_at: r.liftedAt ?? null,
        lift_reason: r.liftReason ?? null,
        delivered_at: r.deliveredAt ?? null,
        in_force_from: r.inForceFrom ?? null,
        expires_at: r.expiresAt ?? null,
        review_at: r.reviewAt ?? null,
        campaign: r.campaign ?? null,
      });
    },
    campaignRestrictions: async (campaign) =>
      this.db.prepare<[string], RestrictionRow>('SELECT * FROM restrictions WHERE campaign = ? ORDER BY restriction_id').all(campaign).map(restrictionOf),
    getRule: async (id) => this.readRule(id),
    putRule: async (rule) => {
      const body = JSON.stringify(rule);
      this.stmt.putRule.run(rule.ruleId, rule.version, body);
      this.stmt.putRuleVersion.run(rule.ruleId, rule.version, body);
    },
    audit: async (entry) => {
      this.trail.append(entry);
    },
    appendChange: async (entity, key, body) => {
      const seq = (this.stmt.head.get()?.head ?? 0) + 1;
      const at = this.pendingAt ?? (this.pendingAt = new Date().toISOString());
      this.stmt.append.run(seq, at, entity, key, body === null ? null : JSON.stringify(body));
      this.pending.push({ seq, at, entity, key, body } as Change);
      return seq;
    },
  };
  /** Changes appended by the open transaction; they become one signed batch at commit. */
  private pending: Change[] = [];
  private pendingAt: string | null = null;

  /** Seals the open transaction's changes into the next link of the batch chain. */
  private sealBatch(): SignedBatch | null {
    if (this.pending.length === 0) return null;
    const prev = this.stmt.lastBatch.get();
    const unsigned = {
      firstSeq: this.pending[0]!.seq,
      lastSeq: this.pending[this.pending.length - 1]!.seq,
      prevHash: prev?.hash ?? '',
      committedAt: this.pendingAt!,
      changes: this.pending,
    };
    const hash = batchHash(unsigned);
    const sig = this.signer.sign(Buffer.from(hash));
    this.stmt.putBatch.run({
      relief: this.pending.some(isRelief) ? 1 : 0,
      last_seq: unsigned.lastSeq,
      first_seq: unsigned.firstSeq,
      prev_hash: unsigned.prevHash,
      hash,
      committed_at: unsigned.committedAt,
      key_id: sig.keyId,
      signature: sig.signature,
    });
    return { ...unsigned, hash, ...sig };
  }

  private readPerson(id: string): Person | undefined {
    const row = this.stmt.getPerson.get(id);
    return row ? personOf(row) : undefined;
  }

  private readRestriction(id: string): Restriction | undefined {
    const row = this.stmt.getRestriction.get(id);
    return row ? restrictionOf(row) : undefined;
  }

  transaction<T>(fn: (tx: RegisterTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.pending = [];
      this.pendingAt = null;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.tx);
        const batch = this.sealBatch();
        this.db.exec('COMMIT');
        if (batch) this.events.emit('commit', batch.lastSeq);
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.trail.invalidate();
        throw err;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async getPerson(personId: string) {
    return this.readPerson(personId);
  }

  async getRestriction(restrictionId: string) {
    return this.readRestriction(restrictionId);
  }

  async restrictionsOf(personId: string) {
    return this.stmt.restrictionsOf.all(personId).map(restrictionOf);
  }

  async personVersions(personId: string, limit: number): Promise<PersonVersion[]> {
    return this.stmt.versionsOf.all(personId, limit).map(personVersionOf);
  }

  async searchPersons(keys: string[], limit: number): Promise<Person[]> {
    const seen = new Map<string, Person>();
    for (const key of keys) {
      for (const row of this.stmt.byKey.iterate(key)) {
        if (!seen.has(row.person_id)) seen.set(row.person_id, personOf(row));
        if (seen.size >= limit) return [...seen.values()];
      }
    }
    return [...seen.values()];
  }

  private readRule(id: string): CategoryRule | undefined {
    const row = this.stmt.getRule.get(id);
    return row ? (JSON.parse(row.body) as CategoryRule) : undefined;
  }

  async getRule(ruleId: string) {
    return this.readRule(ruleId);
  }

  async rules() {
    return this.stmt.rules.all().map((r) => JSON.parse(r.body) as CategoryRule);
  }

  async auditAbout(subjects: string[], limit: number): Promise<AuditEntry[]> {
    if (subjects.length === 0) return [];
    const rows = this.db
      .prepare<unknown[], AuditRow>(`SELECT * FROM audit_trail WHERE subject IN (${subjects.map(() => '?').join(',')}) ORDER BY seq DESC LIMIT ?`)
      .all(...subjects, limit);
    return rows.map(auditEntryOf);
  }

  async ruleVersions(ruleId: string) {
    return this.stmt.ruleVersions.all(ruleId).map((r) => JSON.parse(r.body) as CategoryRule);
  }

  async headSeq() {
    return this.stmt.head.get()?.head ?? 0;
  }

  async batchesAfter(after: number, maxChanges: number, options: { reliefOnly?: boolean } = {}): Promise<SignedBatch[]> {
    const out: SignedBatch[] = [];
    let changes = 0;
    // Whole batches only (a signature covers a whole batch); at least one, however large.
    for (const row of (options.reliefOnly ? this.stmt.reliefBatchesAfter : this.stmt.batchesAfter).all(after, 1000)) {
      if (out.length > 0 && changes + (row.last_seq - row.first_seq + 1) > maxChanges) break;
      out.push({
        firstSeq: row.first_seq,
        lastSeq: row.last_seq,
        prevHash: row.prev_hash,
        committedAt: row.committed_at,
        changes: this.stmt.changeRange.all(row.first_seq, row.last_seq).map(changeOf),
        hash: row.hash,
        keyId: row.key_id,
        signature: row.signature,
      });
      changes += row.last_seq - row.first_seq + 1;
    }
    return out;
  }

  /**
   * Streams from its own read-only connection inside one read transaction: in WAL mode that pins the
   * database as of the transaction's first read, so writers carry on and the snapshot stays consistent.
   */
  async *snapshot(options: { buckets?: number[] } = {}): AsyncIterable<SnapshotLine> {
    const only = options.buckets ? new Set(options.buckets) : null;
    const wanted = (record: SnapshotRecord) => !only || only.has(bucketOf(record));
    const reader = openDatabase(this.file, { synchronous: 'NORMAL', readonly: true });
    try {
      reader.exec('BEGIN');
      const last = reader.prepare('SELECT last_seq, hash FROM batches ORDER BY last_seq DESC LIMIT 1').get() as
        | { last_seq: number; hash: string }
        | undefined;
      const asOfSeq = last?.last_seq ?? 0;
      const lastHash = last?.hash ?? '';
      const registerTime = new Date().toISOString();
      const digest = snapshotDigest();
      const expected = reader
        .prepare('SELECT (SELECT count(*) FROM rules) + (SELECT count(*) FROM persons) + (SELECT count(*) FROM restrictions WHERE served_at IS NOT NULL) AS n')
        .get() as { n: number };
      yield { type: 'header', protocol: PROTOCOL_VERSION, asOfSeq, lastHash, registerTime, records: only ? -1 : expected.n };
      let records = 0;
      for (const row of reader.prepare<[], { body: string }>('SELECT body FROM rules ORDER BY rule_id').iterate()) {
        const record: SnapshotRecord = { type: 'rule', body: JSON.parse(row.body) as CategoryRule };
        if (!wanted(record)) continue;
        records++;
        digest.add(record);
        yield record;
      }
      for (const row of reader.prepare<[], PersonRow>('SELECT * FROM persons ORDER BY person_id').iterate()) {
        const record: SnapshotRecord = { type: 'person', body: borderPersonOf(personOf(row)) };
        if (!wanted(record)) continue;
        records++;
        digest.add(record);
        yield record;
      }
      for (const row of reader
        .prepare<[], RestrictionRow>('SELECT * FROM restrictions WHERE served_at IS NOT NULL ORDER BY restriction_id')
        .iterate()) {
        const body = borderRestrictionOf(restrictionOf(row));
        if (body) {
          const record: SnapshotRecord = { type: 'restriction', body };
          if (!wanted(record)) continue;
          records++;
          digest.add(record);
          yield record;
        }
      }
      reader.exec('COMMIT');
      const manifest = { asOfSeq, lastHash, registerTime, records, digest: digest.hex(), buckets: options.buckets ? [...only!].sort((a, b) => a - b) : null };
      yield { type: 'end', ...manifest, ...this.signer.sign(manifestBytes(manifest)) };
    } finally {
      reader.close();
    }
  }

  /** Sequence number of the oldest change still in the log (head + 1 when the log is empty). */
  async oldestSeq(): Promise<number> {
    const row = this.db.prepare('SELECT min(first_seq) AS oldest FROM batches').get() as { oldest: number | null };
    return row.oldest ?? (await this.headSeq()) + 1;
  }

  /**
   * Drops whole batches older than the retention window. The newest batch always stays (its hash is
   * where the chain continues), so the head never moves back.
   */
  async compact(retention: Retention): Promise<CompactionReport> {
    const run = async (): Promise<CompactionReport> => {
      const head = await this.headSeq();
      let cut = 0;
      if (retention.keepChanges !== undefined) cut = Math.max(cut, head - retention.keepChanges);
      if (retention.keepSeconds !== undefined) {
        const before = new Date(Date.now() - retention.keepSeconds * 1000).toISOString();
        const row = this.db.prepare('SELECT max(last_seq) AS seq FROM batches WHERE committed_at < ?').get(before) as { seq: number | null };
        cut = Math.max(cut, row.seq ?? 0);
      }
      const newest = this.stmt.lastBatch.get();
      if (!newest) return { removedBatches: 0, removedChanges: 0, oldestSeq: head + 1 };
      // only whole batches, and never the newest
      const boundary = this.db.prepare('SELECT max(last_seq) AS seq FROM batches WHERE last_seq <= ? AND last_seq < ?').get(cut, newest.last_seq) as { seq: number | null };
      const upTo = boundary.seq ?? 0;
      const result = this.db.transaction(() => {
        const batches = this.db.prepare('DELETE FROM batches WHERE last_seq <= ?').run(upTo).changes;
        const changes = this.db.prepare('DELETE FROM changes WHERE seq <= ?').run(upTo).changes;
        return { removedBatches: batches, removedChanges: changes };
      })();
      return { ...result, oldestSeq: await this.oldestSeq() };
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  onCommit(listener: (headSeq: number) => void) {
    this.events.on('commit', listener);
    return () => this.events.off('commit', listener);
  }

  async close() {
    await this.queue;
    this.db.close();
  }
}
