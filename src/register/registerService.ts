/**
 * The register's operations. Each runs in one store transaction and, in that same transaction, appends a
 * change for every entity whose border view it altered (the outbox): a change is never written without
 * its cause, nor a cause without its change.
 */
import { advance, LifecycleError, lift, serve } from '../domain/lifecycle.js';
import { DEFAULT_SERVICE_RULES, inForceFrom, type ServiceRules } from '../domain/serviceOfNotice.js';
import type { Person, Restriction } from '../domain/types.js';
import { borderPersonOf, borderRestrictionOf } from '../exchange/protocol.js';
import { sameValue as same } from '../shared/canonical.js';
import { Conflict, ErxError, NotFound } from '../shared/errors.js';
import { type Actor, checkPersonChange, DEFAULT_GRANTS, type GrantTable, IDENTITY_FIELDS, withGrantor } from './authority.js';
import type { IssueInput, PersonInput } from './schemas.js';
import type { RegisterStore, RegisterTx } from './registerStore.js';
import { noticeFor, notifyPerson } from './notifications.js';

export interface WriteResult {
  /** Sequence numbers of the changes appended (empty when nothing at the border changed). */
  changes: number[];
}


function personFrom(input: PersonInput): Person {
  const p: Person = {
    personId: input.personId,
    surname: input.surname,
    givenNames: input.givenNames,
    dateOfBirth: input.dateOfBirth,
    documents: input.documents,
    deferments: input.deferments,
  };
  if (input.patronymic) p.patronymic = input.patronymic;
  if (input.sex) p.sex = input.sex;
  if (input.contact && Object.keys(input.contact).length > 0) p.contact = input.contact;
  return p;
}

function restrictionFrom(personId: string, r: PersonInput['restrictions'][number]): Restriction {
  const out: Restriction = {
    restrictionId: r.restrictionId,
    personId,
    kind: r.kind,
    basis: r.basis,
    office: r.office,
    issuedAt: r.issuedAt,
  };
  for (const key of ['expiresAt', 'reviewAt', 'campaign'] as const) if (r[key]) out[key] = r[key];
  if (r.servedAt && r.serviceChannel) Object.assign(out, { servedAt: r.servedAt, serviceChannel: r.serviceChannel });
  if (r.deliveredAt) out.deliveredAt = r.deliveredAt;
  if (r.liftedAt && r.liftReason) Object.assign(out, { liftedAt: r.liftedAt, liftReason: r.liftReason });
  return out;
}

function conflict(err: unknown): never {
  if (err instanceof LifecycleError) throw new Conflict(err.message, err.field);
  throw err;
}

/**
 * D1: a call-up notice cannot come into force while the person holds a valid deferment. The register
 * refuses to record such a service (the office must lift the notice with reason "deferment", or serve it
 * after the deferment ends), so no checkpoint can ever be told to stop that person.
 */
function refuseDuringDeferment(r: Restriction, person: Person | undefined, field: string): void {
  if (r.kind !== 'call-up' || !r.inForceFrom || r.liftedAt || !person) return;
  const day = r.inForceFrom.slice(0, 10);
  const d = person.deferments.find((x) => x.validFrom <= day && day <= x.validTo);
  if (d) {
    throw new Conflict(
      `person ${person.personId} holds ${d.kind === 'exemption' ? 'an exemption' : 'a deferment'} (${d.category}, valid ${d.validFrom} to ${d.validTo}); call-up notice ${r.restrictionId} cannot come into force on ${day} — lift it with reason "deferment", or serve it after ${d.validTo}`,
      field,
    );
  }
}

/** A bare name is a trusted caller (an operator, the command line, the demo): no office rules apply. */
const actorOf = (actor: string | Actor): Actor => (typeof actor === 'string' ? { name: actor } : actor);

/** What a person write changed, field by field, for the audit trail: `{field: {before, after}}`. */
function changedFields(before: Person | undefined, after: Person): Record<string, { before?: unknown; after?: unknown }> {
  const out: Record<string, { before?: unknown; after?: unknown }> = {};
  // A new person's identity is the person itself (and their first version); their relief is recorded.
  const fields = before ? [...IDENTITY_FIELDS, 'deferments' as const] : (['deferments'] as const);
  for (const f of fields) {
    const was = before?.[f];
    const now = after[f];
    if (!before && Array.isArray(now) && now.length === 0) continue;
    if (!same(was ?? null, now ?? null)) out[f] = { ...(was !== undefined ? { before: was } : {}), ...(now !== undefined ? { after: now } : {}) };
  }
  return out;
}

export class RegisterService {
  constructor(
    readonly store: RegisterStore,
    readonly rules: ServiceRules = DEFAULT_SERVICE_RULES,
    /** Which office may grant which deferments (register/authority.ts); `<data>/authority.json` replaces it. */
    readonly grants: GrantTable = DEFAULT_GRANTS,
  ) {}

