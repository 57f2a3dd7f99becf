/**
 * A border replica's storage on PostgreSQL — the border's central database. See ReplicaStore for the
 * guarantees; how each is kept here:
 *
 *  - `applyBatches` runs in one transaction that first locks the `cursor` row (SELECT … FOR UPDATE) and
 *    refuses unless it still holds `expectedCursor`; a racing second caller waits for the lock, then
 *    sees the moved cursor and is refused. The entity writes, applied-batch hashes, cursor, last hash
 *    and counters commit together. Changes carry whole states, so a page is applied as the last state
 *    of each entity, in a few set-based statements, which ends exactly where one-by-one application would.
 *  - A bootstrap is built into fresh `next_*` tables (unlogged while loading: worthless until complete)
 *    and swapped in by DROP + RENAME inside one transaction, the commit point of a bootstrap. Screening
 *    reads the old tables until that commit and the new ones after it; it waits a moment during the
 *    swap, never sees a half-built state. `next_*` tables left by a crash are dropped on open.
 *  - The screening audit is the hash-chained audit trail (auditTrail.ts); a trigger refuses UPDATE,
 *    DELETE and TRUNCATE.
 *  - The person and restriction counts are kept by statement-level triggers (exact under hand edits
 *    too), so `state()` — read on every screening — costs no table scan.
 *
 * Bucket digests, records and their ordering are computed by the same pure functions as on SQLite
 * (exchange/digest.ts), from rows mapped to the same objects, so both backends agree bit for bit.
 */
import type { BatchToApply } from '../../exchange/planPage.js';
import type { BootstrapWriter, RepairReport, ReplicaState, ReplicaStore, ScreeningAuditEntry } from '../../border/replicaStore.js';
import { CursorMoved } from '../../border/replicaStore.js';
import { addRecord, bucketOfKey, type BucketDigests, emptyDigests, planRepair } from '../../exchange/digest.js';
import { isRelief } from '../../exchange/protocol.js';
import type { BorderPerson, BorderRestriction, BorderRule, SnapshotRecord } from '../../exchange/protocol.js';
import type { ListedPerson, Matcher } from '../../matching/index.js';
import { canonicalJson } from '../../shared/canonical.js';
import { faultPointInBatch } from '../../shared/faults.js';
import { PostgresAuditTrail } from './auditTrail.js';
import { countTriggers, SCHEMA, STATE_INDEXES, STATE_TABLES, stateIndexes, stateTables } from './replica/schema.js';
import { addWrite, noWrites, writesOfRecords, type StateWrites } from './replica/stateWrites.js';
import { screeningAuditEntry, screeningOf, SCREENING_ACTION } from '../screeningAudit.js';
import { CachedBetweenWrites } from '../cachedBetweenWrites.js';
import { checkSchemaName, createPool, fetchChunks, inTransaction, migrate, type Pool, type PoolClient, type PostgresLocation } from './db.js';
import { type ReplicaPersonRow as PersonRow, type ReplicaRestrictionRow as RestrictionRow, replicaPersonOf as personOf, replicaRestrictionOf as restrictionOf, encodeDocuments, encodeDeferments, indexEntriesOf } from '../rows.js';

export interface PostgresReplicaOptions extends PostgresLocation {
  matcher: Pick<Matcher, 'version' | 'indexKeys'>;
  /** Called while the name index is rebuilt for a new matcher version: (done, total). */
  onReindex?: (done: number, total: number) => void;
}

export class PostgresReplicaStore implements ReplicaStore {
  /** Resolves once the schema is migrated, leftovers dropped and the name index current. */
  readonly ready: Promise<void>;
  /** The screening audit: append-only and hash-chained. */
  readonly trail: PostgresAuditTrail;
  private readonly pool: Pool;
  private readonly s: string;
  private readonly fetchRows: number;
  /** Bumped by every beginBootstrap: a writer of an older one may no longer touch the next_* tables. */
  private bootstrapGeneration = 0;
  /**
   * The state and the rules, read on every screening, kept between this store's writes (each goes
   * through `written`): a replica's schema has one writer, this process (docs/postgres.md). Two round
   * trips to the server fewer per screening.
   */
  private readonly cache = new CachedBetweenWrites();

