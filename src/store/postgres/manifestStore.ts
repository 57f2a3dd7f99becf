/**
 * Manifests on PostgreSQL: a schema of their own beside the replica's (`<replica schema>_manifests`),
 * so that every process answering HTTP for a border central database shares them, and the replica's
 * schema and its migrations stay the replica's. See ManifestStore for the guarantees: `updateAnswers`
 * locks the manifest's row (SELECT … FOR UPDATE) and refuses unless its version is still the expected
 * one; its writes and the outbox row commit together. Instants are kept as ISO text (UTC, one format),
 * compared as text like on SQLite (in the C collation, byte order, as SQLite does).
 */
import type { ManifestChange } from '../../api/manifests.js';
import type { Delivery, LiveManifest, ManifestStore, RescreenSchedule, Rescheduled, StoredManifest, TravellerUpdate, Webhook } from '../../border/manifests/manifestStore.js';
import type { ReplicaStanding } from '../../border/screening.js';
import { changeOf, type ChangeRow, liveOf, manifestOf, type ManifestRow, type TravellerRow } from '../manifestRows.js';
import { checkSchemaName, createPool, inTransaction, migrate, type Pool, type PostgresLocation } from './db.js';

const SCHEMA: ((s: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.manifests (manifest_id text COLLATE "C" PRIMARY KEY, carrier text NOT NULL, service text NOT NULL, departure_at text COLLATE "C" NOT NULL,
      from_place text NOT NULL, to_place text NOT NULL, received_at text NOT NULL, version integer NOT NULL);
    CREATE INDEX manifests_by_departure ON ${s}.manifests (departure_at, manifest_id);
    CREATE TABLE ${s}.manifest_travellers (manifest_id text NOT NULL REFERENCES ${s}.manifests, position integer NOT NULL, traveller jsonb NOT NULL,
      answer text NOT NULL, screening_id text NOT NULL, decision text NOT NULL, decision_at_departure text NOT NULL, reasons jsonb NOT NULL,
      PRIMARY KEY (manifest_id, position));
    CREATE TABLE ${s}.manifest_changes (manifest_id text NOT NULL REFERENCES ${s}.manifests, version integer NOT NULL, position integer NOT NULL,
      from_answer text NOT NULL, to_answer text NOT NULL, at text NOT NULL, PRIMARY KEY (manifest_id, version, position));
    CREATE TABLE ${s}.carrier_webhooks (carrier text PRIMARY KEY, url text NOT NULL, secret text NOT NULL);
    CREATE TABLE ${s}.webhook_outbox (delivery_id bigserial PRIMARY KEY, carrier text NOT NULL, body text NOT NULL,
      attempts integer NOT NULL DEFAULT 0, due_at text COLLATE "C" NOT NULL, last_error text);
    CREATE INDEX webhook_outbox_due ON ${s}.webhook_outbox (due_at);`,
  // The re-screening schedule (RescreenSchedule). A manifest stored before it has data_seq 0 and no
  // standing, so the first clock pass screens it again and gives it one.
  (s) => `
    ALTER TABLE ${s}.manifests ADD COLUMN recheck_at text COLLATE "C";
    ALTER TABLE ${s}.manifests ADD COLUMN data_seq bigint NOT NULL DEFAULT 0;
    ALTER TABLE ${s}.manifests ADD COLUMN standing text NOT NULL DEFAULT '';`,
];

/** The manifests' schema beside a replica's: `<schema>_manifests`. */
export function manifestSchemaOf(replicaSchema: string): string {
  return `${replicaSchema}_manifests`;
}

export class PostgresManifestStore implements ManifestStore {
  readonly ready: Promise<void>;
  private readonly pool: Pool;
  private readonly s: string;

  constructor(location: PostgresLocation) {
    this.s = checkSchemaName(location.schema);
    this.pool = createPool({ ...location, maxConnections: location.maxConnections ?? 4 }, 'erx-border-manifests');
    this.ready = migrate(this.pool, location.schema, 'manifests', SCHEMA);
    this.ready.catch(() => undefined);
  }

  static async open(location: PostgresLocation): Promise<PostgresManifestStore> {
    const store = new PostgresManifestStore(location);
    try {
      await store.ready;
    } catch (err) {
      await store.pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  async create(m: StoredManifest, schedule: RescreenSchedule): Promise<void> {
    await this.ready;
    const s = this.s;
    await inTransaction(this.pool, 'BEGIN', async (c) => {
      await c.query(
        `INSERT INTO ${s}.manifests (manifest_id, carrier, service, departure_at, from_place, to_place, received_at, version, recheck_at, data_seq, standing)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [m.manifestId, m.carrier, m.service, m.departureAt, m.from, m.to, m.receivedAt, m.version, schedule.recheckAt, schedule.dataSeq, schedule.standing],
      );
      // One statement for the whole list: a 1,000-traveller manifest is one round trip, not a thousand.
      await c.query(
        `INSERT INTO ${s}.manifest_travellers SELECT $1, t.position, t.traveller, t.answer, t.screening_id, t.decision, t.decision_at_departure, t.reasons
         FROM jsonb_to_recordset($2::jsonb) AS t(position integer, traveller jsonb, answer text, screening_id text, decision text, decision_at_departure text, reasons jsonb)`,
        [
          m.manifestId,
          JSON.stringify(
            m.travellers.map((t) => ({ position: t.position, traveller: t.traveller, answer: t.answer, screening_id: t.screeningId, decision: t.decision, decision_at_departure: t.decisionAtDeparture, reasons: t.reasons })),
          ),
        ],
      );
    });
  }

  async get(manifestId: string): Promise<StoredManifest | undefined> {
    await this.ready;
    const row = (await this.pool.query<ManifestRow>(`SELECT * FROM ${this.s}.manifests WHERE manifest_id = $1`, [manifestId])).rows[0];
    if (!row) return undefined;
    const travellers = (await this.pool.query<TravellerRow>(`SELECT * FROM ${this.s}.manifest_travellers WHERE manifest_id = $1 ORDER BY position`, [manifestId])).rows;
    return manifestOf(row, travellers);
  }

  async changesSince(manifestId: string, sinceVersion: number): Promise<ManifestChange[]> {
    await this.ready;
    const rows = (await this.pool.query<ChangeRow>(`SELECT * FROM ${this.s}.manifest_changes WHERE manifest_id = $1 AND version > $2 ORDER BY version, position`, [manifestId, sinceVersion])).rows;
    return rows.map(changeOf);
  }

  async live(now: string, limit: number, after?: { departureAt: string; manifestId: string }): Promise<LiveManifest[]> {
    return this.liveWhere('', [], now, limit, after);
  }

  async due(now: string, replica: { dataSeq: number; standing: ReplicaStanding }, limit: number, after?: { departureAt: string; manifestId: string }): Promise<LiveManifest[]> {
    // $1 is `now` in every query of liveWhere; $2 and $3 the replica's data version and standing.
    return this.liveWhere(' AND (recheck_at <= $1 OR data_seq < $2 OR standing <> $3)', [replica.dataSeq, replica.standing], now, limit, after);
  }

  /** Live manifests (departing after `now`, $1) meeting `condition` too (its parameters from $2), a batch at a time in departure order. */
  private async liveWhere(condition: string, params: unknown[], now: string, limit: number, after?: { departureAt: string; manifestId: string }): Promise<LiveManifest[]> {
    await this.ready;
    const s = this.s;
    const n = params.length + 2;
    const rows = after
      ? (
          await this.pool.query<ManifestRow>(
            `SELECT * FROM ${s}.manifests WHERE departure_at > $1${condition} AND (departure_at, manifest_id) > ($${n}, $${n + 1}) ORDER BY departure_at, manifest_id LIMIT $${n + 2}`,
            [now, ...params, after.departureAt, after.manifestId, limit],
          )
        ).rows
      : (await this.pool.query<ManifestRow>(`SELECT * FROM ${s}.manifests WHERE departure_at > $1${condition} ORDER BY departure_at, manifest_id LIMIT $${n}`, [now, ...params, limit])).rows;
    if (rows.length === 0) return [];
    const travellers = (
      await this.pool.query<TravellerRow>(`SELECT manifest_id, position, traveller, answer FROM ${s}.manifest_travellers WHERE manifest_id = ANY($1) ORDER BY manifest_id, position`, [
        rows.map((r) => r.manifest_id),
      ])
    ).rows;
    return rows.map((r) => liveOf(r, travellers.filter((t) => t.manifest_id === r.manifest_id)));
  }

  async reschedule(entries: Rescheduled[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ready;
    // One statement for the batch: the version guard is in its join.
    await this.pool.query(
      `UPDATE ${this.s}.manifests m SET recheck_at = e.recheck_at, data_seq = e.data_seq, standing = e.standing
       FROM jsonb_to_recordset($1::jsonb) AS e(manifest_id text, version integer, recheck_at text, data_seq bigint, standing text)
       WHERE m.manifest_id = e.manifest_id AND m.version = e.version`,
      [JSON.stringify(entries.map((e) => ({ manifest_id: e.manifestId, version: e.version, recheck_at: e.schedule.recheckAt, data_seq: e.schedule.dataSeq, standing: e.schedule.standing })))],
    );
  }

  async updateAnswers(
    manifestId: string,
    expectedVersion: number,
    updates: TravellerUpdate[],
    schedule: RescreenSchedule,
    at: string,
    notify: (version: number, changes: ManifestChange[]) => string,
  ): Promise<number | null> {
    await this.ready;
    const s = this.s;
    return inTransaction(this.pool, 'BEGIN', async (c) => {
      const row = (await c.query<{ version: number; carrier: string }>(`SELECT version, carrier FROM ${s}.manifests WHERE manifest_id = $1 FOR UPDATE`, [manifestId])).rows[0];
      if (!row || row.version !== expectedVersion) return null;
      const version = expectedVersion + 1;
      const before = new Map(
        (await c.query<{ position: number; answer: string }>(`SELECT position, answer FROM ${s}.manifest_travellers WHERE manifest_id = $1`, [manifestId])).rows.map((r) => [r.position, r.answer]),
      );
      const changes: ManifestChange[] = [];
      for (const u of updates) {
        const was = before.get(u.position);
        if (was === undefined) continue;
        await c.query(
          `UPDATE ${s}.manifest_travellers SET answer = $1, screening_id = $2, decision = $3, decision_at_departure = $4, reasons = $5 WHERE manifest_id = $6 AND position = $7`,
          [u.answer, u.screeningId, u.decision, u.decisionAtDeparture, JSON.stringify(u.reasons), manifestId, u.position],
        );
        if (was !== u.answer) {
          await c.query(`INSERT INTO ${s}.manifest_changes VALUES ($1, $2, $3, $4, $5, $6)`, [manifestId, version, u.position, was, u.answer, at]);
          changes.push({ version, position: u.position, from: was as ManifestChange['from'], to: u.answer, at });
        }
      }
      await c.query(`UPDATE ${s}.manifests SET version = $1, recheck_at = $2, data_seq = $3, standing = $4 WHERE manifest_id = $5`, [
        version,
        schedule.recheckAt,
        schedule.dataSeq,
        schedule.standing,
        manifestId,
      ]);
      if (changes.length > 0 && (await c.query(`SELECT 1 FROM ${s}.carrier_webhooks WHERE carrier = $1`, [row.carrier])).rowCount) {
        await c.query(`INSERT INTO ${s}.webhook_outbox (carrier, body, due_at) VALUES ($1, $2, $3)`, [row.carrier, notify(version, changes), at]);
      }
      return version;
    });
  }

  async setWebhook(w: Webhook): Promise<void> {
    await this.ready;
    await this.pool.query(`INSERT INTO ${this.s}.carrier_webhooks VALUES ($1, $2, $3) ON CONFLICT (carrier) DO UPDATE SET url = excluded.url, secret = excluded.secret`, [w.carrier, w.url, w.secret]);
  }

  async webhook(carrier: string): Promise<Webhook | undefined> {
    await this.ready;
    return (await this.pool.query<Webhook>(`SELECT carrier, url, secret FROM ${this.s}.carrier_webhooks WHERE carrier = $1`, [carrier])).rows[0];
  }

  async dueDeliveries(now: string, limit: number): Promise<Delivery[]> {
    await this.ready;
    const s = this.s;
    return (
      await this.pool.query<Delivery>(
        `SELECT o.delivery_id AS "deliveryId", o.carrier, w.url, w.secret, o.body, o.attempts, o.due_at AS "dueAt", o.last_error AS "lastError"
         FROM ${s}.webhook_outbox o JOIN ${s}.carrier_webhooks w ON w.carrier = o.carrier WHERE o.due_at <= $1 ORDER BY o.due_at, o.delivery_id LIMIT $2`,
        [now, limit],
      )
    ).rows;
  }

  async delivered(deliveryId: number): Promise<void> {
    await this.ready;
    await this.pool.query(`DELETE FROM ${this.s}.webhook_outbox WHERE delivery_id = $1`, [deliveryId]);
  }

  async failed(deliveryId: number, nextDueAt: string, error: string): Promise<void> {
    await this.ready;
    await this.pool.query(`UPDATE ${this.s}.webhook_outbox SET attempts = attempts + 1, due_at = $1, last_error = $2 WHERE delivery_id = $3`, [nextDueAt, error.slice(0, 500), deliveryId]);
  }

  async pendingDeliveries(): Promise<number> {
    await this.ready;
    return (await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${this.s}.webhook_outbox`)).rows[0]!.n;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }
}
