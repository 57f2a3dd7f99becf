/**
 * The register's storage on PostgreSQL. See RegisterStore for the guarantees; how each is kept here:
 *
 *  - Dense sequence numbers. The head of the log is one row (`head`: last seq and last batch hash),
 *    locked with SELECT … FOR UPDATE as the first statement of every write transaction. Seqs are
 *    assigned from it and it is moved in the same transaction, so a rollback gives its numbers back
 *    (a PostgreSQL SEQUENCE would not: it leaves holes a replica would take for a lost change).
 *  - Serialised writers. The same row lock makes writers take turns across processes; in-process they
 *    also queue, so waiting writers do not hold pool connections. After the lock is granted every
 *    statement (READ COMMITTED) sees all earlier commits, so a write decides on current data.
 *  - One signed batch per transaction, sealed before COMMIT in the same transaction and chained to the
 *    hash kept in `head`. The hash is computed from the in-memory changes with the same pure functions
 *    as SQLite (exchange/protocol.ts), so both backends hash the same changes to the same bytes.
 *  - Durability: write transactions run with `synchronous_commit = on` whatever the server default, so
 *    a change is on disk before anyone can see it (its seq could otherwise come back with another body).
 *  - Consistent snapshot: one REPEATABLE READ, READ ONLY transaction on its own connection, streamed
 *    through server-side cursors; `asOfSeq` is read from `head` by its first statement. Because the next
 *    writer can only lock `head` after the previous one is visible, every snapshot holds exactly a
 *    prefix of the log.
 *  - `onCommit` fires in-process after each commit; other processes' commits arrive by LISTEN/NOTIFY
 *    (a NOTIFY is sent inside each sealing transaction, so it is delivered only if it commits).
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { CategoryRule } from '../../domain/rules.js';
import type { Person, Restriction } from '../../domain/types.js';
import { personSearchKeys } from '../../register/search.js';
import { bucketOf } from '../../exchange/digest.js';
import type { Signer } from '../../exchange/keys.js';
import type { Change, ChangeEntity, SignedBatch, SnapshotLine, SnapshotRecord } from '../../exchange/protocol.js';
import { batchHash, borderPersonOf, borderRestrictionOf, manifestBytes, PROTOCOL_VERSION, snapshotDigest } from '../../exchange/protocol.js';
import type { CompactionReport, PersonVersion, RegisterStore, RegisterTx, Retention } from '../../register/registerStore.js';
import type { AuditEntry } from '../../audit/chain.js';
import { auditEntryOf, type AuditRow } from '../auditRow.js';
import { auditTrailSchema, type ChainHead, PostgresAuditTrail } from './auditTrail.js';
import { checkSchemaName, commit, createClient, createPool, fetchChunks, inTransaction, migrate, type Pool, type PoolClient, type PostgresLocation } from './db.js';
import { type BatchRow, type ChangeRow, changeOf, type RegisterPersonRow as PersonRow, type RegisterRestrictionRow as RestrictionRow, registerPersonOf as personOf, personVersionOf, type PersonVersionRow, registerPersonRow, registerRestrictionOf as restrictionOf } from '../rows.js';


/**
 * Text keys sort with COLLATE "C" (bytewise, like SQLite's BINARY), so snapshots come out in the same
 * order — and with the same digest — on both backends, whatever the database's locale.
 */
const SCHEMA: ((s: string) => string)[] = [
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
];


export interface PostgresRegisterOptions extends PostgresLocation {
  /**
   * Listen for commits by other processes on the same schema (LISTEN/NOTIFY), so their changes wake
   * this process's long-polls too. Default true; the listening connection opens with the first
   * `onCommit` listener.
   */
  listen?: boolean;
}

