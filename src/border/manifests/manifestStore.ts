/**
 * Where a replica keeps carriers' manifests, their answers' history, carriers' webhooks and the outbox
 * of webhook deliveries (the manifests' storage port). Implementations: src/store/sqlite/manifestStore.ts
 * (`manifests.db` beside the replica's state, so a bootstrap that replaces `state.db` leaves manifests
 * alone) and src/store/postgres/manifestStore.ts (a schema of its own beside the replica's); both pass
 * one contract suite (test/store/manifests.test.ts).
 *
 * The store, not a process's memory, is the truth: any process that answers HTTP reads and writes it,
 * and one process (the one that applies the feed) re-screens and delivers.
 *
 * Guarantees an implementation must give:
 *  - Atomic: `updateAnswers` writes the new answers, the version, the change records and (when the
 *    carrier has a webhook) one outbox delivery together, or nothing; `create` writes a manifest whole.
 *  - Guarded by the version: `updateAnswers` changes nothing and returns null unless the stored version
 *    is still `expectedVersion`, checked inside its transaction, so two re-screenings racing cannot
 *    both record the same change.
 *  - Versions: a new manifest is version 1; each `updateAnswers` adds exactly 1; changes carry the
 *    version they made.
 *  - At least once: an outbox delivery stays due until `delivered` is called for it; `failed` only
 *    moves it later. It survives a restart (it is a row, not a timer).
 *  - Scheduled: each manifest keeps its RescreenSchedule, written with the manifest (`create`), with
 *    its new answers (`updateAnswers`, in the same transaction) or alone (`reschedule`, guarded by the
 *    version like `updateAnswers`); `due` reads exactly the live manifests whose schedule has come.
 */
import type { CarrierAnswer, ManifestChange, ManifestTraveller } from '../../api/manifests.js';
import type { Decision } from '../decision.js';
import type { ReplicaStanding } from '../screening.js';

/** One traveller as the border keeps them: what was sent, the carrier's answer and the full screening behind it. */
export interface StoredTraveller {
  /** 1-based, in the manifest's order. */
  position: number;
  traveller: ManifestTraveller;
  answer: CarrierAnswer;
  screeningId: string;
  decision: Decision;
  decisionAtDeparture: Decision;
  /** The screening's reasons as the officer sees them (api/screening.ts ScreeningReason). */
  reasons: unknown[];
}

export interface StoredManifest {
  manifestId: string;
  carrier: string;
  service: string;
  /** ISO instant (UTC). */
  departureAt: string;
  from: string;
  to: string;
  receivedAt: string;
  version: number;
  travellers: StoredTraveller[];
}

/**
 * When a manifest must be screened again with no new page from the feed (border/manifests/rescreen.ts):
 * the clock reaches `recheckAt`; the replica's data moved past `dataSeq` without a pass having screened
 * this manifest (one that was being answered while a page's pass ran); or the replica's standing is no
 * longer `standing` (it became too stale to clear, or fresh again, or damaged).
 */
export interface RescreenSchedule {
  /**
   * ISO instant (UTC): the earliest at which any traveller's answer may change with the data unchanged
   * (border/decisionValidUntil.ts, over the travellers); null when none can before departure.
   */
  recheckAt: string | null;
  /** The replica's data version (its cursor) the answers were screened against: the lowest of the travellers'. */
  dataSeq: number;
  /** The replica's standing the answers were screened under; `mixed` when it changed between travellers. */
  standing: ReplicaStanding | 'mixed';
}

/** What re-screening needs of a live manifest: no reasons, just enough to screen again and compare. */
export interface LiveManifest extends RescreenSchedule {
  manifestId: string;
  carrier: string;
  service: string;
  departureAt: string;
  version: number;
  travellers: Pick<StoredTraveller, 'position' | 'traveller' | 'answer'>[];
}

/** A manifest screened again whose answers all stood: its new schedule, if its version is still `version`. */
export interface Rescheduled {
  manifestId: string;
  version: number;
  schedule: RescreenSchedule;
}

/** A traveller whose screening was redone: the new answer and everything behind it. */
export type TravellerUpdate = Omit<StoredTraveller, 'traveller'>;

export interface Webhook {
  carrier: string;
  url: string;
  secret: string;
}

/** One webhook delivery waiting in the outbox. */
export interface Delivery {
  deliveryId: number;
  carrier: string;
  url: string;
  secret: string;
  /** The exact bytes to send (JSON): signed as they are. */
  body: string;
  attempts: number;
  /** ISO instant of the next attempt. */
  dueAt: string;
  lastError: string | null;
}

export interface ManifestStore {
  create(manifest: StoredManifest, schedule: RescreenSchedule): Promise<void>;
  get(manifestId: string): Promise<StoredManifest | undefined>;
  /** Changes recorded after `sinceVersion`, oldest first. */
  changesSince(manifestId: string, sinceVersion: number): Promise<ManifestChange[]>;
  /**
   * Manifests departing after `now`, in departure order, at most `limit`, starting after the manifest
   * `after` (its departureAt and id: a cursor for going through them in bounded batches).
   */
  live(now: string, limit: number, after?: { departureAt: string; manifestId: string }): Promise<LiveManifest[]>;
  /**
   * Like `live`, but only the manifests due for re-screening by the clock: recheckAt at or before
   * `now`, or screened against data older than the replica's `dataSeq`, or under another standing.
   */
  due(now: string, replica: { dataSeq: number; standing: ReplicaStanding }, limit: number, after?: { departureAt: string; manifestId: string }): Promise<LiveManifest[]>;
  /**
   * Writes the travellers' new screenings (answers that changed produce change records) and the
   * manifest's new schedule, as version expectedVersion + 1, and queues `notify(version)`'s body for
   * the carrier's webhook if it has one; returns the new version, or null when the stored version is
   * no longer `expectedVersion`.
   */
  updateAnswers(
    manifestId: string,
    expectedVersion: number,
    updates: TravellerUpdate[],
    schedule: RescreenSchedule,
    at: string,
    notify: (version: number, changes: ManifestChange[]) => string,
  ): Promise<number | null>;
  /** Writes the new schedules of manifests whose answers stood (version unchanged), in one transaction; skips any whose version moved. */
  reschedule(entries: Rescheduled[]): Promise<void>;
  setWebhook(webhook: Webhook): Promise<void>;
  webhook(carrier: string): Promise<Webhook | undefined>;
  /** Deliveries due at `now`, oldest first, at most `limit`. */
  dueDeliveries(now: string, limit: number): Promise<Delivery[]>;
  delivered(deliveryId: number): Promise<void>;
  failed(deliveryId: number, nextDueAt: string, error: string): Promise<void>;
  /** Deliveries not yet made (for status and tests). */
  pendingDeliveries(): Promise<number>;
  close(): Promise<void>;
}
