/**
 * The notification outbox (register/noticeOutbox.ts) on every backend: a notice is written in the same
 * transaction as the change that causes it — a committed change always has its row, a failed one
 * none — a person without a contact leaves no row, the contact never reaches the border view, and the
 * delivery marks (attempts, give-up, delivered) behave the same on SQLite and PostgreSQL.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ContestService } from '../../src/register/contestService.js';
import { RegisterService } from '../../src/register/registerService.js';
import { ReviewService } from '../../src/register/reviewService.js';
import { ErxError } from '../../src/shared/errors.js';
import type { SnapshotRecord } from '../../src/exchange/protocol.js';
import { callUp, person, served, testSigner } from '../helpers.js';
import { type Backend, BACKENDS, unavailableHere } from './backends.js';

function contract(name: string, fn: (t: TestContext, b: Backend) => Promise<void>): void {
  for (const backend of BACKENDS) {
    test(`${backend.name}: ${name}`, { timeout: 120_000 }, async (t) => {
      if (await unavailableHere(t, backend)) return;
      await fn(t, backend);
    });
  }
}

const CONTACT = { email: 'ivanov@example.org', webhook: 'https://example.org/hook', language: 'ru' as const };

contract('serving and lifting a restriction queue a notice per channel, in the same transaction', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  await service.upsertPerson(person({ personId: 'P-N1', contact: CONTACT, restrictions: [callUp('R-N1')] }));
  assert.deepEqual(await store.notices.about('P-N1'), [], 'issued but not served: nothing to tell yet');
  await service.recordService('R-N1', served.servedAt, 'portal');
  await service.lift('R-N1', '2024-11-01T00:00:00Z', 'deferment');
  const rows = await store.notices.about('P-N1');
  assert.deepEqual(rows.map((r) => [r.event.kind, r.channel, r.address, r.language]), [
    ['restriction-in-force', 'email', CONTACT.email, 'ru'],
    ['restriction-in-force', 'webhook', CONTACT.webhook, 'ru'],
    ['restriction-lifted', 'email', CONTACT.email, 'ru'],
    ['restriction-lifted', 'webhook', CONTACT.webhook, 'ru'],
  ]);
  assert.deepEqual(rows[2]!.event, { kind: 'restriction-lifted', personId: 'P-N1', restrictionId: 'R-N1', office: 'MO-Moscow-12', basis: 'Call-up notice R-N1, art. 31', at: '2024-11-01T00:00:00Z', reason: 'deferment' });
  assert.equal((await store.notices.counts()).pending, 4);
});

contract('a change that fails leaves no notice behind', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  await service.upsertPerson(person({ personId: 'P-N2', contact: { email: 'p2@example.org' }, restrictions: [callUp('R-N2', served)] }));
  const before = await store.notices.about('P-N2');
  assert.equal(before.length, 1, 'imported in force: told once');
  // The lift is queued, then the transaction throws after it: both must roll back together.
  await assert.rejects(
    store.transaction(async (tx) => {
      const r = (await tx.getRestriction('R-N2'))!;
      await tx.putRestriction({ ...r, liftedAt: '2024-11-01T00:00:00.000Z', liftReason: 'other' });
      await tx.queueNotice({ channel: 'email', address: 'p2@example.org', language: 'en', event: { kind: 'restriction-lifted', personId: 'P-N2', restrictionId: 'R-N2', office: r.office, basis: r.basis, at: '2024-11-01T00:00:00.000Z' } });
      throw new Error('fault after the notice was queued');
    }),
    /fault after/,
  );
  assert.deepEqual(await store.notices.about('P-N2'), before);
  assert.equal((await store.getRestriction('R-N2'))!.liftedAt, undefined);
  // A lift the lifecycle refuses (lifting before it was issued) raises nothing either.
  await assert.rejects(service.lift('R-N2', '2020-01-01T00:00:00Z', 'other'), ErxError);
  assert.deepEqual(await store.notices.about('P-N2'), before);
});

contract('a person without a contact is not notified and leaves no row; the contact stays out of the border view', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  await service.upsertPerson(person({ personId: 'P-N3', restrictions: [callUp('R-N3')] }));
  await service.recordService('R-N3', served.servedAt, 'portal');
  await service.lift('R-N3', '2024-11-01T00:00:00Z', 'cancellation');
  assert.deepEqual(await store.notices.about('P-N3'), []);
  assert.deepEqual(await store.notices.counts(), { pending: 0, failed: 0, delivered: 0 });

  await service.upsertPerson(person({ personId: 'P-N4', contact: CONTACT }));
  assert.deepEqual((await store.getPerson('P-N4'))!.contact, CONTACT, 'kept in the register');
  // Re-sent without a contact (an office that does not know it): the one on record stays.
  await service.upsertPerson(person({ personId: 'P-N4', surname: 'Петров' }));
  assert.deepEqual((await store.getPerson('P-N4'))!.contact, CONTACT);
  const batches = await store.batchesAfter(0, 1000);
  const wire = JSON.stringify(batches);
  assert.ok(!wire.includes('example.org') && !wire.includes('contact'), 'the change log carries no contact');
  const snapshot: string[] = [];
  for await (const line of store.snapshot()) if (line.type === 'person') snapshot.push(JSON.stringify((line as SnapshotRecord).body));
  assert.ok(snapshot.length > 0 && snapshot.every((l) => !l.includes('example.org') && !l.includes('contact')), 'the snapshot carries no contact');
});

contract('delivery marks: a failed attempt waits, a give-up is counted as failed, a delivered row is never due again', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  await service.upsertPerson(person({ personId: 'P-N5', contact: { email: 'p5@example.org', webhook: 'http://127.0.0.1:9/h' }, restrictions: [callUp('R-N5', served)] }));
  const now = '2030-01-01T00:00:00.000Z';
  const [mail, hook] = await store.notices.due(now, 10);
  assert.ok(mail && hook);
  await store.notices.failedAttempt(mail.id, 1, 'connection refused', '2030-01-01T00:01:00.000Z', now);
  assert.deepEqual((await store.notices.due(now, 10)).map((e) => e.id), [hook.id], 'waits for its next attempt');
  assert.deepEqual((await store.notices.due('2030-01-01T00:01:00.000Z', 10)).map((e) => [e.id, e.attempts]), [[hook.id, 0], [mail.id, 1]]);
  await store.notices.failedAttempt(hook.id, 8, 'webhook answered 500', null, now);
  await store.notices.delivered(mail.id, now);
  assert.deepEqual(await store.notices.due('2031-01-01T00:00:00.000Z', 10), []);
  assert.deepEqual(await store.notices.counts(), { pending: 0, failed: 1, delivered: 1 });
  const rows = await store.notices.about('P-N5');
  assert.equal(rows.find((r) => r.id === hook.id)!.lastError, 'webhook answered 500');
  assert.equal(rows.find((r) => r.id === hook.id)!.failedAt, now);
});

contract('notices to one address keep their order: a later one is not due while an earlier one waits for a retry', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  await service.upsertPerson(person({ personId: 'P-N6', contact: { webhook: 'http://127.0.0.1:9/h' }, restrictions: [callUp('R-N6', served)] }));
  await service.lift('R-N6', '2024-12-01T00:00:00Z', 'cancellation');
  const now = '2030-01-01T00:00:00.000Z';
  const [inForce, ...held] = await store.notices.due(now, 10);
  assert.equal(inForce!.event.kind, 'restriction-in-force');
  assert.deepEqual(held, [], 'the lift waits behind the notice it follows');
  await store.notices.failedAttempt(inForce!.id, 1, 'webhook answered 500', '2030-01-01T00:01:00.000Z', now);
  assert.deepEqual(await store.notices.due(now, 10), [], 'still held while the first is retried');
  await store.notices.delivered(inForce!.id, '2030-01-01T00:01:00.000Z');
  assert.deepEqual((await store.notices.due(now, 10)).map((e) => e.event.kind), ['restriction-lifted'], 'released once the first is delivered');
  // Another person's notices are not held by this one.
  await service.upsertPerson(person({ personId: 'P-N7', surname: 'Петров', contact: { webhook: 'http://127.0.0.1:9/other' }, restrictions: [callUp('R-N7', served)] }));
  assert.deepEqual((await store.notices.due(now, 10)).map((e) => e.event.kind), ['restriction-lifted', 'restriction-in-force']);
});

contract('a contest answered queues its notice with the answer, to the e-mail given with the contest; a refused answer queues nothing', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  const contests = new ContestService(service, { floorMs: 0 });
  await service.upsertPerson(person({ personId: 'P-C1', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }], dateOfBirth: '1999-03-04', contact: { webhook: 'https://example.org/hook', language: 'ru' }, restrictions: [callUp('R-C1', served), callUp('R-C2', served)] }));
  const told = (await store.notices.about('P-C1')).length;
  const filed = await contests.file({ documentNumber: '751234567', dateOfBirth: '1999-03-04', restrictionId: 'R-C1', contact: 'contester@example.org', reason: 'not me' }, 'public');
  assert.equal((await store.notices.about('P-C1')).length, told, 'filing tells nothing yet');
  // Another office's answer is refused: no answer, no notice.
  await assert.rejects(contests.answer(filed.caseNumber, { decision: 'upheld', reasons: 'x' }, 'office:b@MO-B', 'MO-B'), (e: ErxError) => e.status === 403);
  assert.equal((await store.notices.about('P-C1')).length, told);
  await contests.answer(filed.caseNumber, { decision: 'upheld', reasons: 'served on a namesake' }, 'office:clerk@MO-Moscow-12', 'MO-Moscow-12');
  const added = (await store.notices.about('P-C1')).slice(told);
  const answer = added.filter((r) => r.event.kind === 'contest-answered');
  assert.deepEqual(answer.map((r) => [r.channel, r.address, r.language]), [['email', 'contester@example.org', 'ru']], 'the contest\'s e-mail, in the person\'s language');
  assert.equal(answer[0]!.event.caseNumber, filed.caseNumber);
  assert.equal(answer[0]!.event.reason, 'upheld');
  assert.equal(answer[0]!.event.basis, 'Call-up notice R-C1, art. 31');
  assert.ok(added.some((r) => r.event.kind === 'restriction-lifted' && r.channel === 'webhook'), 'the lift is told to the contact on record');
  const after = (await store.notices.about('P-C1')).length;
  // A second answer is refused (409): nothing more queued.
  await assert.rejects(contests.answer(filed.caseNumber, { decision: 'rejected', reasons: 'x' }, 'operator:root', undefined), (e: ErxError) => e.status === 409);
  assert.equal((await store.notices.about('P-C1')).length, after);
  // A contest given with a phone number: no text messages, so the answer goes to the contact on record.
  const byPhone = await contests.file({ documentNumber: '751234567', dateOfBirth: '1999-03-04', restrictionId: 'R-C2', contact: '+7 912 345-67-89', reason: 'not me' }, 'public');
  await contests.answer(byPhone.caseNumber, { decision: 'rejected', reasons: 'served in person' }, 'operator:root', undefined);
  const last = (await store.notices.about('P-C1')).slice(after);
  assert.deepEqual(last.map((r) => [r.event.kind, r.channel, r.address, r.event.reason]), [['contest-answered', 'webhook', 'https://example.org/hook', 'rejected']]);
});

contract('a contest given with a phone number, of a person with no contact on record, is answered without a notice', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  const contests = new ContestService(service, { floorMs: 0 });
  await service.upsertPerson(person({ personId: 'P-C3', documents: [{ type: 'passport', number: '751234568', country: 'RUS' }], dateOfBirth: '1999-03-04', restrictions: [callUp('R-C3', served)] }));
  const filed = await contests.file({ documentNumber: '751234568', dateOfBirth: '1999-03-04', contact: '+79123456789', reason: 'not me' }, 'public');
  await contests.answer(filed.caseNumber, { decision: 'upheld', reasons: 'namesake' }, 'operator:root', undefined);
  assert.deepEqual(await store.notices.about('P-C3'), []);
});

contract('a review extending a restriction queues the review-extended notice with it; a refused review queues nothing', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  const reviews = new ReviewService(service, { now: () => new Date('2026-12-07T12:00:00.000Z') });
  await service.upsertPerson(person({ personId: 'P-R1', contact: { email: 'p-r1@example.org' }, restrictions: [callUp('R-R1', served), callUp('R-R2', served)] }));
  await service.lift('R-R2', '2024-11-01T00:00:00Z', 'deferment');
  const told = (await store.notices.about('P-R1')).length;
  await assert.rejects(reviews.review('R-R1', { note: 'x' }, 'office:b@MO-B', 'MO-B'), (e: ErxError) => e.status === 403);
  await assert.rejects(reviews.review('R-R2', { note: 'x' }, 'operator:root', undefined), (e: ErxError) => e.status === 409);
  assert.equal((await store.notices.about('P-R1')).length, told, 'refused reviews tell nothing');
  const reviewed = await reviews.review('R-R1', { note: 'still evading', extendUntil: '2027-03-01T00:00:00.000Z' }, 'office:clerk@MO-Moscow-12', 'MO-Moscow-12');
  const added = (await store.notices.about('P-R1')).slice(told);
  assert.deepEqual(added.map((r) => [r.event.kind, r.channel, r.address, r.event.restrictionId, r.event.at]), [['review-extended', 'email', 'p-r1@example.org', 'R-R1', reviewed.restriction.reviewAt]]);
  assert.doesNotMatch(JSON.stringify(added[0]!.event), /still evading/, 'the office\'s note is not put in a notice');
});

contract('restriction tallies count imposed, lifted and expired by kind and office', async (t, b) => {
  const store = await b.register(t, testSigner());
  const service = new RegisterService(store);
  await service.upsertPerson(person({ personId: 'P-T1', restrictions: [callUp('R-T1', served), callUp('R-T2', { ...served, office: 'MO-Kazan-1' }), callUp('R-T3')] }));
  await service.lift('R-T1', '2024-11-01T00:00:00Z', 'expiry');
  await service.lift('R-T3', '2024-11-01T00:00:00Z', 'cancellation');
  assert.deepEqual(await store.restrictionTallies(), [
    { kind: 'call-up', office: 'MO-Kazan-1', imposed: 1, lifted: 0, expired: 0 },
    { kind: 'call-up', office: 'MO-Moscow-12', imposed: 1, lifted: 2, expired: 1 },
  ]);
});
