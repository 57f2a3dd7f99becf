/**
 * Review and expiry (domain/dueProcessRules.ts). Offices see their restrictions due for review ahead of
 * time; reviewing one keeps it in force and moves its review deadline (audited, and recorded as the
 * "review extended" event the person may be told of). A restriction not reviewed by its deadline is
 * lifted with reason `expiry` by `expireDue`, which the register runs on an interval
 * (app/register/expiryScheduler.ts).
 *
 * `expireDue` is idempotent and crash-safe: each restriction is lifted in a transaction of its own that
 * reads it again and lifts it only if it is still open and still due, so a run cut off (kill -9) loses
 * only lifts not yet committed — the next run makes them — and never lifts anything twice.
 */
import { DAY_MS, DEFAULT_DUE_PROCESS_RULES, type DueProcessRules, extendedReviewAt, isExpiryDue, isReviewDueSoon, maxInForceDays, reviewDeadline, reviewIntervalDays } from '../domain/dueProcessRules.js';
import type { RestrictionReview } from '../domain/review.js';
import { RESTRICTION_KINDS, type Restriction, type RestrictionKind } from '../domain/types.js';
import { borderRestrictionOf } from '../exchange/protocol.js';
import { sameValue as same } from '../shared/canonical.js';
import { Conflict, ErxError, NotFound } from '../shared/errors.js';
import { faultPointInExpiry } from '../shared/faults.js';
import type { RegisterService } from './registerService.js';
import { notifyPerson } from './notifications.js';
import type { ReviewCandidatesQuery } from './registerStore.js';

/** Who lifts an expired restriction, in the audit trail. */
export const EXPIRY_ACTOR = 'register:expiry';
const PAGE = 500;

export interface ReviewServiceOptions {
  rules?: DueProcessRules;
  now?: () => Date;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class ReviewService {
  readonly rules: DueProcessRules;
  private readonly now: () => Date;

  constructor(
    private readonly service: RegisterService,
    options: ReviewServiceOptions = {},
  ) {
    this.rules = options.rules ?? DEFAULT_DUE_PROCESS_RULES;
    this.now = options.now ?? (() => new Date());
  }

  private get store() {
    return this.service.store;
  }

  /**
   * The SQL bounds for "due by `by`", a day looser than the rules (instants written with and without
   * milliseconds compare as text); the rules then decide exactly.
   */
  private candidatesQuery(by: number, office: string | undefined, after: string | undefined): ReviewCandidatesQuery {
    const loose = by + DAY_MS;
    const unreviewed: Partial<Record<RestrictionKind, string>> = {};
    const started: Partial<Record<RestrictionKind, string>> = {};
    for (const kind of RESTRICTION_KINDS) {
      const interval = reviewIntervalDays(this.rules, kind);
      const max = maxInForceDays(this.rules, kind);
      if (interval !== undefined) unreviewed[kind] = iso(loose - interval * DAY_MS);
      if (max !== undefined) started[kind] = iso(loose - max * DAY_MS);
    }
    return { reviewAtBefore: iso(loose), unreviewedStartedBefore: unreviewed, startedBefore: started, ...(office !== undefined ? { office } : {}), ...(after !== undefined ? { after } : {}), limit: PAGE };
  }

  /** Every open restriction whose review deadline is at or before `by`, page by page. */
  private async *dueBy(by: number, office?: string): AsyncIterable<Restriction> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.reviewCandidates(this.candidatesQuery(by, office, after));
      for (const r of page) {
        const deadline = reviewDeadline(this.rules, r);
        if (deadline !== undefined && Date.parse(deadline) <= by) yield r;
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.restrictionId;
    }
  }

