/**
 * The due-process part of the register's storage contract (contests, reviews, review candidates) and
 * the services over it, run against both backends: what a contest and its answer store, that an upheld
 * answer lifts through the change log in the same transaction, that a refused answer writes nothing,
 * and that the expiry run lifts each due restriction once and only once.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Contest } from '../../src/domain/contest.js';
import { dueProcessRulesSchema } from '../../src/domain/dueProcessRules.js';
import { ContestService } from '../../src/register/contestService.js';
import { RegisterService } from '../../src/register/registerService.js';
import { ReviewService } from '../../src/register/reviewService.js';
import { ErxError } from '../../src/shared/errors.js';
import { callUp, person, served, testSigner } from '../helpers.js';
import { type Backend, BACKENDS, unavailableHere } from './backends.js';

const TIMEOUT = { timeout: 120_000 };

function contract(name: string, fn: (t: TestContext, b: Backend) => Promise<void>): void {
  for (const backend of BACKENDS) {
    test(`${backend.name}: ${name}`, TIMEOUT, async (t) => {
      if (await unavailableHere(t, backend)) return;
      await fn(t, backend);
    });
  }
}

const NOW = new Date('2026-12-07T12:00:00.000Z');
const rules = dueProcessRulesSchema.parse({ contestDeadlineDays: { 'court-order': 14 }, reviewIntervalDays: { 'call-up': 30 }, reviewNoticeDays: 10 });

async function setUp(t: TestContext, b: Backend) {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  let now = NOW;
  const clock = () => now;
  const contests = new ContestService(service, { rules, now: clock, floorMs: 0 });
  const reviews = new ReviewService(service, { rules, now: clock });
  return { store, service, contests, reviews, trail: b.trail(store), setNow: (d: Date) => (now = d) };
}

const contest = (over: Partial<Contest> = {}): Contest => ({
  caseNumber: 'C-2026-ABCDEFGHIJKLMNOP',
  restrictionId: 'CU-1',
  personId: 'P-1',
  office: 'MO-Moscow-12',
  contact: 'ivanov@example.org',
  reason: 'I was never called up',
  filedAt: '2026-12-01T00:00:00.000Z',
  deadline: '2026-12-08T00:00:00.000Z',
  state: 'open',
  ...over,
});

contract('contests: stored whole, replaced by case number, listed by office, state and deadline, counted', async (t, b) => {
  const { store } = await setUp(t, b);
  await store.transaction(async (tx) => {
    await tx.putContest(contest());
    await tx.putContest(contest({ caseNumber: 'C-2026-BBBBBBBBBBBBBBBB', office: 'MO-Other', filedAt: '2026-12-02T00:00:00.000Z', deadline: '2026-12-20T00:00:00.000Z' }));
    await tx.putContest(contest({ caseNumber: 'C-2026-CCCCCCCCCCCCCCCC', filedAt: '2026-12-03T00:00:00.000Z', state: 'rejected', answeredAt: '2026-12-04T00:00:00.000Z', answer: { decision: 'rejected', reasons: 'r', answeredBy: 'x' } }));
  });
  assert.deepEqual(await store.getContest('C-2026-ABCDEFGHIJKLMNOP'), contest());
  assert.equal(await store.getContest('C-2026-ZZZZZZZZZZZZZZZZ'), undefined);
  const ids = (cs: Contest[]) => cs.map((c) => c.caseNumber[7]);
  assert.deepEqual(ids(await store.contests({ limit: 10 })), ['A', 'B', 'C'], 'in filing order');
  assert.deepEqual(ids(await store.contests({ office: 'MO-Moscow-12', limit: 10 })), ['A', 'C']);
  assert.deepEqual(ids(await store.contests({ state: 'open', limit: 10 })), ['A', 'B']);
  assert.deepEqual(ids(await store.contests({ state: 'open', deadlineBefore: NOW.toISOString(), limit: 10 })), []);
  assert.deepEqual(ids(await store.contests({ state: 'open', deadlineBefore: '2026-12-10T00:00:00.000Z', limit: 10 })), ['A']);
  assert.deepEqual(ids(await store.contests({ limit: 1 })), ['A']);
  assert.deepEqual(await store.contestCounts('2026-12-10T00:00:00.000Z'), { open: 2, overdue: 1 });
  // Replaced whole by case number (the answer), never duplicated.
  await store.transaction((tx) => tx.putContest(contest({ state: 'upheld', answeredAt: '2026-12-05T00:00:00.000Z', answer: { decision: 'upheld', reasons: 'ok', answeredBy: 'y' } })));
  assert.equal((await store.getContest('C-2026-ABCDEFGHIJKLMNOP'))!.state, 'upheld');
  assert.equal((await store.contests({ limit: 10 })).length, 3);
  // A rolled-back transaction leaves no contest behind.
  await assert.rejects(store.transaction(async (tx) => {
    await tx.putContest(contest({ caseNumber: 'C-2026-DDDDDDDDDDDDDDDD' }));
    throw new Error('boom');
  }));
  assert.equal(await store.getContest('C-2026-DDDDDDDDDDDDDDDD'), undefined);
});

contract('review candidates: open restrictions past a recorded date, or started before the per-kind bounds; keyset paging', async (t, b) => {
  const { store, service } = await setUp(t, b);
  await service.upsertPerson(
    person({
      personId: 'P-1',
      restrictions: [
        callUp('CU-A', { reviewAt: '2026-12-01T00:00:00Z' }),
        callUp('CU-B', { reviewAt: '2027-06-01T00:00:00Z' }),
        callUp('CU-C', { issuedAt: '2026-01-01T00:00:00Z' }),
        callUp('CU-D', { kind: 'court-order', issuedAt: '2020-01-01T00:00:00Z' }),
        callUp('CU-E', { reviewAt: '2026-01-01T00:00:00Z', liftedAt: '2026-02-01T00:00:00Z', liftReason: 'other' }),
      ],
    }),
  );
  const ids = async (q: Partial<Parameters<typeof store.reviewCandidates>[0]>) => (await store.reviewCandidates({ reviewAtBefore: '2026-12-07T00:00:00.000Z', unreviewedStartedBefore: {}, startedBefore: {}, limit: 10, ...q })).map((r) => r.restrictionId);
  assert.deepEqual(await ids({}), ['CU-A'], 'a recorded date past; the lifted one never');
  assert.deepEqual(await ids({ unreviewedStartedBefore: { 'call-up': '2026-06-01T00:00:00.000Z' } }), ['CU-A', 'CU-C'], 'unreviewed and started before the bound (CU-B has its own date)');
  assert.deepEqual(await ids({ startedBefore: { 'court-order': '2021-01-01T00:00:00.000Z' } }), ['CU-A', 'CU-D']);
  assert.deepEqual(await ids({ unreviewedStartedBefore: { 'call-up': '2026-06-01T00:00:00.000Z' }, after: 'CU-A' }), ['CU-C']);
  assert.deepEqual(await ids({ office: 'MO-Elsewhere' }), []);
});

contract('a contest filed, found only with the right identification, answered upheld: lifted through the change log, once', async (t, b) => {
  const { store, service, contests, trail } = await setUp(t, b);
  await service.upsertPerson(person({ personId: 'P-1', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }], dateOfBirth: '1999-03-04', restrictions: [callUp('CU-1', served)] }));
  const head = await store.headSeq();
  const filed = await contests.file({ documentNumber: '751234567', dateOfBirth: '1999-03-04', contact: 'ivanov@example.org', reason: 'not me' }, 'public');
  assert.match(filed.caseNumber, /^C-2026-[A-Z2-7]{16}$/);
  assert.equal(filed.deadline, '2026-12-14T12:00:00.000Z', 'call-up: the default 7 days');
  assert.equal(await store.headSeq(), head, 'a contest is register-only: nothing travels');
  // Wrong identification, unknown person, another's restriction: the same 404, nothing written.
  for (const [doc, dob, restrictionId] of [['751234567', '1999-03-05', undefined], ['999999999', '1999-03-04', undefined], ['751234567', '1999-03-04', 'CU-NOT-MINE']] as const) {
    await assert.rejects(contests.file({ documentNumber: doc, dateOfBirth: dob, ...(restrictionId ? { restrictionId } : {}), contact: 'a@b.cd', reason: 'x' }, 'public'), (e: ErxError) => e.status === 404 && e.field === 'documentNumber');
  }
  await assert.rejects(contests.file({ documentNumber: '751234567', dateOfBirth: '1999-03-04', contact: 'a@b.cd', reason: 'again' }, 'public'), (e: ErxError) => e.status === 409 && e.message.includes(filed.caseNumber));
  assert.equal((await contests.follow(filed.caseNumber, '751234567', '1999-03-04')).state, 'open');
  await assert.rejects(contests.follow(filed.caseNumber, '751234567', '1999-03-05'), (e: ErxError) => e.status === 404);
  await assert.rejects(contests.follow('C-2026-ZZZZZZZZZZZZZZZZ', '751234567', '1999-03-04'), (e: ErxError) => e.status === 404);
  // Another office may not answer; the issuing office upholds; a second answer is refused.
  await assert.rejects(contests.answer(filed.caseNumber, { decision: 'upheld', reasons: 'x' }, 'office:b@MO-B', 'MO-B'), (e: ErxError) => e.status === 403);
  const answered = await contests.answer(filed.caseNumber, { decision: 'upheld', reasons: 'served on a namesake' }, 'office:clerk@MO-Moscow-12', 'MO-Moscow-12');
  assert.equal(answered.state, 'upheld');
  assert.equal(answered.answer!.answeredBy, 'office:clerk@MO-Moscow-12');
  const lifted = (await store.getRestriction('CU-1'))!;
  assert.equal(lifted.liftReason, 'cancellation');
  assert.equal(lifted.liftedAt, NOW.toISOString());
  assert.equal(await store.headSeq(), head + 1, 'the lift travels as one change');
  const [batch] = await store.batchesAfter(head, 10, { reliefOnly: true });
  assert.equal(batch?.changes[0]?.key, 'CU-1', 'as relief');
  await assert.rejects(contests.answer(filed.caseNumber, { decision: 'rejected', reasons: 'x' }, 'operator:root', undefined), (e: ErxError) => e.status === 409);
  assert.equal(await store.headSeq(), head + 1);
  const followed = await contests.follow(filed.caseNumber, '751234567', '1999-03-04');
  assert.deepEqual([followed.state, followed.decision, followed.reasons], ['upheld', 'upheld', 'served on a namesake']);
  // Audited, who and what, without the contact or the reason the person gave.
  const files = await trail.recent('contest.file', 5);
  const answers = await trail.recent('contest.answer', 5);
  assert.equal(files.length, 1);
  assert.equal(answers[0]!.actor, 'office:clerk@MO-Moscow-12');
  assert.equal(answers[0]!.subject, 'CU-1');
  assert.doesNotMatch(JSON.stringify([files, answers]), /ivanov@example\.org|not me/);
  assert.equal((await trail.verify()).ok, true);
});

contract('reviews: an office extends its own; expiry lifts the unreviewed once, as relief, and a re-run lifts nothing', async (t, b) => {
  const { store, service, reviews, trail, setNow } = await setUp(t, b);
  await service.upsertPerson(
    person({
      personId: 'P-2',
      restrictions: [
        callUp('CU-OLD', { issuedAt: '2026-09-01T00:00:00Z', servedAt: '2026-10-01T00:00:00Z', serviceChannel: 'in-person' }), // call-up interval 30 days from coming into force: due 2026-10-31
        callUp('CU-SOON', { issuedAt: '2026-11-10T00:00:00Z', servedAt: '2026-11-10T00:00:00Z', serviceChannel: 'in-person' }), // due 2026-12-10: within the 10-day notice
        callUp('CU-LATER', { issuedAt: '2026-12-01T00:00:00Z', servedAt: '2026-12-01T00:00:00Z', serviceChannel: 'in-person' }), // due 2026-12-31
        callUp('CU-OTHER', { kind: 'other', issuedAt: '2020-01-01T00:00:00Z' }), // no interval for "other"
      ],
    }),
  );
  const due = await reviews.due({ limit: 10 });
  assert.deepEqual(due.map((d) => [d.restriction.restrictionId, d.reviewDeadline, d.overdue]), [
    ['CU-OLD', '2026-10-31T00:00:00.000Z', true],
    ['CU-SOON', '2026-12-10T00:00:00.000Z', false],
  ]);
  assert.equal(await reviews.countDue(), 2);
  await assert.rejects(reviews.review('CU-SOON', { note: 'x' }, 'office:b@MO-B', 'MO-B'), (e: ErxError) => e.status === 403);
  const head = await store.headSeq();
  const reviewed = await reviews.review('CU-SOON', { note: 'still evading; court date set' }, 'office:clerk@MO-Moscow-12', 'MO-Moscow-12');
  assert.equal(reviewed.restriction.reviewAt, '2027-01-06T12:00:00.000Z', 'one interval from the review');
  assert.equal(await store.headSeq(), head, 'the review date stays in the register');
  const [record] = await store.reviewsOf('CU-SOON');
  assert.deepEqual([record!.reviewedBy, record!.note, record!.reviewAt], ['office:clerk@MO-Moscow-12', 'still evading; court date set', '2027-01-06T12:00:00.000Z']);
  assert.equal((await trail.recent('restriction.review', 1))[0]!.actor, 'office:clerk@MO-Moscow-12');

  const first = await reviews.expireDue();
  assert.deepEqual(first.lifted, ['CU-OLD']);
  const old = (await store.getRestriction('CU-OLD'))!;
  assert.deepEqual([old.liftReason, old.liftedAt], ['expiry', NOW.toISOString()]);
  assert.equal((await store.batchesAfter(head, 10, { reliefOnly: true }))[0]?.changes[0]?.key, 'CU-OLD', 'travels as relief');
  assert.deepEqual((await reviews.expireDue()).lifted, [], 'idempotent: nothing lifted twice');
  assert.equal(await store.headSeq(), head + 1);
  await assert.rejects(reviews.review('CU-OLD', { note: 'too late' }, 'operator:root', undefined), (e: ErxError) => e.status === 409);
  // A month on, the unreviewed CU-LATER is due; the reviewed CU-SOON is not yet.
  setNow(new Date('2027-01-02T00:00:00.000Z'));
  assert.deepEqual((await reviews.expireDue()).lifted, ['CU-LATER']);
  assert.equal((await store.getRestriction('CU-OTHER'))!.liftedAt, undefined, 'a kind without an interval never expires by itself');
  assert.equal((await trail.recent('restriction.lift', 5)).filter((e) => e.actor === 'register:expiry').length, 2);
});

contract('statistics tallies: contests opened / upheld / rejected / overdue, and attestations not revoked', async (t, b) => {
  const { store } = await setUp(t, b);
  assert.deepEqual(await store.contestTallies(NOW.toISOString()), { opened: 0, upheld: 0, rejected: 0, overdue: 0 });
  assert.equal(await store.attestationCount(), 0);
  await store.transaction(async (tx) => {
    await tx.putContest(contest()); // open, deadline 2026-12-08: not overdue at NOW
    await tx.putContest(contest({ caseNumber: 'C-2026-BBBBBBBBBBBBBBBB', deadline: '2026-12-05T00:00:00.000Z' })); // open, overdue
    await tx.putContest(contest({ caseNumber: 'C-2026-CCCCCCCCCCCCCCCC', deadline: '2026-12-05T00:00:00.000Z', state: 'upheld', answeredAt: '2026-12-04T00:00:00.000Z', answer: { decision: 'upheld', reasons: 'r', answeredBy: 'x' } }));
    await tx.putContest(contest({ caseNumber: 'C-2026-DDDDDDDDDDDDDDDD', state: 'rejected', answeredAt: '2026-12-04T00:00:00.000Z', answer: { decision: 'rejected', reasons: 'r', answeredBy: 'x' } }));
    for (const [ref, revoked] of [['NM-2026-AAAAAAAAAA', false], ['NM-2026-BBBBBBBBBB', true], ['NM-2026-CCCCCCCCCC', false]] as const) {
      await tx.putAttestation({
        attestation: { ref, personIds: ['P-1'], salt: 'c2FsdA==', detailsHash: 'ab'.repeat(32), checkpoint: 'cp-1', attestedAt: '2026-12-01T00:00:00.000Z' },
        replica: 'cp-1', screeningId: ref, ...(revoked ? { revokedAt: '2026-12-02T00:00:00.000Z', revokedBy: 'operator:root' } : {}),
      });
    }
  });
  assert.deepEqual(await store.contestTallies(NOW.toISOString()), { opened: 4, upheld: 1, rejected: 1, overdue: 1 });
  assert.deepEqual(await store.contestTallies('2026-12-09T00:00:00.000Z'), { opened: 4, upheld: 1, rejected: 1, overdue: 2 }, 'an answered contest is never overdue');
  assert.equal(await store.attestationCount(), 2);
});
