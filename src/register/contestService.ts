/**
 * Contests (domain/contest.ts): a person files one against a restriction they hold, the issuing office
 * answers it, the person follows it by its case number.
 *
 * Filing is public, so it reveals no more than the self-check does: the person is identified by
 * document number + date of birth, and "nobody holds these", "someone else holds the document", "the
 * person holds no open restriction" and "that restriction is not theirs" are one answer (404, the
 * same words, after the same lookups and the same floor in time). Following a case needs the same
 * identification; a wrong one is the same 404 as an unknown case number, never someone else's case.
 *
 * Every step is audited (who, what) with the restriction as subject, so it shows on the person's page;
 * the contact address and the reason stay in the contest record, never in the trail or a log. An
 * upheld contest lifts the restriction through the register's lift path (registerService.liftIn) in the
 * same transaction as the answer: relief, in the change log, travelling first.
 */
import { randomBytes } from 'node:crypto';
import type { ContestAnswerBody, ContestCase, ContestRequest } from '../api/contests.js';
import { answerContest, type Contest, isOverdue } from '../domain/contest.js';
import { contestDeadline, DEFAULT_DUE_PROCESS_RULES, type DueProcessRules } from '../domain/dueProcessRules.js';
import { isInForce } from '../domain/lifecycle.js';
import type { Contact, Restriction } from '../domain/types.js';
import { Conflict, ErxError, NotFound } from '../shared/errors.js';
import { answerNoSoonerThan, identify, IDENTIFY_FLOOR_MS, isThePerson } from './personIdentification.js';
import type { RegisterService } from './registerService.js';
import { notifyPerson } from './notifications.js';
import type { ContestQuery, RegisterTx } from './registerStore.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `C-<year>-` and 16 base32 characters: 80 random bits, so case numbers cannot be guessed or walked. */
export function newCaseNumber(at: Date): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += BASE32[b & 31];
  return `C-${at.getUTCFullYear()}-${out}`;
}

const NOT_FOUND_FILE = 'no open restriction was found for this document number and date of birth; check both as they are in your passport, or use the self-check';
const NOT_FOUND_CASE = 'no case with this number was found for this document number and date of birth; check all three';

/** Still to be contested: not lifted, not expired (it may not be in force yet: a notice issued, not served). */
const isOpen = (r: Restriction, now: Date) => !r.liftedAt && (!r.expiresAt || Date.parse(r.expiresAt) > now.getTime());

export interface ContestServiceOptions {
  rules?: DueProcessRules;
  now?: () => Date;
  floorMs?: number;
}

export class ContestService {
  readonly rules: DueProcessRules;
  private readonly now: () => Date;
  private readonly floorMs: number;

  constructor(
    private readonly service: RegisterService,
    options: ContestServiceOptions = {},
  ) {
    this.rules = options.rules ?? DEFAULT_DUE_PROCESS_RULES;
    this.now = options.now ?? (() => new Date());
    this.floorMs = options.floorMs ?? IDENTIFY_FLOOR_MS;
  }

  private get store() {
    return this.service.store;
  }

  /** Files a contest; `actor` is who brought it (the public, or the replica that forwarded it). */
  async file(input: ContestRequest, actor: string): Promise<Contest> {
    const startedAt = performance.now();
    const now = this.now();
    try {
      return await this.store.transaction(async (tx) => {
        const person = await identify(this.store, input.documentNumber, input.dateOfBirth);
        const held = person ? await tx.restrictionsOf(person.personId) : await tx.restrictionsOf('(nobody)');
        const open = held.filter((r) => isOpen(r, now));
        if (input.restrictionId === undefined && open.length > 1) {
          throw new ErxError(400, `you hold ${open.length} restrictions: name the one you contest (its number is on the self-check page)`, 'restrictionId');
        }
        const target = input.restrictionId === undefined ? open[0] : open.find((r) => r.restrictionId === input.restrictionId);
        if (!person || !target) throw new NotFound(NOT_FOUND_FILE, 'documentNumber');
        const already = await this.store.contests({ state: 'open', office: target.office, limit: 1000 });
        const same = already.find((c) => c.restrictionId === target.restrictionId);
        if (same) throw new Conflict(`this restriction is already contested: follow case ${same.caseNumber}`, 'restrictionId');
        const filedAt = now.toISOString();
        const contest: Contest = {
          caseNumber: newCaseNumber(now),
          restrictionId: target.restrictionId,
          personId: person.personId,
          office: target.office,
          contact: input.contact,
          reason: input.reason,
          filedAt,
          deadline: contestDeadline(this.rules, target.kind, filedAt),
          state: 'open',
        };
        await tx.putContest(contest);
        await tx.audit({ at: filedAt, actor, action: 'contest.file', subject: target.restrictionId, detail: { caseNumber: contest.caseNumber, office: contest.office, deadline: contest.deadline, inForce: isInForce(target, now) } });
        return contest;
      });
    } finally {
      await answerNoSoonerThan(startedAt, this.floorMs);
    }
  }

