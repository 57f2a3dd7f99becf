/**
 * Carriers' manifests on a border replica: a new manifest is screened traveller by traveller with the
 * replica's ScreeningService (each screening audited like a single one, naming the manifest and the
 * position), answered in the carrier's terms (carrierAnswer.ts) and stored (manifestStore.ts); a live
 * manifest is screened again after the feed changes the replica (rescreen.ts), and the carrier reads it
 * back, with what changed since a version.
 */
import { randomUUID } from 'node:crypto';
import type { ManifestAnswer, ManifestRequest, ManifestTraveller } from '../../api/manifests.js';
import type { BorderManifestAnswer } from '../../api/manifests.js';
import { NotFound } from '../../shared/errors.js';
import type { ScreeningAuditEntry } from '../replicaStore.js';
import { type ReplicaStanding, type ScreeningService, standingOf, travellerOf } from '../screening.js';
import { carrierAnswer, carrierView } from './carrierAnswer.js';
import { decisionValidUntil } from '../decisionValidUntil.js';
import type { ManifestStore, RescreenSchedule, StoredManifest, StoredTraveller } from './manifestStore.js';

export interface ManifestServiceDeps {
  store: ManifestStore;
  screening: ScreeningService;
  now?: () => Date;
}

/** A manifest traveller as the matcher reads them (the same path as a typed screening). */
export function matchingTraveller(t: ManifestTraveller) {
  return travellerOf({
    surname: t.surname,
    givenNames: t.givenNames,
    dateOfBirth: t.dateOfBirth,
    documentNumber: t.documentNumber,
    nationality: t.nationality,
    ...(t.sex ? { sex: t.sex } : {}),
    ...(t.documentCountry ? { documentCountry: t.documentCountry } : {}),
  });
}

/** Of one traveller's screening: until when its answer stands with the data unchanged, the data's version, the replica's standing. */
export interface ScreeningTiming {
  validUntil: Date | null;
  replicaSeq: number;
  standing: ReplicaStanding;
}

/**
 * A manifest's schedule from its travellers' screenings: the earliest time any answer may change, the
 * oldest data any was screened on, and the standing they were screened under (`mixed` if it moved).
 */
export function scheduleOf(timings: ScreeningTiming[]): RescreenSchedule {
  let recheckAt = Infinity;
  let dataSeq = Infinity;
  const standings = new Set<ReplicaStanding>();
  for (const t of timings) {
    if (t.validUntil) recheckAt = Math.min(recheckAt, t.validUntil.getTime());
    dataSeq = Math.min(dataSeq, t.replicaSeq);
    standings.add(t.standing);
  }
  return {
    recheckAt: recheckAt === Infinity ? null : new Date(recheckAt).toISOString(),
    dataSeq: dataSeq === Infinity ? 0 : dataSeq,
    standing: standings.size === 1 ? [...standings][0]! : 'mixed',
  };
}

export class ManifestService {
  constructor(private readonly deps: ManifestServiceDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Screens one traveller now and as of departure; `audit` is the screening's audit entry, for
   * `ScreeningService.recordAll`; `timing` says until when the answer stands with the data unchanged,
   * and which data it was screened against (for the manifest's RescreenSchedule).
   */
  async screenTraveller(manifestId: string, position: number, t: ManifestTraveller, departureAt: Date, requester: string) {
    const { answer, atDeparture, audit, evidence } = await this.deps.screening.screenAhead(matchingTraveller(t), departureAt, requester, { manifestId, position });
    const timing: ScreeningTiming = { validUntil: evidence ? decisionValidUntil(evidence, departureAt) : null, replicaSeq: answer.replicaSeq, standing: standingOf(evidence) };
    const stored: StoredTraveller = {
      position,
      traveller: t,
      answer: carrierAnswer(answer.decision, atDeparture),
      screeningId: answer.screeningId,
      decision: answer.decision,
      decisionAtDeparture: atDeparture,
      reasons: answer.reasons,
    };
    return { stored, audit, timing };
  }

  /** What the screenings behind a manifest's answers depend on (border/screening.ts standing()). */
  standing() {
    return this.deps.screening.standing();
  }

  /** Runs `reads` (screenings of a manifest's travellers) as one read of the replica. */
  readTogether<T>(reads: () => Promise<T>): Promise<T> {
    return this.deps.screening.readTogether(reads);
  }

  /** Audits screenings of manifest travellers with one commit (S4). */
  recordAll(audits: ScreeningAuditEntry[]): Promise<void> {
    return this.deps.screening.recordAll(audits);
  }

  /** Screens, audits and stores a new manifest; answers in the manifest's order. */
  async submit(request: ManifestRequest, requester: string): Promise<ManifestAnswer> {
    const manifestId = randomUUID();
    // One format for every stored instant, so the store may compare them as text.
    const departureAt = new Date(request.departureAt);
    const travellers: StoredTraveller[] = [];
    const audits: ScreeningAuditEntry[] = [];
    const timings: ScreeningTiming[] = [];
    // The whole manifest read from the replica as one read: one snapshot for all its travellers, and one
    // read transaction instead of one per traveller (ReplicaStore.readTogether).
    await this.deps.screening.readTogether(async () => {
      for (const [i, t] of request.travellers.entries()) {
        const { stored, audit, timing } = await this.screenTraveller(manifestId, i + 1, t, departureAt, requester);
        travellers.push(stored);
        audits.push(audit);
        timings.push(timing);
      }
    });
    await this.recordAll(audits); // S4: every screening audited, with one commit, before any is answered
    const manifest: StoredManifest = {
      manifestId,
      carrier: request.carrier,
      service: request.service,
      departureAt: departureAt.toISOString(),
      from: request.from,
      to: request.to,
      receivedAt: this.now().toISOString(),
      version: 1,
      travellers,
    };
    await this.deps.store.create(manifest, scheduleOf(timings));
    return carrierView(manifest, this.now());
  }

  /** The carrier's view; another carrier's manifest is as unknown as a missing one (ids cannot be probed). */
  async forCarrier(manifestId: string, carrier: string | null, since?: number): Promise<ManifestAnswer> {
    const m = await this.deps.store.get(manifestId);
    if (!m || (carrier !== null && m.carrier !== carrier)) throw new NotFound(`no manifest ${manifestId} of yours on this replica`);
    const changes = since !== undefined ? await this.deps.store.changesSince(manifestId, since) : undefined;
    return carrierView(m, this.now(), changes);
  }

  /** The border's view: every traveller's screening with its reasons, and every change. */
  async forBorder(manifestId: string): Promise<BorderManifestAnswer> {
    const m = await this.deps.store.get(manifestId);
    if (!m) throw new NotFound(`no manifest ${manifestId} on this replica`);
    const changes = await this.deps.store.changesSince(manifestId, 0);
    return { ...m, travellers: m.travellers as BorderManifestAnswer['travellers'], changes };
  }
}
