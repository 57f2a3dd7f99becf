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
 *
 * This class is the facade of ReplicaStore: it opens the pool, migrates and waits for that before
 * every operation; each concern lives in replica/: schema.ts (tables, migrations, count triggers),
 * replicaDb.ts (the pool, schema name, matcher and cache they all work through), bootstrap.ts,
 * apply.ts, repair.ts (digests, bucket repair, the reindex), reads.ts, rowWrites.ts (the rows they all
 * write) and stateWrites.ts (the final states a write leaves).
 */
import type { BatchToApply } from '../../exchange/planPage.js';
import type { BootstrapWriter, RepairReport, ReplicaState, ReplicaStore, ScreeningAuditEntry, SealOutcome } from '../../border/replicaStore.js';
import type { SignedOutcome } from '../../exchange/outcome.js';
import { PostgresOutcomes } from './replica/outcomes.js';
import type { BucketDigests } from '../../exchange/digest.js';
import type { BorderAttestation, BorderOffice, BorderPerson, BorderRestriction, BorderRule, SnapshotRecord } from '../../exchange/protocol.js';
import type { ListedPerson, Matcher } from '../../matching/index.js';
import { PostgresAuditTrail } from './auditTrail.js';
import { SCHEMA } from './replica/schema.js';
import { screeningAuditEntry, screeningOf, SCREENING_ACTION } from '../screeningAudit.js';
import { CachedBetweenWrites } from '../cachedBetweenWrites.js';
import type { SyncView } from '../../border/syncView.js';
import { SYNC_VIEW_KEY } from '../rows.js';
import { deepFreeze } from '../../shared/deepFreeze.js';
import { checkSchemaName, createPool, migrate, type PostgresLocation } from './db.js';
import * as apply from './replica/apply.js';
import * as bootstrap from './replica/bootstrap.js';
import * as reads from './replica/reads.js';
import * as repair from './replica/repair.js';
import type { ReplicaDb } from './replica/replicaDb.js';

export interface PostgresReplicaOptions extends PostgresLocation {
  matcher: Pick<Matcher, 'version' | 'indexKeys'>;
  /** Called while the name index is rebuilt for a new matcher version: (done, total). */
  onReindex?: (done: number, total: number) => void;
  /**
   * `reader`: a worker beside the replica's one writer (app/border/workers.ts): it never migrates,
   * drops a bootstrap under way or reindexes (the writer does), and keeps nothing between reads, since
   * it cannot see the writer's commits. Default `writer`.
   */
  role?: 'writer' | 'reader';
}

export class PostgresReplicaStore implements ReplicaStore {
  /** Resolves once the schema is migrated, leftovers dropped and the name index current. */
  readonly ready: Promise<void>;
  /** The screening audit: append-only and hash-chained. */
  readonly trail: PostgresAuditTrail;
  private readonly r: ReplicaDb;
  private readonly outcomes: PostgresOutcomes;

  constructor(options: PostgresReplicaOptions) {
    const s = checkSchemaName(options.schema);
    const fetchRows = options.fetchRows ?? 1000;
    const pool = createPool(options, 'erx-border');
    const reader = options.role === 'reader';
    const cache = reader ? new CachedBetweenWrites(() => true) : new CachedBetweenWrites();
    const r: ReplicaDb = { pool, s, fetchRows, matcher: options.matcher, onReindex: options.onReindex, cache, bootstrapGeneration: 0 };
    this.r = r;
    this.trail = new PostgresAuditTrail(pool, s, fetchRows);
    this.outcomes = new PostgresOutcomes(pool, s, this.trail);
    this.ready = (async () => {
      if (reader) return;
      await migrate(pool, options.schema, 'replica', SCHEMA);
      // A half-built bootstrap from a crashed run is worthless: start it again from scratch.
      await bootstrap.dropNext(r);
      await repair.reindexIfMatcherChanged(r);
    })();
    this.ready.catch(() => undefined);
  }