  /** The case as the person sees it, when the identification is theirs; otherwise the one 404. */
  async follow(caseNumber: string, documentNumber: string, dateOfBirth: string): Promise<ContestCase> {
    const startedAt = performance.now();
    try {
      const contest = await this.store.getContest(caseNumber);
      const person = await this.store.getPerson(contest?.personId ?? '(nobody)');
      if (!contest || !isThePerson(person, documentNumber, dateOfBirth)) throw new NotFound(NOT_FOUND_CASE, 'caseNumber');
      return publicView(contest);
    } finally {
      await answerNoSoonerThan(startedAt, this.floorMs);
    }
  }

  async list(query: Omit<ContestQuery, 'deadlineBefore'> & { overdue?: boolean }) {
    const now = this.now();
    const { overdue, ...rest } = query;
    const found = await this.store.contests({ ...rest, ...(overdue ? { state: 'open' as const, deadlineBefore: now.toISOString() } : {}) });
    const shown = overdue === false ? found.filter((c) => !isOverdue(c, now)) : found;
    const counts = await this.store.contestCounts(now.toISOString());
    const kinds = new Map<string, Restriction['kind']>();
    for (const c of shown) if (!kinds.has(c.restrictionId)) { const r = await this.store.getRestriction(c.restrictionId); if (r) kinds.set(c.restrictionId, r.kind); }
    return { contests: shown.map((c) => ({ ...c, ...(kinds.has(c.restrictionId) ? { kind: kinds.get(c.restrictionId)! } : {}), overdue: isOverdue(c, now) })), ...counts };
  }

  /**
   * The issuing office (or an operator: `office` undefined) answers. Upheld lifts the restriction with
   * reason `cancellation` in the same transaction; a second answer is 409.
   */
  async answer(caseNumber: string, body: ContestAnswerBody, actor: string, office: string | undefined): Promise<Contest> {
    const at = this.now().toISOString();
    return this.store.transaction(async (tx) => {
      const contest = await tx.getContest(caseNumber);
      if (!contest) throw new NotFound(`contest ${caseNumber} is not in the register`, 'caseNumber');
      if (office !== undefined && office !== contest.office) throw new ErxError(403, `office ${office} may not answer contests of restrictions of office ${contest.office}`, 'caseNumber');
      const answered = answerContest(contest, { decision: body.decision, reasons: body.reasons, answeredBy: actor }, at);
      if ('refusal' in answered) throw new Conflict(answered.refusal, 'caseNumber');
      let lifted: number[] = [];
      const r = await tx.getRestriction(contest.restrictionId);
      if (body.decision === 'upheld' && r && !r.liftedAt) lifted = (await this.service.liftIn(tx, r.restrictionId, at, 'cancellation', actor, { contest: caseNumber })).changes;
      await tx.putContest(answered);
      await notifyPerson(tx, { kind: 'contest-answered', personId: contest.personId, restrictionId: contest.restrictionId, caseNumber, office: contest.office, basis: r?.basis ?? '', at, reason: body.decision }, await answerContact(tx, contest));
      await tx.audit({ at, actor, action: 'contest.answer', subject: contest.restrictionId, detail: { caseNumber, decision: body.decision, reasons: body.reasons, changes: lifted } });
      return answered;
    });
  }
}

/**
 * Where the answer of a contest goes. The contest's contact is an e-mail address or a phone number;
 * erx sends e-mail and webhooks but no text messages, so only an e-mail address given with the contest
 * is used (in the language of the person's own contact, if any). A phone number falls back to the
 * person's contact on record — which the office gave and which already hears of the lift — and with
 * none, the person is not notified (they follow the case by its number).
 */
async function answerContact(tx: RegisterTx, contest: Contest): Promise<Contact | undefined> {
  const own = (await tx.getPerson(contest.personId))?.contact;
  if (!contest.contact.includes('@')) return own;
  return { email: contest.contact, ...(own?.language ? { language: own.language } : {}) };
}

export function publicView(c: Contest): ContestCase {
  return {
    caseNumber: c.caseNumber,
    state: c.state,
    restrictionId: c.restrictionId,
    office: c.office,
    filedAt: c.filedAt,
    deadline: c.deadline,
    ...(c.answeredAt ? { answeredAt: c.answeredAt } : {}),
    ...(c.answer ? { decision: c.answer.decision, reasons: c.answer.reasons } : {}),
  };
}