  /** Fixes the in-force instant by the service rules when service (or a portal delivery) is recorded. */
  private withInForce(before: Restriction | undefined, after: Restriction): Restriction {
    if (!after.servedAt) return after;
    if (before?.inForceFrom && before.servedAt === after.servedAt && before.deliveredAt === after.deliveredAt) return { ...after, inForceFrom: before.inForceFrom };
    return { ...after, inForceFrom: inForceFrom(after, this.rules)! };
  }

  private async writeRestriction(tx: RegisterTx, before: Restriction | undefined, after: Restriction, seqs: number[]) {
    if (before && same(before, after)) return;
    await tx.putRestriction(after);
    const viewBefore = before ? borderRestrictionOf(before) : null;
    const viewAfter = borderRestrictionOf(after);
    if (!same(viewBefore, viewAfter)) seqs.push(await tx.appendChange('restriction', after.restrictionId, viewAfter));
    // Telling the person, in this same transaction (register/notifications.ts).
    const notice = noticeFor(before, after);
    if (notice) await notifyPerson(tx, notice);
  }

  /**
   * Creates or updates a person and the restrictions listed with them (idempotent by personId and
   * restrictionId). Every check runs before the first write, so a refused line leaves nothing behind.
   */
  async upsertPerson(input: PersonInput, actor: string | Actor = 'system'): Promise<WriteResult> {
    return this.store.transaction((tx) => this.upsertIn(tx, input, actor));
  }

  /**
   * Loads many persons in one transaction (one disk sync instead of one per person). A refused person
   * is reported in its slot and the others still load: each check runs before that person's first write.
   */
  async upsertPersons(inputs: PersonInput[], actor: string | Actor = 'system'): Promise<(WriteResult | ErxError)[]> {
    return this.store.transaction(async (tx) => {
      const results: (WriteResult | ErxError)[] = [];
      for (const input of inputs) {
        try {
          results.push(await this.upsertIn(tx, input, actor));
        } catch (err) {
          if (!(err instanceof ErxError)) throw err;
          results.push(err);
        }
      }
      return results;
    });
  }

  private async upsertIn(tx: RegisterTx, input: PersonInput, actorOrName: string | Actor): Promise<WriteResult> {
    const actor = actorOf(actorOrName);
    const person = personFrom(input);
    const before = await tx.getPerson(person.personId);
    // A write that leaves the contact out keeps the one on record (an office may not know it); `contact: {}` removes it.
    if (input.contact === undefined && before?.contact) person.contact = before.contact;
    person.deferments = withGrantor(actor, person.deferments, before?.deferments);
    // Who may change what (authority.ts), decided on the state this transaction sees, before any write.
    const refusal = checkPersonChange({ actor, before, after: person, restrictions: before && actor.office !== undefined ? await tx.restrictionsOf(person.personId) : [], table: this.grants });
    if (refusal) throw new ErxError(refusal.status, refusal.message, refusal.field);
    const plans: { before: Restriction | undefined; after: Restriction }[] = [];
    const seen = new Set<string>();
    for (const [i, r] of input.restrictions.entries()) {
      if (seen.has(r.restrictionId)) throw new Conflict(`restriction ${r.restrictionId} is listed twice`, `restrictions.${i}.restrictionId`);
      seen.add(r.restrictionId);
      const wanted = restrictionFrom(person.personId, r);
      const existing = await tx.getRestriction(r.restrictionId);
      if (existing && existing.personId !== person.personId) {
        throw new Conflict(`restriction ${r.restrictionId} belongs to another person`, `restrictions.${i}.restrictionId`);
      }
      let after: Restriction;
      try {
        after = this.withInForce(existing, existing ? advance(existing, wanted) : checkNew(wanted));
      } catch (err) {
        if (err instanceof LifecycleError) throw new Conflict(err.message, `restrictions.${i}.${err.field}`);
        throw err;
      }
      if (!existing?.inForceFrom || existing.inForceFrom !== after.inForceFrom) refuseDuringDeferment(after, person, `restrictions.${i}.servedAt`);
      plans.push({ before: existing, after });
    }
    const seqs: number[] = [];
    const at = new Date().toISOString();
    let superseded: number | undefined;
    if (!before || !same(before, person)) {
      // The values replaced are kept, never overwritten: the person's history shows every version.
      if (before) superseded = await tx.keepPersonVersion(before, at, actor.name);
      await tx.putPerson(person);
      const view = borderPersonOf(person);
      if (!before || !same(borderPersonOf(before), view)) seqs.push(await tx.appendChange('person', person.personId, view));
    }
    for (const plan of plans) await this.writeRestriction(tx, plan.before, plan.after, seqs);
    if (!before || !same(before, person) || plans.some((p) => !p.before || !same(p.before, p.after))) {
      // Identity and relief are recorded before → after (`changed`), with the number of the version kept.
      const changed = changedFields(before, person);
      await tx.audit({
        at,
        actor: actor.name,
        action: before ? 'person.update' : 'person.create',
        subject: person.personId,
        detail: {
          restrictions: plans.map((p) => p.after.restrictionId),
          changes: seqs,
          ...(Object.keys(changed).length > 0 ? { changed } : {}),
          ...(superseded !== undefined ? { supersededVersion: superseded } : {}),
        },
      });
    }
    return { changes: seqs };
  }

