/**
 * Manifests on embedded SQLite: `manifests.db` in the replica's data directory (WAL, so every process
 * answering HTTP for the replica reads and writes the same file). Apart from `state.db` because a
 * bootstrap replaces that file whole, and a manifest must outlive a re-bootstrap. The file holds the
 * carriers' webhook secrets, so it is made readable by its owner only. See ManifestStore for the
 * guarantees; each write here is one SQLite transaction (better-sqlite3 runs it synchronously, so no
 * other statement of this connection interleaves, and other processes wait on SQLite's write lock).
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestChange } from '../../api/manifests.js';
import type { Delivery, LiveManifest, ManifestStore, RescreenSchedule, Rescheduled, StoredManifest, TravellerUpdate, Webhook } from '../../border/manifests/manifestStore.js';
import type { ReplicaStanding } from '../../border/screening.js';
import { type Db, migrate, openDatabase } from '../../shared/sqlite.js';
import { writeUnderLock } from '../../shared/sqliteWriteLock.js';
import { changeOf, liveOf, manifestOf, type ManifestRow, type TravellerRow } from '../manifestRows.js';

const SCHEMA = [
  `CREATE TABLE manifests (manifest_id TEXT PRIMARY KEY, carrier TEXT NOT NULL, service TEXT NOT NULL, departure_at TEXT NOT NULL,
     from_place TEXT NOT NULL, to_place TEXT NOT NULL, received_at TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX manifests_by_departure ON manifests (departure_at, manifest_id);
   CREATE TABLE manifest_travellers (manifest_id TEXT NOT NULL, position INTEGER NOT NULL, traveller TEXT NOT NULL, answer TEXT NOT NULL,
     screening_id TEXT NOT NULL, decision TEXT NOT NULL, decision_at_departure TEXT NOT NULL, reasons TEXT NOT NULL,
     PRIMARY KEY (manifest_id, position)) WITHOUT ROWID;
   CREATE TABLE manifest_changes (manifest_id TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL, from_answer TEXT NOT NULL,
     to_answer TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (manifest_id, version, position)) WITHOUT ROWID;
   CREATE TABLE carrier_webhooks (carrier TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE webhook_outbox (delivery_id INTEGER PRIMARY KEY AUTOINCREMENT, carrier TEXT NOT NULL, body TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0, due_at TEXT NOT NULL, last_error TEXT);
   CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at);`,
  // The re-screening schedule (RescreenSchedule). A manifest stored before it has data_seq 0 and no
  // standing, so the first clock pass screens it again and gives it one.
  `ALTER TABLE manifests ADD COLUMN recheck_at TEXT;
   ALTER TABLE manifests ADD COLUMN data_seq INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE manifests ADD COLUMN standing TEXT NOT NULL DEFAULT '';`,
];

export class SqliteManifestStore implements ManifestStore {
  private readonly db: Db;

  constructor(dataDir: string) {
    const file = join(dataDir, 'manifests.db');
    // FULL: a manifest answered to a carrier, and a change promised to its webhook, survive a power cut.
    this.db = openDatabase(file, { synchronous: 'FULL' });
    chmodSync(file, 0o600);
    migrate(this.db, SCHEMA, 'manifests');
  }

  async create(m: StoredManifest, schedule: RescreenSchedule): Promise<void> {
    const insertTraveller = this.db.prepare('INSERT INTO manifest_travellers VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    writeUnderLock(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO manifests (manifest_id, carrier, service, departure_at, from_place, to_place, received_at, version, recheck_at, data_seq, standing)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(m.manifestId, m.carrier, m.service, m.departureAt, m.from, m.to, m.receivedAt, m.version, schedule.recheckAt, schedule.dataSeq, schedule.standing);
      for (const t of m.travellers) {
        insertTraveller.run(m.manifestId, t.position, JSON.stringify(t.traveller), t.answer, t.screeningId, t.decision, t.decisionAtDeparture, JSON.stringify(t.reasons));
      }
    });
  }

  async get(manifestId: string): Promise<StoredManifest | undefined> {
    const row = this.db.prepare<[string], ManifestRow>('SELECT * FROM manifests WHERE manifest_id = ?').get(manifestId);
    if (!row) return undefined;
    const travellers = this.db.prepare<[string], TravellerRow>('SELECT * FROM manifest_travellers WHERE manifest_id = ? ORDER BY position').all(manifestId);
    return manifestOf(row, travellers);
  }

  async changesSince(manifestId: string, sinceVersion: number): Promise<ManifestChange[]> {
    return this.db
      .prepare<[string, number], Parameters<typeof changeOf>[0]>('SELECT * FROM manifest_changes WHERE manifest_id = ? AND version > ? ORDER BY version, position')
      .all(manifestId, sinceVersion)
      .map(changeOf);
  }

  async live(now: string, limit: number, after?: { departureAt: string; manifestId: string }): Promise<LiveManifest[]> {
    return this.liveWhere('', [], now, limit, after);
  }

  async due(now: string, replica: { dataSeq: number; standing: ReplicaStanding }, limit: number, after?: { departureAt: string; manifestId: string }): Promise<LiveManifest[]> {
    return this.liveWhere(' AND (recheck_at <= ? OR data_seq < ? OR standing <> ?)', [now, replica.dataSeq, replica.standing], now, limit, after);
  }

  /** Live manifests (departing after `now`) meeting `condition` too, a batch at a time in departure order. */
  private liveWhere(condition: string, params: (string | number)[], now: string, limit: number, after?: { departureAt: string; manifestId: string }): LiveManifest[] {
    const rows = after
      ? this.db
          .prepare<(string | number)[], ManifestRow>(
            `SELECT * FROM manifests WHERE departure_at > ?${condition} AND (departure_at, manifest_id) > (?, ?) ORDER BY departure_at, manifest_id LIMIT ?`,
          )
          .all(now, ...params, after.departureAt, after.manifestId, limit)
      : this.db.prepare<(string | number)[], ManifestRow>(`SELECT * FROM manifests WHERE departure_at > ?${condition} ORDER BY departure_at, manifest_id LIMIT ?`).all(now, ...params, limit);
    const travellers = this.db.prepare<[string], TravellerRow>('SELECT manifest_id, position, traveller, answer FROM manifest_travellers WHERE manifest_id = ? ORDER BY position');
    return rows.map((r) => liveOf(r, travellers.all(r.manifest_id)));
  }

  async reschedule(entries: Rescheduled[]): Promise<void> {
    if (entries.length === 0) return;
    const write = this.db.prepare('UPDATE manifests SET recheck_at = ?, data_seq = ?, standing = ? WHERE manifest_id = ? AND version = ?');
    writeUnderLock(this.db, () => {
      for (const e of entries) write.run(e.schedule.recheckAt, e.schedule.dataSeq, e.schedule.standing, e.manifestId, e.version);
    });
  }

  async updateAnswers(
    manifestId: string,
    expectedVersion: number,
    updates: TravellerUpdate[],
    schedule: RescreenSchedule,
    at: string,
    notify: (version: number, changes: ManifestChange[]) => string,
  ): Promise<number | null> {
    // IMMEDIATE: it reads the version and then writes, while other workers write new manifests; a
    // deferred transaction would fail to upgrade (SQLITE_BUSY_SNAPSHOT) after another's commit.
    return writeUnderLock(this.db, (): number | null => {
      const row = this.db.prepare<[string], { version: number; carrier: string }>('SELECT version, carrier FROM manifests WHERE manifest_id = ?').get(manifestId);
      if (!row || row.version !== expectedVersion) return null;
      const version = expectedVersion + 1;
      const current = this.db.prepare<[string, number], { answer: string }>('SELECT answer FROM manifest_travellers WHERE manifest_id = ? AND position = ?');
      const write = this.db.prepare(
        'UPDATE manifest_travellers SET answer = ?, screening_id = ?, decision = ?, decision_at_departure = ?, reasons = ? WHERE manifest_id = ? AND position = ?',
      );
      const record = this.db.prepare('INSERT INTO manifest_changes VALUES (?, ?, ?, ?, ?, ?)');
      const changes: ManifestChange[] = [];
      for (const u of updates) {
        const before = current.get(manifestId, u.position);
        if (!before) continue;
        write.run(u.answer, u.screeningId, u.decision, u.decisionAtDeparture, JSON.stringify(u.reasons), manifestId, u.position);
        if (before.answer !== u.answer) {
          record.run(manifestId, version, u.position, before.answer, u.answer, at);
          changes.push({ version, position: u.position, from: before.answer as ManifestChange['from'], to: u.answer, at });
        }
      }
      this.db
        .prepare('UPDATE manifests SET version = ?, recheck_at = ?, data_seq = ?, standing = ? WHERE manifest_id = ?')
        .run(version, schedule.recheckAt, schedule.dataSeq, schedule.standing, manifestId);
      if (changes.length > 0 && this.db.prepare('SELECT 1 FROM carrier_webhooks WHERE carrier = ?').get(row.carrier)) {
        this.db.prepare('INSERT INTO webhook_outbox (carrier, body, due_at) VALUES (?, ?, ?)').run(row.carrier, notify(version, changes), at);
      }
      return version;
    });
  }

  async setWebhook(w: Webhook): Promise<void> {
    this.db.prepare('INSERT INTO carrier_webhooks VALUES (?, ?, ?) ON CONFLICT (carrier) DO UPDATE SET url = excluded.url, secret = excluded.secret').run(w.carrier, w.url, w.secret);
  }

  async webhook(carrier: string): Promise<Webhook | undefined> {
    return this.db.prepare<[string], Webhook>('SELECT carrier, url, secret FROM carrier_webhooks WHERE carrier = ?').get(carrier);
  }

  async dueDeliveries(now: string, limit: number): Promise<Delivery[]> {
    return this.db
      .prepare<[string, number], Delivery>(
        `SELECT o.delivery_id AS deliveryId, o.carrier, w.url, w.secret, o.body, o.attempts, o.due_at AS dueAt, o.last_error AS lastError
         FROM webhook_outbox o JOIN carrier_webhooks w ON w.carrier = o.carrier WHERE o.due_at <= ? ORDER BY o.due_at, o.delivery_id LIMIT ?`,
      )
      .all(now, limit);
  }

  async delivered(deliveryId: number): Promise<void> {
    this.db.prepare('DELETE FROM webhook_outbox WHERE delivery_id = ?').run(deliveryId);
  }

  async failed(deliveryId: number, nextDueAt: string, error: string): Promise<void> {
    this.db.prepare('UPDATE webhook_outbox SET attempts = attempts + 1, due_at = ?, last_error = ? WHERE delivery_id = ?').run(nextDueAt, error.slice(0, 500), deliveryId);
  }

  async pendingDeliveries(): Promise<number> {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM webhook_outbox').get()!.n;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
