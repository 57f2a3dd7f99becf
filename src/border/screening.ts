/**
 * Screening a traveller against the replica: parse the request, gather the evidence (match, then the
 * matched persons' restrictions and relief, and the category-wide rules), decide (decide.ts, the rules
 * S1–S8), audit the answer before giving it (S4, screeningAudit.ts).
 *
 * This file holds only the I/O around the decision: what is read from the replica, in which order, and
 * what happens when the replica cannot be read (S7: damage found before or during a screening).
 */
import { type ScreeningAnswer, type ScreeningRequest, screeningRequestSchema } from '../api/screening.js';
import type { BorderPerson } from '../exchange/protocol.js';
import type { Matcher, Traveller } from '../matching/index.js';
import { ErxError } from '../shared/errors.js';
import { parse } from '../shared/http.js';
import { type Decided, decide, decideDamaged, type ScreeningEvidence } from './decide.js';
import type { Decision } from './decision.js';
import { type Freshness, tooStaleToClear, UNKNOWN_FRESHNESS } from './freshness.js';
import { parseMrz } from './mrz.js';
import { type ManifestPosition, screeningAuditEntry } from './screeningAudit.js';
import type { ReplicaStore, ScreeningAuditEntry } from './replicaStore.js';

export const DEFAULT_MAX_STALENESS_SECONDS = 900;

// The answer's and the request's shapes are the HTTP API's (src/api/screening.ts): declared once, inferred from its schemas.
export type ScreeningResponse = ScreeningAnswer;
export { type ScreeningRequest, screeningRequestSchema } from '../api/screening.js';

export function travellerOf(request: ScreeningRequest): Traveller {
  if (request.mrz !== undefined) return parseMrz(request.mrz);
  const t: Traveller = {};
  if (request.surname) t.surname = request.surname;
  if (request.givenNames) t.givenNames = request.givenNames;
  if (request.dateOfBirth) t.dateOfBirth = request.dateOfBirth;
  if (request.documentNumber) t.documentNumber = request.documentNumber.toUpperCase();
  if (request.nationality) t.nationality = request.nationality;
  if (request.documentCountry) t.documentCountry = request.documentCountry;
  if (request.sex) t.sex = request.sex;
  return t;
}

/** Whether the replica may answer at all (S7: not when damaged) or clear (S5: not when too stale): every answer changes with it. */
export type ReplicaStanding = 'fresh' | 'too-stale-to-clear' | 'damaged';

/** The standing a screening was decided under: from its evidence, or null for a damaged replica's (which reads none). */
export function standingOf(evidence: Pick<ScreeningEvidence, 'lagSeconds' | 'maxStalenessSeconds'> | null): ReplicaStanding {
  if (!evidence) return 'damaged';
  return tooStaleToClear(evidence.lagSeconds, evidence.maxStalenessSeconds) ? 'too-stale-to-clear' : 'fresh';
}

export interface ScreeningDeps {
  store: ReplicaStore;
  matcher: Matcher;
  freshness: () => Promise<Freshness>;
  /** What is wrong with the replica's database, or null while it is sound (S7). */
  damage?: () => string | null;
  now?: () => Date;
  /** Above this lag a `clear` becomes a `refer` (S5). */
  maxStalenessSeconds?: number;
  /** The checkpoint's IANA time zone: ages and validity dates are judged on its calendar date (S6). */
  timeZone?: string;
}