  private written<T>(fn: () => Promise<T>): Promise<T> {
    return this.cache.write(fn);
  }

  constructor(private readonly options: PostgresReplicaOptions) {
    this.s = checkSchemaName(options.schema);
    this.fetchRows = options.fetchRows ?? 1000;
    const pool = createPool(options, 'erx-border');
    this.pool = pool;
    this.trail = new PostgresAuditTrail(pool, this.s, this.fetchRows);
    this.ready = (async () => {
      await migrate(pool, options.schema, 'replica', SCHEMA);
      // A half-built bootstrap from a crashed run is worthless: start it again from scratch.
      await this.dropNext();
      await this.reindexIfMatcherChanged();
    })();
    this.ready.catch(() => undefined);
  }

  /** Connects, migrates and reindexes; throws if the database cannot be reached or its schema is newer than this erx. */
  static async open(options: PostgresReplicaOptions): Promise<PostgresReplicaStore> {
    const store = new PostgresReplicaStore(options);
    try {
      await store.ready;
    } catch (err) {
      await store.pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  private async dropNext(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${STATE_TABLES.map((t) => `${this.s}.next_${t}`).join(', ')}`);
  }

  /** Name keys depend on the matcher; a new matcher version recomputes them from the stored persons. */
  private async reindexIfMatcherChanged(): Promise<void> {
    const s = this.s;
    await this.written(() => inTransaction(this.pool, 'BEGIN', async (client) => {
      // Processes opening the same replica at once take turns; the cursor row lock keeps appliers out.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('erx-reindex'), hashtext($1))", [s]);
      await client.query(`SELECT 1 FROM ${s}.meta WHERE key = 'cursor' FOR UPDATE`);
      const current = (await client.query<{ value: string }>(`SELECT value FROM ${s}.meta WHERE key = 'matcher'`)).rows[0]?.value;
      if (current === this.options.matcher.version) return;
      const total = (await client.query<{ n: number }>(`SELECT n FROM ${s}.counts WHERE name = 'persons'`)).rows[0]!.n;
      await client.query(`DELETE FROM ${s}.name_keys`);
      let done = 0;
      for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons ORDER BY person_id`, [], this.fetchRows)) {
        await this.insertKeys(client, '', rows.map(personOf));
        const before = done;
        done += rows.length;
        if (Math.floor(done / 10_000) > Math.floor(before / 10_000)) this.options.onReindex?.(done, total);
      }
      await this.setMeta(client, '', { matcher: this.options.matcher.version });
    }));
  }

  private async setMeta(client: PoolClient, p: string, values: Record<string, string | number>): Promise<void> {
    const entries = Object.entries(values);
    await client.query(
      `INSERT INTO ${this.s}.${p}meta (key, value) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [entries.map(([k]) => k), entries.map(([, v]) => String(v))],
    );
  }

  private async insertKeys(client: PoolClient, p: string, persons: BorderPerson[]): Promise<void> {
    const keys: string[] = [];
    const ids: string[] = [];
    for (const person of persons) {
      for (const key of this.options.matcher.indexKeys(person)) {
        keys.push(key);
        ids.push(person.personId);
      }
    }
    if (keys.length === 0) return;
    await client.query(
      `INSERT INTO ${this.s}.${p}name_keys (key, person_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [keys, ids],
    );
  }

  /**
   * Deletes the documents and name keys of these persons' stored rows (before they are replaced or
   * deleted). There is no index by person on those tables: the old rows are read by primary key, their
   * documents and keys recomputed with the matcher, and only rows with those numbers and keys (and
   * one of these persons) are deleted, through the primary keys. A row edited by hand behind the
   * replica's back leaves the rows of its earlier contents behind; they are harmless: a stale key only
   * makes the person a candidate once more, scored on the real row, and byDocument returns a person
   * only if the row holds the document (anti-entropy repairs the row itself).
   */
  private async clearPersons(client: PoolClient, p: string, ids: string[]): Promise<void> {
    const s = this.s;
    const rows = (await client.query<PersonRow>(`SELECT * FROM ${s}.${p}persons WHERE person_id = ANY($1::text[])`, [ids])).rows;
    const numbers = new Set<string>();
    const keys = new Set<string>();
    for (const row of rows) {
      const old = indexEntriesOf(row, (p) => this.options.matcher.indexKeys(p));
      for (const d of old.documents) numbers.add(d.number);
      for (const k of old.keys) keys.add(k);
    }
    const found = rows.map((r) => r.person_id);
    if (numbers.size > 0) await client.query(`DELETE FROM ${s}.${p}documents WHERE number = ANY($1::text[]) AND person_id = ANY($2::text[])`, [[...numbers], found]);
    if (keys.size > 0) await client.query(`DELETE FROM ${s}.${p}name_keys WHERE key = ANY($1::text[]) AND person_id = ANY($2::text[])`, [[...keys], found]);
  }

  /**
   * Writes final entity states in a few set-based statements. `fresh`: the bootstrap's empty tables,
   * with no old documents or keys to clear first.
   */
  private async writeState(client: PoolClient, p: string, w: StateWrites, fresh: boolean): Promise<void> {
    const s = this.s;
    const goneP = [...w.persons].filter(([, v]) => v.body === null).map(([k]) => k);
    const keptP = new Map<string, { body: BorderPerson; seq: number }>();
    for (const { body, seq } of w.persons.values()) if (body) keptP.set(body.personId, { body, seq });
    const goneR = [...w.restrictions].filter(([, v]) => v.body === null).map(([k]) => k);
    const keptR = new Map<string, { body: BorderRestriction; seq: number }>();
    for (const { body, seq } of w.restrictions.values()) if (body) keptR.set(body.restrictionId, { body, seq });

    const cleared = fresh ? goneP : [...goneP, ...keptP.keys()];
    if (cleared.length > 0) await this.clearPersons(client, p, cleared);
    if (goneP.length > 0) await client.query(`DELETE FROM ${s}.${p}persons WHERE person_id = ANY($1::text[])`, [goneP]);
    if (keptP.size > 0) {
      const ps = [...keptP.values()];
      await client.query(
        `INSERT INTO ${s}.${p}persons (person_id, surname, given_names, patronymic, date_of_birth, documents, deferments, seq)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
         ON CONFLICT (person_id) DO UPDATE SET surname = excluded.surname, given_names = excluded.given_names,
           patronymic = excluded.patronymic, date_of_birth = excluded.date_of_birth, documents = excluded.documents,
           deferments = excluded.deferments, seq = excluded.seq`,
        [
          ps.map((x) => x.body.personId),
          ps.map((x) => x.body.surname),
          ps.map((x) => x.body.givenNames),
          ps.map((x) => x.body.patronymic ?? null),
          ps.map((x) => x.body.dateOfBirth),
          ps.map((x) => encodeDocuments(x.body.documents)),
          ps.map((x) => encodeDeferments(x.body.deferments)),
          ps.map((x) => x.seq),
        ],
      );
      const docs = ps.flatMap((x) => x.body.documents.map((d) => [d.number, d.country, x.body.personId] as const));
      if (docs.length > 0) {
        await client.query(
          `INSERT INTO ${s}.${p}documents (number, country, person_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
          [docs.map((d) => d[0]), docs.map((d) => d[1]), docs.map((d) => d[2])],
        );
      }
      await this.insertKeys(client, p, ps.map((x) => x.body));
    }
    if (goneR.length > 0) await client.query(`DELETE FROM ${s}.${p}restrictions WHERE restriction_id = ANY($1::text[])`, [goneR]);
    if (keptR.size > 0) {
      const rs = [...keptR.values()];
      await client.query(
        `INSERT INTO ${s}.${p}restrictions (restriction_id, person_id, kind, basis, office, in_force_from, lifted_at, lift_reason, seq, expires_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
         ON CONFLICT (restriction_id) DO UPDATE SET person_id = excluded.person_id, kind = excluded.kind, basis = excluded.basis,
           office = excluded.office, in_force_from = excluded.in_force_from, lifted_at = excluded.lifted_at,
           lift_reason = excluded.lift_reason, seq = excluded.seq, expires_at = excluded.expires_at`,
        [
          rs.map((x) => x.body.restrictionId),
          rs.map((x) => x.body.personId),
          rs.map((x) => x.body.kind),
          rs.map((x) => x.body.basis),
          rs.map((x) => x.body.office),
          rs.map((x) => x.body.inForceFrom),
          rs.map((x) => x.body.liftedAt ?? null),
          rs.map((x) => x.body.liftReason ?? null),
          rs.map((x) => x.seq),
          rs.map((x) => x.body.expiresAt ?? null),
        ],
      );
    }
    const goneRules = [...w.rules].filter(([, v]) => v.body === null).map(([k]) => k);
    const keptRules = [...w.rules.values()].filter((v): v is { body: BorderRule; seq: number } => v.body !== null);
    if (goneRules.length > 0) await client.query(`DELETE FROM ${s}.${p}rules WHERE rule_id = ANY($1::text[])`, [goneRules]);
    if (keptRules.length > 0) {
      await client.query(
        `INSERT INTO ${s}.${p}rules (rule_id, body, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (rule_id) DO UPDATE SET body = excluded.body, seq = excluded.seq`,
        [keptRules.map((x) => x.body.ruleId), keptRules.map((x) => JSON.stringify(x.body)), keptRules.map((x) => x.seq)],
      );
    }
  }

  private async rulesOn(client: Pick<PoolClient, 'query'>): Promise<BorderRule[]> {
    return (await client.query<{ body: string }>(`SELECT body FROM ${this.s}.rules ORDER BY rule_id`)).rows.map((r) => JSON.parse(r.body) as BorderRule);
  }

  async rules(): Promise<BorderRule[]> {
    await this.ready;
    return [...(await this.cache.read('rules', () => this.rulesOn(this.pool)))];
  }

  /** Locks the cursor row (the appliers' lock) and refuses unless it holds `expected`. */
  private async lockCursor(client: PoolClient, expected: number): Promise<void> {
    const row = (await client.query<{ value: string }>(`SELECT value FROM ${this.s}.meta WHERE key = 'cursor' FOR UPDATE`)).rows[0];
    const cursor = row === undefined ? null : Number(row.value);
    if (cursor !== expected) throw new CursorMoved(expected, cursor);
  }

  async state(): Promise<ReplicaState> {
    await this.ready;
    return { ...(await this.cache.read('state', () => this.readState())) };
  }

  private async readState(): Promise<ReplicaState> {
    const s = this.s;
    const row = (
      await this.pool.query<{ meta: Record<string, string>; persons: number; restrictions: number }>(
        `SELECT (SELECT coalesce(json_object_agg(key, value), '{}'::json) FROM ${s}.meta) AS meta,
                (SELECT n FROM ${s}.counts WHERE name = 'persons') AS persons,
                (SELECT n FROM ${s}.counts WHERE name = 'restrictions') AS restrictions`,
      )
    ).rows[0]!;
    const m = row.meta;
    return {
      cursor: m.cursor === undefined ? null : Number(m.cursor),
      lastHash: m.lastHash ?? '',
      registerSeq: Number(m.registerSeq ?? 0),
      dataAsOf: m.dataAsOf ?? null,
      changesApplied: Number(m.changesApplied ?? 0),
      snapshotSeq: m.snapshotSeq === undefined ? null : Number(m.snapshotSeq),
      persons: row.persons,
      restrictions: row.restrictions,
    };
  }

  async beginBootstrap(): Promise<BootstrapWriter> {
    await this.ready;
    const s = this.s;
    const generation = ++this.bootstrapGeneration;
    const current = () => {
      if (generation !== this.bootstrapGeneration) throw new Error('a newer bootstrap has started; this one is abandoned');
    };
    await this.dropNext();
    // Nothing in these tables matters until they are complete, so they skip the WAL while loading.
    await this.pool.query(stateTables(s, 'next_', true));
    return {
      write: async (records) => {
        current();
        if (records.length === 0) return;
        await inTransaction(this.pool, 'BEGIN', (client) => this.writeState(client, 'next_', writesOfRecords(records, 0), true));
      },
      finish: async (asOfSeq, registerTime, lastHash) => {
        current();
        await this.pool.query(stateIndexes(s, 'next_'));
        // Made durable (and WAL-logged for standbys) before it becomes the state.
        await this.pool.query(STATE_TABLES.map((t) => `ALTER TABLE ${s}.next_${t} SET LOGGED;`).join('\n'));
        await this.pool.query(`ANALYZE ${STATE_TABLES.map((t) => `${s}.next_${t}`).join(', ')}`);
        const counts = (
          await this.pool.query<{ persons: number; restrictions: number }>(
            `SELECT (SELECT count(*) FROM ${s}.next_persons) AS persons, (SELECT count(*) FROM ${s}.next_restrictions) AS restrictions`,
          )
        ).rows[0]!;
        // The swap is the commit point of a bootstrap.
        await this.written(() => inTransaction(this.pool, 'BEGIN', async (client) => {
          current();
          await client.query(`LOCK TABLE ${STATE_TABLES.map((t) => `${s}.${t}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
          if (asOfSeq > 0) await client.query(`INSERT INTO ${s}.next_applied_batches (last_seq, hash) VALUES ($1, $2)`, [asOfSeq, lastHash]);
          await this.setMeta(client, 'next_', {
            cursor: asOfSeq,
            lastHash,
            snapshotSeq: asOfSeq,
            registerSeq: asOfSeq,
            changesApplied: 0,
            dataAsOf: registerTime,
            matcher: this.options.matcher.version,
          });
          await client.query(`DROP TABLE ${STATE_TABLES.map((t) => `${s}.${t}`).join(', ')}`);
          const renames = [
            ...STATE_TABLES.flatMap((t) => [
              `ALTER TABLE ${s}.next_${t} RENAME TO ${t};`,
              `ALTER TABLE ${s}.${t} RENAME CONSTRAINT next_${t}_pkey TO ${t}_pkey;`,
            ]),
            ...STATE_INDEXES.map((i) => `ALTER INDEX ${s}.next_${i} RENAME TO ${i};`),
          ];
          await client.query(renames.join('\n') + countTriggers(s));
          await client.query(
            `UPDATE ${s}.counts SET n = CASE name WHEN 'persons' THEN $1::bigint WHEN 'restrictions' THEN $2::bigint ELSE n END`,
            [counts.persons, counts.restrictions],
          );
        }));
      },
    };
  }

  async applyBatches(expectedCursor: number, batches: BatchToApply[], registerSeq: number, registerTime: string): Promise<void> {
    await this.ready;
    // Like SQLite's synchronous=NORMAL: a commit lost in a power cut is refetched from the cursor.
    await this.written(() => inTransaction(this.pool, 'BEGIN; SET LOCAL synchronous_commit TO off', async (client) => {
      await this.lockCursor(client, expectedCursor);
      const w = noWrites();
      let applied = 0;
      const hashes = new Map<number, string>();
      for (const batch of batches) {
        for (const change of batch.changes) addWrite(w, change.entity, change.key, change.body, change.seq);
        applied += batch.changes.length;
        hashes.set(batch.lastSeq, batch.hash);
      }
      await this.dropOlder(client, w);
      await this.writeState(client, '', w, false);
      // Crash tests: die here, with the page written but not committed (one fault point per batch).
      for (const batch of batches) if (batch.changes.length > 0) faultPointInBatch();
      if (hashes.size > 0) {
        await client.query(
          `INSERT INTO ${this.s}.applied_batches (last_seq, hash) SELECT * FROM unnest($1::bigint[], $2::text[])
           ON CONFLICT (last_seq) DO UPDATE SET hash = excluded.hash`,
          [[...hashes.keys()], [...hashes.values()]],
        );
      }
      const before = (await client.query<{ value: string }>(`SELECT value FROM ${this.s}.meta WHERE key = 'changesApplied'`)).rows[0];
      const last = batches[batches.length - 1];
      const now = last?.lastSeq ?? expectedCursor;
      const meta: Record<string, string | number> = {
        changesApplied: Number(before?.value ?? 0) + applied,
        registerSeq: Math.max(registerSeq, now),
      };
      if (last) Object.assign(meta, { cursor: last.lastSeq, lastHash: last.hash });
      if (now >= registerSeq) meta.dataAsOf = registerTime;
      await this.setMeta(client, '', meta);
    }));
  }

  /**
   * Keeps a row from going back to an older state: relief applied ahead of the sequence (applyRelief)
   * must survive the older changes of the same entity arriving in order.
   */
  private async dropOlder(client: PoolClient, w: StateWrites): Promise<void> {
    const s = this.s;
    for (const [table, key, map] of [['persons', 'person_id', w.persons], ['restrictions', 'restriction_id', w.restrictions], ['rules', 'rule_id', w.rules]] as const) {
      if (map.size === 0) continue;
      const rows = (await client.query<{ id: string; seq: string }>(`SELECT ${key} AS id, seq FROM ${s}.${table} WHERE ${key} = ANY($1::text[])`, [[...map.keys()]])).rows;
      for (const row of rows) {
        const pending = map.get(row.id);
        if (pending && Number(row.seq) >= pending.seq) map.delete(row.id);
      }
    }
  }

  async applyRelief(expectedCursor: number, batches: BatchToApply[]): Promise<number> {
    await this.ready;
    return this.written(() => inTransaction(this.pool, 'BEGIN', async (client) => {
      await this.lockCursor(client, expectedCursor);
      const w = noWrites();
      let applied = 0;
      for (const batch of batches) {
        for (const change of batch.changes) {
          if (change.seq <= expectedCursor || !isRelief(change)) continue;
          addWrite(w, change.entity, change.key, change.body, change.seq);
          applied++;
        }
      }
      await this.dropOlder(client, w);
      await this.writeState(client, '', w, false);
      return applied;
    }));
  }

  async knownBatchHashes(lastSeqs: number[]): Promise<Map<number, string>> {
    await this.ready;
    const out = new Map<number, string>();
    if (lastSeqs.length === 0) return out;
    const rows = (await this.pool.query<{ last_seq: number; hash: string }>(`SELECT last_seq, hash FROM ${this.s}.applied_batches WHERE last_seq = ANY($1::bigint[])`, [lastSeqs])).rows;
    for (const row of rows) out.set(row.last_seq, row.hash);
    return out;
  }

  async noteContact(registerSeq: number, registerTime: string, caughtUp: boolean): Promise<void> {
    await this.ready;
    await this.written(() => inTransaction(this.pool, 'BEGIN', async (client) => {
      // Takes turns with appliers (same row lock), so the two never interleave their meta writes.
      await client.query(`SELECT 1 FROM ${this.s}.meta WHERE key = 'cursor' FOR UPDATE`);
      await this.setMeta(client, '', caughtUp ? { registerSeq, dataAsOf: registerTime } : { registerSeq });
    }));
  }

  async digest(): Promise<BucketDigests> {
    await this.ready;
    const s = this.s;
    return inTransaction(this.pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
      const d = emptyDigests();
      for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons`, [], this.fetchRows)) {
        for (const row of rows) addRecord(d, { type: 'person', body: personOf(row) });
      }
      for await (const rows of fetchChunks<RestrictionRow>(client, `SELECT * FROM ${s}.restrictions`, [], this.fetchRows)) {
        for (const row of rows) addRecord(d, { type: 'restriction', body: restrictionOf(row) });
      }
      for (const rule of await this.rulesOn(client)) addRecord(d, { type: 'rule', body: rule });
      return d;
    });
  }

  async repairBuckets(expectedCursor: number, buckets: number[], records: SnapshotRecord[]): Promise<RepairReport> {
    await this.ready;
    const s = this.s;
    return this.written(() => inTransaction(this.pool, 'BEGIN', async (client) => {
      await this.lockCursor(client, expectedCursor);
      const wanted = new Set(buckets);
      const before = new Map<string, string>();
      // Buckets are computed from each row's identity (as in digest()), not stored: a row written by
      // hand must still be found and judged.
      for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons`, [], this.fetchRows)) {
        for (const row of rows) {
          const key = `person:${row.person_id}`;
          if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(personOf(row)));
        }
      }
      for await (const rows of fetchChunks<RestrictionRow>(client, `SELECT * FROM ${s}.restrictions`, [], this.fetchRows)) {
        for (const row of rows) {
          const key = `restriction:${row.restriction_id}`;
          if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(restrictionOf(row)));
        }
      }
      for (const rule of await this.rulesOn(client)) {
        const key = `rule:${rule.ruleId}`;
        if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(rule));
      }
      const plan = planRepair(buckets, before, records);
      const w = writesOfRecords(plan.write, expectedCursor);
      for (const key of plan.remove) {
        const at = key.indexOf(':');
        addWrite(w, key.slice(0, at) as SnapshotRecord['type'], key.slice(at + 1), null, expectedCursor);
      }
      await this.writeState(client, '', w, false);
      return plan.report;
    }));
  }

  async byDocument(number: string, country?: string): Promise<ListedPerson[]> {
    await this.ready;
    const s = this.s;
    const rows = country
      ? await this.pool.query<PersonRow>(
          `SELECT p.* FROM ${s}.documents d JOIN ${s}.persons p ON p.person_id = d.person_id WHERE d.number = $1 AND d.country = $2 ORDER BY d.person_id`,
          [number, country],
        )
      : await this.pool.query<PersonRow>(
          `SELECT p.* FROM ${s}.documents d JOIN ${s}.persons p ON p.person_id = d.person_id WHERE d.number = $1 ORDER BY d.country, d.person_id`,
          [number],
        );
    // Only persons whose row holds the document: a row edited by hand may have left a stale documents row (clearPersons).
    return rows.rows.map(personOf).filter((p) => p.documents.some((d) => d.number === number && (!country || d.country === country)));
  }

  async byNameKeys(keys: string[], limit: number): Promise<ListedPerson[]> {
    await this.ready;
    if (keys.length === 0 || limit <= 0) return [];
    const s = this.s;
    // Up to `limit` persons per key, keys in the order given (as SQLite asks them one by one).
    const rows = (
      await this.pool.query<PersonRow>(
        `SELECT p.* FROM unnest($1::text[]) WITH ORDINALITY AS q(key, ord)
           CROSS JOIN LATERAL (SELECT k.person_id FROM ${s}.name_keys k WHERE k.key = q.key ORDER BY k.person_id LIMIT $2) k
           JOIN ${s}.persons p ON p.person_id = k.person_id
         ORDER BY q.ord, k.person_id`,
        [keys, limit],
      )
    ).rows;
    const seen = new Map<string, ListedPerson>();
    for (const row of rows) {
      if (!seen.has(row.person_id)) seen.set(row.person_id, personOf(row));
      if (seen.size >= limit) break;
    }
    return [...seen.values()];
  }

  async restrictionsOf(personIds: string[]): Promise<BorderRestriction[]> {
    await this.ready;
    if (personIds.length === 0) return [];
    const rows = (
      await this.pool.query<RestrictionRow>(`SELECT * FROM ${this.s}.restrictions WHERE person_id = ANY($1::text[]) ORDER BY person_id, restriction_id`, [personIds])
    ).rows;
    const byPerson = new Map<string, BorderRestriction[]>();
    for (const row of rows) {
      const list = byPerson.get(row.person_id) ?? [];
      list.push(restrictionOf(row));
      byPerson.set(row.person_id, list);
    }
    return personIds.flatMap((id) => byPerson.get(id) ?? []);
  }

  async getPerson(personId: string): Promise<BorderPerson | undefined> {
    await this.ready;
    const row = (await this.pool.query<PersonRow>(`SELECT * FROM ${this.s}.persons WHERE person_id = $1`, [personId])).rows[0];
    return row ? personOf(row) : undefined;
  }

  async recordScreening(entry: ScreeningAuditEntry): Promise<void> {
    await this.ready;
    await this.trail.append(screeningAuditEntry(entry));
  }

  async screenings(limit: number, checkpoint?: string): Promise<ScreeningAuditEntry[]> {
    await this.ready;
    return (await this.trail.recent(SCREENING_ACTION, limit, checkpoint)).map(screeningOf);
  }

  async close(): Promise<void> {
    // Let the opening work finish (or fail) before the pool goes.
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }
}