  /** Connects, migrates and reindexes; throws if the database cannot be reached or its schema is newer than this erx. */
  static async open(options: PostgresReplicaOptions): Promise<PostgresReplicaStore> {
    const store = new PostgresReplicaStore(options);
    try {
      await store.ready;
    } catch (err) {
      await store.r.pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  async rules(): Promise<BorderRule[]> {
    await this.ready;
    return [...(await this.r.cache.read('rules', () => reads.readRules(this.r, this.r.pool)))];
  }

  async offices(): Promise<BorderOffice[]> {
    await this.ready;
    return [...(await this.r.cache.read('offices', () => reads.readOffices(this.r, this.r.pool)))];
  }

  async state(): Promise<ReplicaState> {
    await this.ready;
    return { ...(await this.r.cache.read('state', () => reads.readState(this.r))) };
  }

  async beginBootstrap(): Promise<BootstrapWriter> {
    await this.ready;
    return bootstrap.beginBootstrap(this.r);
  }

  async applyBatches(expectedCursor: number, batches: BatchToApply[], registerSeq: number, registerTime: string): Promise<void> {
    await this.ready;
    await apply.applyBatches(this.r, expectedCursor, batches, registerSeq, registerTime);
  }

  async applyRelief(expectedCursor: number, batches: BatchToApply[]): Promise<number> {
    await this.ready;
    return apply.applyRelief(this.r, expectedCursor, batches);
  }

  async knownBatchHashes(lastSeqs: number[]): Promise<Map<number, string>> {
    await this.ready;
    return apply.knownBatchHashes(this.r, lastSeqs);
  }

  async noteContact(registerSeq: number, registerTime: string, caughtUp: boolean): Promise<void> {
    await this.ready;
    await apply.noteContact(this.r, registerSeq, registerTime, caughtUp);
  }

  async digest(): Promise<BucketDigests> {
    await this.ready;
    return repair.digest(this.r);
  }

  async repairBuckets(expectedCursor: number, buckets: number[], records: SnapshotRecord[]): Promise<RepairReport> {
    await this.ready;
    return repair.repairBuckets(this.r, expectedCursor, buckets, records);
  }

  async byDocument(number: string, country?: string): Promise<ListedPerson[]> {
    await this.ready;
    return reads.byDocument(this.r, number, country);
  }

  async byNameKeys(keys: string[], limit: number): Promise<ListedPerson[]> {
    await this.ready;
    return reads.byNameKeys(this.r, keys, limit);
  }

  async restrictionsOf(personIds: string[]): Promise<BorderRestriction[]> {
    await this.ready;
    return reads.restrictionsOf(this.r, personIds);
  }

  async getPerson(personId: string): Promise<BorderPerson | undefined> {
    await this.ready;
    return reads.getPerson(this.r, personId);
  }

  async recordScreening(entry: ScreeningAuditEntry): Promise<void> {
    await this.ready;
    await this.trail.append(screeningAuditEntry(entry));
  }

  async recordScreenings(entries: ScreeningAuditEntry[]): Promise<void> {
    await this.ready;
    await this.trail.appendAll(entries.map(screeningAuditEntry));
  }

  async attestations(): Promise<BorderAttestation[]> {
    await this.ready;
    return [...(await this.r.cache.read('attestations', () => reads.readAttestations(this.r, this.r.pool)))];
  }

  async screening(screeningId: string): Promise<ScreeningAuditEntry | undefined> {
    await this.ready;
    const entry = await this.trail.about(SCREENING_ACTION, screeningId);
    return entry ? screeningOf(entry) : undefined;
  }

  async recordOutcome(screeningId: string, seal: SealOutcome): Promise<SignedOutcome> {
    await this.ready;
    return this.outcomes.record(screeningId, seal);
  }

  async outcomeOf(screeningId: string): Promise<SignedOutcome | undefined> {
    await this.ready;
    return this.outcomes.outcomeOf(screeningId);
  }

  async outcomesAfter(after: number, limit: number): Promise<SignedOutcome[]> {
    await this.ready;
    return this.outcomes.after(after, limit);
  }

  async outcomesAcknowledged(): Promise<number> {
    await this.ready;
    return this.outcomes.acknowledged();
  }

  async acknowledgeOutcomes(n: number): Promise<void> {
    await this.ready;
    await this.outcomes.acknowledge(n);
  }

  async screenings(limit: number, checkpoint?: string): Promise<ScreeningAuditEntry[]> {
    await this.ready;
    return (await this.trail.recent(SCREENING_ACTION, limit, checkpoint)).map(screeningOf);
  }

  async publishSyncView(view: SyncView): Promise<void> {
    await this.ready;
    await this.r.cache.write(() => this.r.pool.query(`INSERT INTO ${this.r.s}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [SYNC_VIEW_KEY, JSON.stringify(view)]));
  }

  async syncView(): Promise<SyncView | null> {
    await this.ready;
    return this.r.cache.read(SYNC_VIEW_KEY, async () => {
      const row = (await this.r.pool.query<{ value: string }>(`SELECT value FROM ${this.r.s}.meta WHERE key = $1`, [SYNC_VIEW_KEY])).rows[0];
      return row ? deepFreeze(JSON.parse(row.value) as SyncView) : null;
    });
  }

  async close(): Promise<void> {
    // Let the opening work finish (or fail) before the pool goes.
    await this.ready.catch(() => undefined);
    await this.r.pool.end();
  }
}