/** The process's own zone (TZ, else the system's): a checkpoint's machine normally runs on local time. */
export const DEFAULT_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export class ScreeningService {
  constructor(private readonly deps: ScreeningDeps) {}

  async screen(body: unknown, requester: string): Promise<ScreeningResponse> {
    const traveller = travellerOf(parse(screeningRequestSchema, body) as ScreeningRequest);
    const damaged = this.deps.damage?.();
    if (damaged) return this.referDamaged(traveller, requester, damaged);
    try {
      return await this.screenOnReplica(traveller, requester);
    } catch (err) {
      // The screening itself may be what meets the damage first: it is then answered like the ones after it.
      const found = this.deps.damage?.();
      if (found) return this.referDamaged(traveller, requester, found);
      throw err;
    }
  }

  /** S7: refer, saying why, from nothing the damaged database holds. */
  private async referDamaged(traveller: Traveller, requester: string, damage: string): Promise<ScreeningResponse> {
    const at = this.deps.now?.() ?? new Date();
    const freshness = await this.deps.freshness().catch((): Freshness => UNKNOWN_FRESHNESS);
    return this.answer(traveller, requester, at, freshness, decideDamaged(damage, at, this.timeZone));
  }

  private async screenOnReplica(traveller: Traveller, requester: string): Promise<ScreeningResponse> {
    const { evidence, freshness } = await this.evidence(traveller, this.deps.now?.() ?? new Date());
    return this.answer(traveller, requester, evidence.at, freshness, decide(evidence));
  }

  /** What a decision is made from, read from the replica now (S1–S7's inputs). */
  private evidence(traveller: Traveller, at: Date): Promise<{ evidence: ScreeningEvidence; freshness: Freshness }> {
    return this.readTogether(() => this.readEvidence(traveller, at));
  }

  /** Reads from the replica as one read (ReplicaStore.readTogether), where the store can. */
  readTogether<T>(reads: () => Promise<T>): Promise<T> {
    const { store } = this.deps;
    return store.readTogether ? store.readTogether(reads) : reads();
  }

  private async readEvidence(traveller: Traveller, at: Date): Promise<{ evidence: ScreeningEvidence; freshness: Freshness }> {
    const { store, matcher } = this.deps;
    const freshness = await this.deps.freshness();
    if (freshness.dataAsOf === null) throw new ErxError(503, 'this replica has not finished its first bootstrap; try again shortly');
    const matches = await matcher.match(traveller, store);
    const restrictions = await store.restrictionsOf(matches.map((m) => m.personId));
    const persons = new Map<string, BorderPerson | undefined>();
    for (const m of matches) persons.set(m.personId, await store.getPerson(m.personId));
    const rules = await store.rules();
    const ids = new Set(matches.map((m) => m.personId));
    const attestations = ids.size > 0 ? (await store.attestations()).filter((a) => a.personIds.some((id) => ids.has(id))) : [];
    const { lagSeconds } = freshness;
    const maxStalenessSeconds = this.deps.maxStalenessSeconds ?? DEFAULT_MAX_STALENESS_SECONDS;
    return { evidence: { traveller, matches, restrictions, persons, attestations, rules, hitThreshold: matcher.thresholds.hit, at, timeZone: this.timeZone, lagSeconds, maxStalenessSeconds }, freshness };
  }

  /**
   * A traveller of a carrier's manifest (border/manifests): screened now exactly like a single
   * screening, and decided again on the same evidence as of `departureAt` (a restriction may come
   * into force or end in between). `audit` is the answer's audit entry (S4), naming the manifest and
   * position, for `recordAll`: a new manifest records every traveller's before it answers; a
   * re-screening only those of the answers that change, so a live manifest does not write the audit on
   * every page the feed brings.
   */
  async screenAhead(traveller: Traveller, departureAt: Date, requester: string, manifest: ManifestPosition): Promise<{ answer: ScreeningResponse; atDeparture: Decision; audit: ScreeningAuditEntry; evidence: ScreeningEvidence | null }> {
    const at = this.deps.now?.() ?? new Date();
    const damaged = this.deps.damage?.();
    let answer: ScreeningResponse;
    let atDeparture: Decision;
    let evidence: ScreeningEvidence | null = null;
    if (damaged) {
      answer = await this.damagedAnswer(traveller, at);
      atDeparture = 'refer';
    } else {
      const read = await this.evidence(traveller, at);
      evidence = read.evidence;
      answer = this.response(traveller, at, read.freshness, decide(evidence));
      atDeparture = departureAt > at ? decide({ ...evidence, at: departureAt }).decision : answer.decision;
    }
    // The evidence goes back too: a live manifest is screened again when its time-bound parts say (decisionValidUntil.ts).
    return { answer, atDeparture, audit: screeningAuditEntry(answer, requester, manifest), evidence };
  }

  /**
   * What every answer depends on beside its own evidence, for a re-screening that must notice when it
   * changes: the replica's data version, and its standing.
   */
  async standing(): Promise<{ replicaSeq: number; standing: ReplicaStanding }> {
    if (this.deps.damage?.()) {
      const { replicaSeq } = await this.deps.freshness().catch((): Freshness => UNKNOWN_FRESHNESS);
      return { replicaSeq, standing: 'damaged' };
    }
    const { replicaSeq, lagSeconds } = await this.deps.freshness();
    return { replicaSeq, standing: standingOf({ lagSeconds, maxStalenessSeconds: this.deps.maxStalenessSeconds ?? DEFAULT_MAX_STALENESS_SECONDS }) };
  }

  /** S4 for screenings answered together (a manifest): audited with one commit, before any is answered. */
  async recordAll(audits: ScreeningAuditEntry[]): Promise<void> {
    await this.deps.store.recordScreenings(audits);
  }

  private async damagedAnswer(traveller: Traveller, at: Date): Promise<ScreeningResponse> {
    const freshness = await this.deps.freshness().catch((): Freshness => UNKNOWN_FRESHNESS);
    return this.response(traveller, at, freshness, decideDamaged(this.deps.damage?.() ?? 'damaged', at, this.timeZone));
  }

  private response(traveller: Traveller, at: Date, freshness: Freshness, decided: Decided): ScreeningResponse {
    const { decision, reasons, crossingDate } = decided;
    return { decision, reasons, ...freshness, crossingDate, timeZone: this.timeZone, screeningId: crypto.randomUUID(), screenedAt: at.toISOString(), traveller };
  }

  /** S4: the answer is audited before it is given. */
  private async answer(traveller: Traveller, requester: string, at: Date, freshness: Freshness, decided: Decided): Promise<ScreeningResponse> {
    const response = this.response(traveller, at, freshness, decided);
    await this.deps.store.recordScreening(screeningAuditEntry(response, requester));
    return response;
  }

  private get timeZone(): string {
    return this.deps.timeZone ?? DEFAULT_TIME_ZONE;
  }
}
