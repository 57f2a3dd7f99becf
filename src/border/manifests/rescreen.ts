/**
 * Keeping live manifests current: after the follower applies changes (relief first, as the feed
 * orders it), and on a slow interval (a restriction may come into force with no change in the feed),
 * every manifest not yet departed is screened again; a manifest whose answers change gets a new version,
 * its change records and, for a carrier with a webhook, an outbox delivery — in one transaction
 * (ManifestStore.updateAnswers). Only the screenings behind changed answers are audited.
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
import type { ManifestService } from './manifestService.js';
import type { LiveManifest, ManifestStore, TravellerUpdate } from './manifestStore.js';
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

  constructor(private readonly deps: RescreenDeps) {}

  /** Resolves when no pass is running. */
  idle(): Promise<void> {
    return this.rounds.idle();
  }

  /** Asks for a pass; resolves when the replica's current state has been screened against every live manifest. */
  trigger(): Promise<void> {
    return this.rounds.request();
  }

  private async pass(): Promise<void> {
    const { store } = this.deps;
    const now = () => this.deps.now?.() ?? new Date();
    const report: PassReport = { manifests: 0, travellers: 0, changed: 0 };
    let after: { departureAt: string; manifestId: string } | undefined;
    let queued = false;
    for (;;) {
      const batch = await store.live(now().toISOString(), this.deps.manifestsPerBatch ?? 20, after);
      if (batch.length === 0) break;
      for (const m of batch) {
        const changed = await this.rescreen(m);
        report.manifests++;
        report.travellers += m.travellers.length;
        report.changed += changed;
        if (changed > 0) queued = true;
        await yieldToLoop();
      }
      const last = batch[batch.length - 1]!;
      after = { departureAt: last.departureAt, manifestId: last.manifestId };
    }
    this.last = report;
    this.passes++;
    if (report.changed > 0) this.deps.log.info(report, 'manifests re-screened: answers changed');
    if (queued) this.deps.onQueued?.();
  }

  /** Screens a live manifest again; returns how many answers changed (and stored them). */
  private async rescreen(m: LiveManifest): Promise<number> {
    const departureAt = new Date(m.departureAt);
    const updates: TravellerUpdate[] = [];
    const audits: ScreeningAuditEntry[] = [];
    for (const t of m.travellers) {
      const { stored, audit } = await this.deps.service.screenTraveller(m.manifestId, t.position, t.traveller, departureAt, RESCREEN_REQUESTER);
      if (stored.answer === t.answer) continue;
      audits.push(audit);
      const { traveller: _sent, ...update } = stored;
      updates.push(update);
    }
    if (updates.length === 0) return 0;
    await this.deps.service.recordAll(audits); // S4: the changed answers are audited before they are stored and told
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    const version = await this.deps.store.updateAnswers(m.manifestId, m.version, updates, at, (v, changes) => changeNotice(m, v, changes));
    // Another process re-screened it first: its pass recorded the same change.
    return version === null ? 0 : updates.length;
  }
}