/** The state of one open write transaction. */
interface OpenTx {
  client: PoolClient;
  head: number;
  lastHash: string;
  /** Changes appended so far; written and sealed at commit. */
  pending: Change[];
  pendingAt: string | null;
  /**
   * Person writes not yet sent (a put overwrites a whole row, so reads inside the transaction are
   * answered from here exactly). Sent in one statement before a restriction write and at commit.
   */
  persons: Map<string, Person>;
  /** Audit entries built on the locked end of the chain; written at commit. */
  audits: AuditEntry[];
  auditHead: ChainHead | null;
  open: boolean;
}

export class PostgresRegisterStore implements RegisterStore {
  /** Resolves once the schema is migrated; every operation waits for it (and fails with its error). */
  readonly ready: Promise<void>;
  /** Every mutation, hash-chained, committed in the same transaction as the mutation itself. */
  readonly trail: PostgresAuditTrail;
  private readonly pool: Pool;
  private readonly s: string;
  private readonly channel: string;
  private readonly fetchRows: number;
  private readonly events = new EventEmitter();
  /** Serialises this process's writers (the `head` row lock serialises them across processes). */
  private queue: Promise<unknown> = Promise.resolve();
  /** The highest head announced to listeners: commits seen twice (own + NOTIFY) are announced once. */
  private announced = 0;
  private listener: pg.Client | null = null;
  private listening = false;
  private reconnect: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly options: PostgresRegisterOptions,
    private readonly signer: Signer,
  ) {
    this.s = checkSchemaName(options.schema);
    this.channel = `erx_commit_${options.schema}`;
    this.fetchRows = options.fetchRows ?? 1000;
    this.pool = createPool(options, 'erx-register');
    this.trail = new PostgresAuditTrail(this.pool, this.s, this.fetchRows);
    this.events.setMaxListeners(0);
    this.ready = migrate(this.pool, options.schema, 'register', SCHEMA).then(() => this.fillSearchKeys());
    // Callers see the error through the operation they try; an unused store must not crash the process.
    this.ready.catch(() => undefined);
  }

  /** Connects and migrates; throws if the database cannot be reached or its schema is newer than this erx. */
  static async open(options: PostgresRegisterOptions, signer: Signer): Promise<PostgresRegisterStore> {
    const store = new PostgresRegisterStore(options, signer);
    try {
      await store.ready;
    } catch (err) {
      await store.pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  private txOn(t: OpenTx): RegisterTx {
    const s = this.s;
    const client = () => {
      if (!t.open) throw new Error('register transaction used after it ended');
      return t.client;
    };
    return {
      getPerson: async (id) => {
        const buffered = t.persons.get(id);
        if (buffered) return structuredClone(buffered);
        const row = (await client().query<PersonRow>(`SELECT * FROM ${s}.persons WHERE person_id = $1`, [id])).rows[0];
        return row ? personOf(row) : undefined;
      },
      putPerson: async (p) => {
        client();
        // As stored and read back: absent optional fields stay absent.
        t.persons.set(p.personId, personOf(registerPersonRow(p)));
      },
      keepPersonVersion: async (previous, supersededAt, supersededBy) => {
        const row = (
          await client().query<{ version: number }>(
            `INSERT INTO ${s}.person_versions (person_id, version, superseded_at, superseded_by, body)
             SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM ${s}.person_versions WHERE person_id = $1
             RETURNING version`,
            [previous.personId, supersededAt, supersededBy, JSON.stringify(previous)],
          )
        ).rows[0]!;
        return Number(row.version);
      },
      restrictionsOf: async (id) => {
        const rows = (await client().query<RestrictionRow>(`SELECT * FROM ${s}.restrictions WHERE person_id = $1 ORDER BY issued_at, restriction_id`, [id])).rows;
        return rows.map(restrictionOf);
      },
      getRestriction: async (id) => {
        const row = (await client().query<RestrictionRow>(`SELECT * FROM ${s}.restrictions WHERE restriction_id = $1`, [id])).rows[0];
        return row ? restrictionOf(row) : undefined;
      },
      putRestriction: async (r) => {
        await this.flushPersons(t); // the restriction's person must exist first
        await client().query(
          `INSERT INTO ${s}.restrictions (restriction_id, person_id, kind, basis, office, issued_at, served_at, service_channel, lifted_at,
             lift_reason, delivered_at, in_force_from, expires_at, review_at, campaign)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (restriction_id) DO UPDATE SET served_at = excluded.served_at,
             service_channel = excluded.service_channel, lifted_at = excluded.lifted_at, lift_reason = excluded.lift_reason,
             delivered_at = excluded.delivered_at, in_force_from = excluded.in_force_from, expires_at = excluded.expires_at,
             review_at = excluded.review_at`,
          [
            r.restrictionId,
            r.personId,
            r.kind,
            r.basis,
            r.office,
            r.issuedAt,
            r.servedAt ?? null,
            r.serviceChannel ?? null,
            r.liftedAt ?? null,
            r.liftReason ?? null,
            r.deliveredAt ?? null,
            r.inForceFrom ?? null,
            r.expiresAt ?? null,
            r.reviewAt ?? null,
            r.campaign ?? null,
          ],
        );
      },
      getRule: async (id) => {
        const row = (await client().query<{ body: string }>(`SELECT body FROM ${s}.rules WHERE rule_id = $1`, [id])).rows[0];
        return row ? (JSON.parse(row.body) as CategoryRule) : undefined;
      },
      putRule: async (rule) => {
        const body = JSON.stringify(rule);
        await client().query(
          `INSERT INTO ${s}.rules (rule_id, version, body) VALUES ($1, $2, $3) ON CONFLICT (rule_id) DO UPDATE SET version = excluded.version, body = excluded.body`,
          [rule.ruleId, rule.version, body],
        );
        await client().query(`INSERT INTO ${s}.rule_versions (rule_id, version, body) VALUES ($1, $2, $3)`, [rule.ruleId, rule.version, body]);
      },
      campaignRestrictions: async (campaign) => {
        const rows = (await client().query<RestrictionRow>(`SELECT * FROM ${s}.restrictions WHERE campaign = $1 ORDER BY restriction_id`, [campaign])).rows;
        return rows.map(restrictionOf);
      },
      audit: async (entry) => {
        t.auditHead ??= await this.trail.lockHead(client());
        const built = PostgresAuditTrail.next(t.auditHead, entry);
        t.audits.push(built);
        t.auditHead = { seq: built.seq, hash: built.hash };
      },
      appendChange: async (entity, key, body) => {
        client();
        const seq = t.head + t.pending.length + 1;
        const at = t.pendingAt ?? (t.pendingAt = new Date().toISOString());
        t.pending.push({ seq, at, entity, key, body } as Change);
        return seq;
      },
    };
  }

  private async flushPersons(t: OpenTx): Promise<void> {
    if (t.persons.size === 0) return;
    const persons = [...t.persons.values()];
    const rows = persons.map(registerPersonRow);
    t.persons.clear();
    await t.client.query(
      `INSERT INTO ${this.s}.persons (person_id, surname, given_names, patronymic, date_of_birth, sex, documents, deferments)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       ON CONFLICT (person_id) DO UPDATE SET surname = excluded.surname, given_names = excluded.given_names,
         patronymic = excluded.patronymic, date_of_birth = excluded.date_of_birth, sex = excluded.sex,
         documents = excluded.documents, deferments = excluded.deferments`,
      [
        rows.map((r) => r.person_id),
        rows.map((r) => r.surname),
        rows.map((r) => r.given_names),
        rows.map((r) => r.patronymic),
        rows.map((r) => r.date_of_birth),
        rows.map((r) => r.sex),
        rows.map((r) => r.documents),
        rows.map((r) => r.deferments),
      ],
    );
    await this.writeSearchKeys(t.client, persons);
  }

  private async writeSearchKeys(client: PoolClient, persons: Person[]): Promise<void> {
    const pairs = persons.flatMap((p) => personSearchKeys(p).map((key) => [key, p.personId] as const));
    await client.query(`DELETE FROM ${this.s}.person_keys WHERE person_id = ANY($1::text[])`, [persons.map((p) => p.personId)]);
    await client.query(`INSERT INTO ${this.s}.person_keys (key, person_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
      pairs.map((x) => x[0]),
      pairs.map((x) => x[1]),
    ]);
  }

  /** Persons stored before the search keys existed get theirs once, in chunks (one transaction each). */
  private async fillSearchKeys(): Promise<void> {
    for (;;) {
      const done = await inTransaction(this.pool, 'BEGIN', async (client) => {
        const rows = (
          await client.query<PersonRow>(`SELECT p.* FROM ${this.s}.persons p WHERE NOT EXISTS (SELECT 1 FROM ${this.s}.person_keys k WHERE k.person_id = p.person_id) LIMIT 5000`)
        ).rows;
        if (rows.length > 0) await this.writeSearchKeys(client, rows.map(personOf));
        return rows.length === 0;
      });
      if (done) return;
    }
  }

  /**
   * At commit: sends the buffered writes and audit entries, then writes the transaction's changes and
   * seals them into the next link of the batch chain.
   */
  private async sealBatch(t: OpenTx): Promise<SignedBatch | null> {
    await this.flushPersons(t);
    await this.trail.insert(t.client, t.audits);
    if (t.pending.length === 0) return null;
    const s = this.s;
    const unsigned = {
      firstSeq: t.pending[0]!.seq,
      lastSeq: t.pending[t.pending.length - 1]!.seq,
      prevHash: t.lastHash,
      committedAt: t.pendingAt!,
      changes: t.pending,
    };
    const hash = batchHash(unsigned);
    const sig = this.signer.sign(Buffer.from(hash));
    await t.client.query(
      `INSERT INTO ${s}.changes (seq, at, entity, key, body)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])`,
      [
        t.pending.map((c) => c.seq),
        t.pending.map((c) => c.at),
        t.pending.map((c) => c.entity),
        t.pending.map((c) => c.key),
        t.pending.map((c) => (c.body === null ? null : JSON.stringify(c.body))),
      ],
    );
    await t.client.query(
      `INSERT INTO ${s}.batches (last_seq, first_seq, prev_hash, hash, committed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [unsigned.lastSeq, unsigned.firstSeq, unsigned.prevHash, hash, unsigned.committedAt, sig.keyId, sig.signature],
    );
    await t.client.query(`UPDATE ${s}.head SET seq = $1, last_hash = $2`, [unsigned.lastSeq, hash]);
    // Delivered to listeners only if this transaction commits.
    await t.client.query('SELECT pg_notify($1, $2)', [this.channel, String(unsigned.lastSeq)]);
    return { ...unsigned, hash, ...sig };
  }

  /** Runs `run` after this process's earlier writers, whatever their outcome. */
  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  transaction<T>(fn: (tx: RegisterTx) => Promise<T>): Promise<T> {
    return this.serialised(async () => {
      await this.ready;
      const client = await this.pool.connect();
      const t: OpenTx = { client, head: 0, lastHash: '', pending: [], pendingAt: null, persons: new Map(), audits: [], auditHead: null, open: true };
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL synchronous_commit TO on');
        const head = (await client.query<{ seq: number; last_hash: string }>(`SELECT seq, last_hash FROM ${this.s}.head FOR UPDATE`)).rows[0]!;
        t.head = head.seq;
        t.lastHash = head.last_hash;
        const result = await fn(this.txOn(t));
        const batch = await this.sealBatch(t);
        t.open = false;
        await commit(client);
        if (batch) this.announce(batch.lastSeq);
        return result;
      } catch (err) {
        t.open = false;
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.release(broken);
      }
    });
  }

  private announce(head: number): void {
    if (head <= this.announced) return;
    this.announced = head;
    this.events.emit('commit', head);
  }

  async getPerson(personId: string): Promise<Person | undefined> {
    await this.ready;
    const row = (await this.pool.query<PersonRow>(`SELECT * FROM ${this.s}.persons WHERE person_id = $1`, [personId])).rows[0];
    return row ? personOf(row) : undefined;
  }

  async getRestriction(restrictionId: string): Promise<Restriction | undefined> {
    await this.ready;
    const row = (await this.pool.query<RestrictionRow>(`SELECT * FROM ${this.s}.restrictions WHERE restriction_id = $1`, [restrictionId])).rows[0];
    return row ? restrictionOf(row) : undefined;
  }

  async searchPersons(keys: string[], limit: number): Promise<Person[]> {
    await this.ready;
    const seen = new Map<string, Person>();
    // Key by key, most specific first, so a common surname code does not crowd out an exact pair.
    for (const key of keys) {
      const rows = (
        await this.pool.query<PersonRow>(
          `SELECT p.* FROM ${this.s}.person_keys k JOIN ${this.s}.persons p ON p.person_id = k.person_id WHERE k.key = $1 ORDER BY p.person_id LIMIT $2`,
          [key, limit],
        )
      ).rows;
      for (const row of rows) {
        if (!seen.has(row.person_id)) seen.set(row.person_id, personOf(row));
        if (seen.size >= limit) return [...seen.values()];
      }
    }
    return [...seen.values()];
  }

  async getRule(ruleId: string): Promise<CategoryRule | undefined> {
    await this.ready;
    const row = (await this.pool.query<{ body: string }>(`SELECT body FROM ${this.s}.rules WHERE rule_id = $1`, [ruleId])).rows[0];
    return row ? (JSON.parse(row.body) as CategoryRule) : undefined;
  }

  async rules(): Promise<CategoryRule[]> {
    await this.ready;
    return (await this.pool.query<{ body: string }>(`SELECT body FROM ${this.s}.rules ORDER BY rule_id`)).rows.map((r) => JSON.parse(r.body) as CategoryRule);
  }

  async auditAbout(subjects: string[], limit: number): Promise<AuditEntry[]> {
    await this.ready;
    if (subjects.length === 0) return [];
    const rows = await this.pool.query<AuditRow>(`SELECT * FROM ${this.s}.audit_trail WHERE subject = ANY($1::text[]) ORDER BY seq DESC LIMIT $2`, [subjects, limit]);
    return rows.rows.map(auditEntryOf);
  }

  async ruleVersions(ruleId: string): Promise<CategoryRule[]> {
    await this.ready;
    return (await this.pool.query<{ body: string }>(`SELECT body FROM ${this.s}.rule_versions WHERE rule_id = $1 ORDER BY version`, [ruleId])).rows.map(
      (r) => JSON.parse(r.body) as CategoryRule,
    );
  }

  async personVersions(personId: string, limit: number): Promise<PersonVersion[]> {
    await this.ready;
    const rows = await this.pool.query<PersonVersionRow>(`SELECT * FROM ${this.s}.person_versions WHERE person_id = $1 ORDER BY version DESC LIMIT $2`, [personId, limit]);
    return rows.rows.map(personVersionOf);
  }

  async restrictionsOf(personId: string): Promise<Restriction[]> {
    await this.ready;
    const rows = (await this.pool.query<RestrictionRow>(`SELECT * FROM ${this.s}.restrictions WHERE person_id = $1 ORDER BY issued_at, restriction_id`, [personId])).rows;
    return rows.map(restrictionOf);
  }

  async headSeq(): Promise<number> {
    await this.ready;
    return (await this.pool.query<{ seq: number }>(`SELECT seq FROM ${this.s}.head`)).rows[0]!.seq;
  }

  async batchesAfter(after: number, maxChanges: number): Promise<SignedBatch[]> {
    await this.ready;
    const s = this.s;
    // One read snapshot for the batch list and their changes, so a compaction in between cannot tear them.
    return inTransaction(this.pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
      const rows = (await client.query<BatchRow>(`SELECT * FROM ${s}.batches WHERE last_seq > $1 ORDER BY last_seq LIMIT 1000`, [after])).rows;
      // Whole batches only (a signature covers a whole batch); at least one, however large.
      const taken: BatchRow[] = [];
      let changes = 0;
      for (const row of rows) {
        const size = row.last_seq - row.first_seq + 1;
        if (taken.length > 0 && changes + size > maxChanges) break;
        taken.push(row);
        changes += size;
      }
      if (taken.length === 0) return [];
      const all = (
        await client.query<ChangeRow>(`SELECT * FROM ${s}.changes WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, [taken[0]!.first_seq, taken[taken.length - 1]!.last_seq])
      ).rows.map(changeOf);
      let i = 0;
      return taken.map((row) => {
        const mine: Change[] = [];
        while (i < all.length && all[i]!.seq <= row.last_seq) {
          if (all[i]!.seq >= row.first_seq) mine.push(all[i]!);
          i++;
        }
        return {
          firstSeq: row.first_seq,
          lastSeq: row.last_seq,
          prevHash: row.prev_hash,
          committedAt: row.committed_at,
          changes: mine,
          hash: row.hash,
          keyId: row.key_id,
          signature: row.signature,
        };
      });
    });
  }

  /**
   * Streams from its own connection inside one REPEATABLE READ, READ ONLY transaction: every statement
   * sees the database as of the first one, so writers carry on and the snapshot stays consistent.
   * Rows come through server-side cursors, `fetchRows` at a time.
   */
  async *snapshot(options: { buckets?: number[] } = {}): AsyncIterable<SnapshotLine> {
    await this.ready;
    const s = this.s;
    const only = options.buckets ? new Set(options.buckets) : null;
    const wanted = (record: SnapshotRecord) => !only || only.has(bucketOf(record));
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let done = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // The first statement fixes the transaction's snapshot: asOfSeq and every row below agree.
      const head = (await client.query<{ seq: number; last_hash: string }>(`SELECT seq, last_hash FROM ${s}.head`)).rows[0]!;
      const asOfSeq = head.seq;
      const lastHash = head.last_hash;
      const registerTime = new Date().toISOString();
      const digest = snapshotDigest();
      const expected = (
        await client.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM ${s}.rules) + (SELECT count(*) FROM ${s}.persons) + (SELECT count(*) FROM ${s}.restrictions WHERE served_at IS NOT NULL) AS n`,
        )
      ).rows[0]!.n;
      yield { type: 'header', protocol: PROTOCOL_VERSION, asOfSeq, lastHash, registerTime, records: only ? -1 : expected };
      let records = 0;
      for (const row of (await client.query<{ body: string }>(`SELECT body FROM ${s}.rules ORDER BY rule_id`)).rows) {
        const record: SnapshotRecord = { type: 'rule', body: JSON.parse(row.body) as CategoryRule };
        if (!wanted(record)) continue;
        records++;
        digest.add(record);
        yield record;
      }
      for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons ORDER BY person_id`, [], this.fetchRows)) {
        for (const row of rows) {
          const record: SnapshotRecord = { type: 'person', body: borderPersonOf(personOf(row)) };
          if (!wanted(record)) continue;
          records++;
          digest.add(record);
          yield record;
        }
      }
      for await (const rows of fetchChunks<RestrictionRow>(
        client,
        `SELECT * FROM ${s}.restrictions WHERE served_at IS NOT NULL ORDER BY restriction_id`,
        [],
        this.fetchRows,
      )) {
        for (const row of rows) {
          const body = borderRestrictionOf(restrictionOf(row));
          if (!body) continue;
          const record: SnapshotRecord = { type: 'restriction', body };
          if (!wanted(record)) continue;
          records++;
          digest.add(record);
          yield record;
        }
      }
      await commit(client);
      done = true;
      const manifest = { asOfSeq, lastHash, registerTime, records, digest: digest.hex(), buckets: only ? [...only].sort((a, b) => a - b) : null };
      yield { type: 'end', ...manifest, ...this.signer.sign(manifestBytes(manifest)) };
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      // A consumer that stops early (or an error) ends the read transaction here.
      if (!done) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      client.release(broken);
    }
  }

  async oldestSeq(): Promise<number> {
    await this.ready;
    const row = (
      await this.pool.query<{ oldest: number | null; head: number }>(`SELECT (SELECT min(first_seq) FROM ${this.s}.batches) AS oldest, (SELECT seq FROM ${this.s}.head) AS head`)
    ).rows[0]!;
    return row.oldest ?? row.head + 1;
  }

  /**
   * Drops whole batches older than the retention window, holding the writers' lock. The newest batch
   * always stays (its hash is where the chain continues), so the head never moves back.
   */
  async compact(retention: Retention): Promise<CompactionReport> {
    return this.serialised(async () => {
      await this.ready;
      const s = this.s;
      return inTransaction(this.pool, 'BEGIN', async (client) => {
        const head = (await client.query<{ seq: number }>(`SELECT seq FROM ${s}.head FOR UPDATE`)).rows[0]!.seq;
        let cut = 0;
        if (retention.keepChanges !== undefined) cut = Math.max(cut, head - retention.keepChanges);
        if (retention.keepSeconds !== undefined) {
          const before = new Date(Date.now() - retention.keepSeconds * 1000).toISOString();
          const row = (await client.query<{ seq: number | null }>(`SELECT max(last_seq) AS seq FROM ${s}.batches WHERE committed_at < $1`, [before])).rows[0]!;
          cut = Math.max(cut, row.seq ?? 0);
        }
        const newest = (await client.query<{ seq: number | null }>(`SELECT max(last_seq) AS seq FROM ${s}.batches`)).rows[0]!.seq;
        if (newest === null) return { removedBatches: 0, removedChanges: 0, oldestSeq: head + 1 };
        // only whole batches, and never the newest
        const upTo = (await client.query<{ seq: number | null }>(`SELECT max(last_seq) AS seq FROM ${s}.batches WHERE last_seq <= $1 AND last_seq < $2`, [cut, newest])).rows[0]!.seq ?? 0;
        const removedBatches = (await client.query(`DELETE FROM ${s}.batches WHERE last_seq <= $1`, [upTo])).rowCount ?? 0;
        const removedChanges = (await client.query(`DELETE FROM ${s}.changes WHERE seq <= $1`, [upTo])).rowCount ?? 0;
        const oldest = (await client.query<{ seq: number | null }>(`SELECT min(first_seq) AS seq FROM ${s}.batches`)).rows[0]!.seq;
        return { removedBatches, removedChanges, oldestSeq: oldest ?? head + 1 };
      });
    });
  }

  onCommit(listener: (headSeq: number) => void): () => void {
    this.events.on('commit', listener);
    if (this.options.listen !== false) this.listen();
    return () => this.events.off('commit', listener);
  }

  /**
   * Opens the LISTEN connection (once). If it drops, it is reopened after a second, and the head read
   * again so that commits made meanwhile still wake the long-polls.
   */
  private listen(): void {
    if (this.listening || this.closed) return;
    this.listening = true;
    const client = createClient(this.options, 'erx-register-listen');
    this.listener = client;
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      this.listening = false;
      if (this.closed || this.reconnect) return;
      this.reconnect = setTimeout(() => {
        this.reconnect = null;
        if (this.events.listenerCount('commit') > 0) this.listen();
      }, 1000);
      this.reconnect.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (msg) => {
      const head = Number(msg.payload);
      if (Number.isSafeInteger(head)) this.announce(head);
    });
    (async () => {
      await this.ready;
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      // Commits made while the connection was down are announced now (waiters compare with their cursor).
      this.announce(await this.headSeq());
    })().catch(retry);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.queue;
    if (this.reconnect) clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
    await this.pool.end();
  }
}