  async issue(input: IssueInput, actor = 'system'): Promise<WriteResult & { created: boolean }> {
    return this.store.transaction(async (tx) => {
      if (!(await tx.getPerson(input.personId))) throw new NotFound(`person ${input.personId} is not in the register`, 'personId');
      const wanted: Restriction = { ...input };
      const existing = await tx.getRestriction(input.restrictionId);
      if (existing) {
        const { servedAt, serviceChannel, deliveredAt, inForceFrom: _f, liftedAt, liftReason, ...asIssued } = existing;
        if (same(asIssued, wanted)) return { changes: [], created: false };
        throw new Conflict(`restriction ${input.restrictionId} already exists with other details`, 'restrictionId');
      }
      const seqs: number[] = [];
      await this.writeRestriction(tx, undefined, wanted, seqs);
      await tx.audit({ actor, action: 'restriction.issue', subject: input.restrictionId, detail: { input, changes: seqs } });
      return { changes: seqs, created: true };
    });
  }

  async recordService(restrictionId: string, servedAt: string, serviceChannel: Restriction['serviceChannel'] & string, actor = 'system', deliveredAt?: string) {
    return this.transition(restrictionId, 'restriction.serve', actor, { servedAt, serviceChannel, deliveredAt }, (r) => serve(r, servedAt, serviceChannel, deliveredAt));
  }

  /**
   * Closing a call-up campaign lifts every open restriction of it, in one transaction (all or none).
   * `mayWrite` lets the caller refuse restrictions of another office.
   */
  async closeCampaign(campaign: string, closedAt: string, liftReason: NonNullable<Restriction['liftReason']>, actor = 'system', mayWrite: (r: Restriction) => void = () => {}) {
    return this.store.transaction(async (tx) => {
      const all = await tx.campaignRestrictions(campaign);
      if (all.length === 0) throw new NotFound(`campaign ${campaign} has no restrictions in the register`, 'id');
      const open = all.filter((r) => !r.liftedAt);
      const seqs: number[] = [];
      for (const r of open) {
        mayWrite(r);
        let after: Restriction;
        try {
          after = lift(r, closedAt, liftReason);
        } catch (err) {
          conflict(err);
        }
        await this.writeRestriction(tx, r, after, seqs);
      }
      await tx.audit({ actor, action: 'campaign.close', subject: campaign, detail: { closedAt, liftReason, lifted: open.map((r) => r.restrictionId), changes: seqs } });
      return { campaign, lifted: open.length, alreadyLifted: all.length - open.length, changes: seqs };
    });
  }

  async lift(restrictionId: string, liftedAt: string, liftReason: NonNullable<Restriction['liftReason']>, actor = 'system') {
    return this.transition(restrictionId, 'restriction.lift', actor, { liftedAt, liftReason }, (r) => lift(r, liftedAt, liftReason));
  }

  /**
   * The lift path, inside a transaction the caller holds (a contest upheld, an expiry): the same checks,
   * change and audit entry as `lift`, with the caller's `detail` (its case number, its reason) added.
   */
  liftIn(tx: RegisterTx, restrictionId: string, liftedAt: string, liftReason: NonNullable<Restriction['liftReason']>, actor: string, detail: object = {}) {
    return this.transitionIn(tx, restrictionId, 'restriction.lift', actor, { liftedAt, liftReason, ...detail }, (r) => lift(r, liftedAt, liftReason));
  }

  private transition(restrictionId: string, action: string, actor: string, detail: object, step: (r: Restriction) => Restriction) {
    return this.store.transaction((tx) => this.transitionIn(tx, restrictionId, action, actor, detail, step));
  }

  private async transitionIn(tx: RegisterTx, restrictionId: string, action: string, actor: string, detail: object, step: (r: Restriction) => Restriction) {
    const before = await tx.getRestriction(restrictionId);
    if (!before) throw new NotFound(`restriction ${restrictionId} is not in the register`, 'restrictionId');
    let after: Restriction;
    try {
      after = this.withInForce(before, step(before));
    } catch (err) {
      conflict(err);
    }
    if (after.inForceFrom !== before.inForceFrom) refuseDuringDeferment(after, await tx.getPerson(after.personId), 'servedAt');
    const seqs: number[] = [];
    await this.writeRestriction(tx, before, after, seqs);
    if (after !== before) await tx.audit({ actor, action, subject: restrictionId, detail: { ...detail, changes: seqs } });
    return { restriction: after, changes: seqs };
  }
}

/** A restriction arriving whole (by import) must itself be a state the lifecycle can reach. */
function checkNew(r: Restriction): Restriction {
  let out: Restriction = { ...r };
  delete out.servedAt;
  delete out.serviceChannel;
  delete out.deliveredAt;
  delete out.liftedAt;
  delete out.liftReason;
  if (r.servedAt && r.serviceChannel) out = serve(out, r.servedAt, r.serviceChannel, r.deliveredAt);
  if (r.liftedAt && r.liftReason) out = lift(out, r.liftedAt, r.liftReason);
  return out;
}
