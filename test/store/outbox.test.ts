/**
 * The notification outbox (register/noticeOutbox.ts) on every backend: a notice is written in the same
 * transaction as the change that causes it — a committed change always has its row, a failed one
 * none — a person without a contact leaves no row, the contact never reaches the border view, and the
 * delivery marks (attempts, give-up, delivered) behave the same on SQLite and PostgreSQL.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { RegisterService } from '../../src/register/registerService.js';
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