  /** Open restrictions due for review within `withinDays` (default: the notice period), soonest first. */
  async due(options: { office?: string; withinDays?: number; limit: number }) {
    const now = this.now();
    const within = options.withinDays ?? this.rules.reviewNoticeDays;
    const out: { restriction: Restriction; reviewDeadline: string; overdue: boolean }[] = [];
    for await (const r of this.dueBy(now.getTime() + within * DAY_MS, options.office)) {
      if (!isReviewDueSoon(this.rules, r, now, within)) continue;
      const deadline = reviewDeadline(this.rules, r)!;
      out.push({ restriction: r, reviewDeadline: deadline, overdue: Date.parse(deadline) <= now.getTime() });
    }
    out.sort((a, b) => Date.parse(a.reviewDeadline) - Date.parse(b.reviewDeadline) || a.restriction.restrictionId.localeCompare(b.restriction.restrictionId));
    return out.slice(0, options.limit);
  }

  /** How many open restrictions are due within the notice period (for the gauge), counting at most `cap`. */
  async countDue(cap = 100_000): Promise<number> {
    const now = this.now();
    let n = 0;
    for await (const _ of this.dueBy(now.getTime() + this.rules.reviewNoticeDays * DAY_MS)) if (++n >= cap) break;
    return n;
  }

  /** The issuing office (`office`; undefined for an operator) reviews a restriction: it stays, until `reviewAt`. */
  async review(restrictionId: string, body: { note: string; extendUntil?: string | undefined }, actor: string, office: string | undefined) {
    const reviewedAt = this.now().toISOString();
    return this.store.transaction(async (tx) => {
      const before = await tx.getRestriction(restrictionId);
      if (!before) throw new NotFound(`restriction ${restrictionId} is not in the register`, 'id');
      if (office !== undefined && office !== before.office) throw new ErxError(403, `office ${office} may not review restrictions of office ${before.office}`, 'id');
      if (before.liftedAt) throw new Conflict(`restriction ${restrictionId} was lifted (${before.liftedAt}, ${before.liftReason}); there is nothing to review`, 'id');
      const next = extendedReviewAt(this.rules, before, reviewedAt, body.extendUntil);
      if (typeof next !== 'string') throw new Conflict(next.refusal, 'extendUntil');
      const after: Restriction = { ...before, reviewAt: next };
      await tx.putRestriction(after);
      // The review date is the register's own (not in the border view); were it ever shown there, it travels.
      const changes: number[] = [];
      if (!same(borderRestrictionOf(before), borderRestrictionOf(after))) changes.push(await tx.appendChange('restriction', restrictionId, borderRestrictionOf(after)));
      const review: RestrictionReview = {
        restrictionId,
        personId: before.personId,
        office: before.office,
        reviewedAt,
        reviewedBy: actor,
        note: body.note,
        ...(before.reviewAt ? { previousReviewAt: before.reviewAt } : {}),
        reviewAt: next,
      };
      await tx.addReview(review);
      await notifyPerson(tx, { kind: 'review-extended', personId: before.personId, restrictionId, office: before.office, basis: before.basis, at: next });
      await tx.audit({ at: reviewedAt, actor, action: 'restriction.review', subject: restrictionId, detail: { note: body.note, previousReviewAt: before.reviewAt ?? null, reviewAt: next, changes } });
      return { restriction: after, review, changes };
    });
  }

  /** Lifts, with reason `expiry`, every open restriction past its review deadline; returns how many. */
  async expireDue(): Promise<{ lifted: string[] }> {
    const now = this.now();
    const lifted: string[] = [];
    const due: Restriction[] = [];
    for await (const r of this.dueBy(now.getTime())) due.push(r);
    for (const candidate of due) {
      const done = await this.store.transaction(async (tx) => {
        const r = await tx.getRestriction(candidate.restrictionId);
        if (!r || !isExpiryDue(this.rules, r, now)) return false; // lifted or reviewed meanwhile
        await this.service.liftIn(tx, r.restrictionId, now.toISOString(), 'expiry', EXPIRY_ACTOR, { reviewDeadline: reviewDeadline(this.rules, r) });
        faultPointInExpiry(); // the crash test's kill -9, before this lift commits
        return true;
      });
      if (done) lifted.push(candidate.restrictionId);
    }
    return { lifted };
  }
}
