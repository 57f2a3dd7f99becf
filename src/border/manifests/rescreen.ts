/**
 * Keeping live manifests current. A manifest whose answers change gets a new version, its change
 * records and, for a carrier with a webhook, an outbox delivery — in one transaction
 * (ManifestStore.updateAnswers). Only the screenings behind changed answers are audited.
 *
 * Two kinds of pass:
 *  - a full pass (`trigger`), after the follower changes the replica's data (a page applied, relief, a
 *    bootstrap): every manifest not yet departed is screened again;
 *  - a clock pass (`tick`, on a slow interval), for answers that change with no change in the feed: it
 *    reads only the manifests the store says are due (ManifestStore.due) — those whose recheckAt has
 *    come (a restriction coming into force, a lift or a deferment ending at a set time, a birthday:
 *    border/decisionValidUntil.ts); those screened against data older than the replica's (a manifest
 *    answered while a full pass ran, which that pass may not have read); and those screened under
 *    another standing of the replica than its present one (S5: too stale to clear, or fresh again; S7:
 *    damaged — every answer may change with it).
 * Every screening gives its manifest a new RescreenSchedule, written with the changed answers or, when
 * none changed, with one write per batch of manifests. The schedule is the store's, not this process's:
 * a manifest answered by another worker, or before a restart, is due by the same rule.
 *
 * Bounded, so it never slows the feed: passes never overlap (a trigger during a pass asks for one
 * more pass after it, however many triggers came), manifests are read `manifestsPerBatch` at a time,
 * and the event loop is yielded between manifests so the follower's I/O goes on. Manifests past their
 * departure are never read again.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { requesterOf } from '../../audit/requester.js';
import type { Logger } from '../../shared/log.js';
import { changeNotice } from './carrierAnswer.js';
import type { ScreeningAuditEntry } from '../replicaStore.js';
import { type ManifestService, scheduleOf, type ScreeningTiming } from './manifestService.js';
import type { LiveManifest, ManifestStore, Rescheduled, RescreenSchedule, TravellerUpdate } from './manifestStore.js';
import { CoalescedRounds } from '../../shared/coalescedRounds.js';

export interface RescreenDeps {
  store: ManifestStore;
  service: ManifestService;
  log: Logger;
  now?: () => Date;
  manifestsPerBatch?: number;
  /** Called when a pass queued webhook deliveries. */
  onQueued?: () => void;
}

export interface PassReport {
  /** A full pass read every live manifest; a clock pass only those due. */
  full: boolean;
  manifests: number;
  travellers: number;
  changed: number;
}

export const RESCREEN_REQUESTER = requesterOf('manifest-rescreen', 'replica');

export class Rescreener {
  private readonly rounds = new CoalescedRounds(
    () => this.pass(),
    (err) => this.deps.log.error({ err }, 'manifest re-screening failed; it runs again after the next change'),
  );
  /** The last pass's counts, for status and tests. */
  last: PassReport | null = null;
  passes = 0;
  /** The data changed since the last full pass began: the next pass reads every manifest. */
  private dataChanged = false;

  constructor(private readonly deps: RescreenDeps) {}

  /** Resolves when no pass is running. */
  idle(): Promise<void> {
    return this.rounds.idle();
  }

  /** The replica's data changed: asks for a full pass; resolves when its current state has been screened against every live manifest. */
  trigger(): Promise<void> {
    this.dataChanged = true;
    return this.rounds.request();
  }

  /** Time passed: asks for a clock pass; resolves when it has run. */
  tick(): Promise<void> {
    return this.rounds.request();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async pass(): Promise<void> {
    const dataChanged = this.dataChanged;
    this.dataChanged = false;
    try {
      await this.passOnce(dataChanged);
    } catch (err) {
      // A full pass that failed is owed: the next one reads everything again.
      if (dataChanged) this.dataChanged = true;
      throw err;
    }
  }

  private async passOnce(full: boolean): Promise<void> {
    const { store } = this.deps;
    const replica = full ? null : await this.deps.service.standing();
    const report: PassReport = { full, manifests: 0, travellers: 0, changed: 0 };
    const limit = this.deps.manifestsPerBatch ?? 20;
    let after: { departureAt: string; manifestId: string } | undefined;
    let queued = false;
    for (;;) {
      const now = this.now().toISOString();
      const batch = replica ? await store.due(now, { dataSeq: replica.replicaSeq, standing: replica.standing }, limit, after) : await store.live(now, limit, after);
      if (batch.length === 0) break;
      const rescheduled: Rescheduled[] = [];
      for (const m of batch) {
        const { changed, schedule } = await this.rescreen(m);
        report.manifests++;
        report.travellers += m.travellers.length;
        report.changed += changed;
        if (changed > 0) queued = true;
        else if (schedule && (schedule.recheckAt !== m.recheckAt || schedule.dataSeq !== m.dataSeq || schedule.standing !== m.standing)) {
          rescheduled.push({ manifestId: m.manifestId, version: m.version, schedule });
        }
        await yieldToLoop();
      }
      await store.reschedule(rescheduled);
      const last = batch[batch.length - 1]!;
      after = { departureAt: last.departureAt, manifestId: last.manifestId };
    }
    this.last = report;
    this.passes++;
    if (report.changed > 0) this.deps.log.info(report, 'manifests re-screened: answers changed');
    if (queued) this.deps.onQueued?.();
  }

  /**
   * Screens a live manifest again; returns how many answers changed (stored with the new schedule) and,
   * when none did, the schedule to write.
   */
  private async rescreen(m: LiveManifest): Promise<{ changed: number; schedule: RescreenSchedule | null }> {
    const departureAt = new Date(m.departureAt);
    const updates: TravellerUpdate[] = [];
    const audits: ScreeningAuditEntry[] = [];
    const timings: ScreeningTiming[] = [];
    await this.deps.service.readTogether(async () => {
      for (const t of m.travellers) {
        const { stored, audit, timing } = await this.deps.service.screenTraveller(m.manifestId, t.position, t.traveller, departureAt, RESCREEN_REQUESTER);
        timings.push(timing);
        if (stored.answer === t.answer) continue;
        audits.push(audit);
        const { traveller: _sent, ...update } = stored;
        updates.push(update);
      }
    });
    const schedule = scheduleOf(timings);
    if (updates.length === 0) return { changed: 0, schedule };
    await this.deps.service.recordAll(audits); // S4: the changed answers are audited before they are stored and told
    const at = this.now().toISOString();
    const version = await this.deps.store.updateAnswers(m.manifestId, m.version, updates, schedule, at, (v, changes) => changeNotice(m, v, changes));
    // Another process re-screened it first: its pass recorded the same change.
    return { changed: version === null ? 0 : updates.length, schedule: null };
  }
}
