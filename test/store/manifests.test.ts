/**
 * The manifest store's contract (border/manifests/manifestStore.ts), on both backends: a manifest
 * read back whole and in order, versions guarded and changes recorded, live manifests paged in
 * departure order, the webhook outbox written with the change and kept until delivered — across a
 * reopen (a restart).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredManifest } from '../../src/border/manifests/manifestStore.js';
import { BACKENDS, unavailableHere } from './backends.js';
import { openManifestStore } from './manifestStores.js';

function manifest(id: string, departureAt: string, travellers = 3, carrier = 'SU'): StoredManifest {
  return {
    manifestId: id,
    carrier,
    service: 'SU2130',
    departureAt,
    from: 'SVO',
    to: 'IST',
    receivedAt: '2026-12-07T10:00:00.000Z',
    version: 1,
    travellers: Array.from({ length: travellers }, (_, i) => ({
      position: i + 1,
      traveller: { surname: `S${i}`, givenNames: 'G', dateOfBirth: '1990-01-01', documentNumber: `D${i}`, nationality: 'RUS' },
      answer: i === 0 ? ('do-not-board' as const) : ('board' as const),
      screeningId: `scr-${id}-${i}`,
      decision: i === 0 ? ('hit' as const) : ('clear' as const),
      decisionAtDeparture: i === 0 ? ('hit' as const) : ('clear' as const),
      reasons: i === 0 ? [{ source: 'list', restrictionId: 'CU-1', personId: 'R-1' }] : [],
    })),
  };
}

const lift = (position: number) => ({ position, answer: 'board' as const, screeningId: `again-${position}`, decision: 'clear' as const, decisionAtDeparture: 'clear' as const, reasons: [{ source: 'list', status: 'lifted' }] });
const notice = (v: number, changes: unknown[]) => JSON.stringify({ version: v, changes });
const SCHEDULE = { recheckAt: null, dataSeq: 1, standing: 'fresh' as const };

for (const backend of BACKENDS) {
  test(`${backend.name}: a manifest reads back whole, in order; an unknown id is undefined`, async (t) => {
    if (await unavailableHere(t, backend)) return;
    const { store } = await openManifestStore(t, backend);
    const m = manifest('M-1', '2026-12-24T09:30:00.000Z', 5);
    await store.create(m, SCHEDULE);
    assert.deepEqual(await store.get('M-1'), m);
    assert.equal(await store.get('M-2'), undefined);
    await assert.rejects(store.create(m, SCHEDULE), 'the same id twice is refused');
  });

  test(`${backend.name}: answers change under a version guard, with change records and one outbox delivery`, async (t) => {
    if (await unavailableHere(t, backend)) return;
    const h = await openManifestStore(t, backend);
    await h.store.create(manifest('M-1', '2026-12-24T09:30:00.000Z'), SCHEDULE);
    // Without a webhook: the change is recorded, nothing is queued.
    assert.equal(await h.store.updateAnswers('M-1', 1, [lift(1)], SCHEDULE, '2026-12-07T11:00:00.000Z', notice), 2);
    assert.equal(await h.store.pendingDeliveries(), 0);
    assert.equal(await h.store.updateAnswers('M-1', 1, [lift(1)], SCHEDULE, '2026-12-07T11:00:00.000Z', notice), null, 'a stale version changes nothing');
    await h.store.setWebhook({ carrier: 'SU', url: 'http://127.0.0.1:9/hook', secret: 'whsec_1' });
    const reimpose = { ...lift(1), answer: 'do-not-board' as const, decision: 'hit' as const, decisionAtDeparture: 'hit' as const };
    const unchanged = { ...lift(2), screeningId: 'same-answer' };
    assert.equal(await h.store.updateAnswers('M-1', 2, [reimpose, unchanged], SCHEDULE, '2026-12-07T12:00:00.000Z', notice), 3);
    const m = (await h.store.get('M-1'))!;
    assert.equal(m.version, 3);
    assert.equal(m.travellers[0]!.answer, 'do-not-board');
    assert.equal(m.travellers[1]!.screeningId, 'same-answer', 'the screening behind an unchanged answer is updated');
    assert.deepEqual(await h.store.changesSince('M-1', 0), [
      { version: 2, position: 1, from: 'do-not-board', to: 'board', at: '2026-12-07T11:00:00.000Z' },
      { version: 3, position: 1, from: 'board', to: 'do-not-board', at: '2026-12-07T12:00:00.000Z' },
    ]);
    assert.deepEqual((await h.store.changesSince('M-1', 2)).map((c) => c.version), [3]);
    assert.deepEqual(await h.store.changesSince('M-1', 3), []);
    const [d] = await h.store.dueDeliveries('2026-12-07T12:00:00.000Z', 10);
    assert.equal(d!.url, 'http://127.0.0.1:9/hook');
    assert.equal(d!.secret, 'whsec_1');
    assert.deepEqual(JSON.parse(d!.body), { version: 3, changes: [{ version: 3, position: 1, from: 'board', to: 'do-not-board', at: '2026-12-07T12:00:00.000Z' }] });
  });

  test(`${backend.name}: the outbox keeps a delivery until delivered, moves it on failure, survives a restart`, async (t) => {
    if (await unavailableHere(t, backend)) return;
    const h = await openManifestStore(t, backend);
    await h.store.create(manifest('M-1', '2026-12-24T09:30:00.000Z'), SCHEDULE);
    await h.store.setWebhook({ carrier: 'SU', url: 'http://127.0.0.1:9/a', secret: 'whsec_1' });
    await h.store.updateAnswers('M-1', 1, [lift(1)], SCHEDULE, '2026-12-07T11:00:00.000Z', notice);
    const [d] = await h.store.dueDeliveries('2026-12-07T11:00:00.000Z', 10);
    await h.store.failed(d!.deliveryId, '2026-12-07T11:00:05.000Z', 'refused');
    assert.deepEqual(await h.store.dueDeliveries('2026-12-07T11:00:01.000Z', 10), [], 'not due before its retry time');
    const store = await h.reopen();
    assert.equal(await store.pendingDeliveries(), 1, 'kept across a restart');
    // A new URL applies to what is still pending.
    await store.setWebhook({ carrier: 'SU', url: 'http://127.0.0.1:9/b', secret: 'whsec_2' });
    const [again] = await store.dueDeliveries('2026-12-07T11:00:05.000Z', 10);
    assert.equal(again!.attempts, 1);
    assert.equal(again!.lastError, 'refused');
    assert.equal(again!.url, 'http://127.0.0.1:9/b');
    assert.equal(again!.body, d!.body);
    await store.delivered(again!.deliveryId);
    assert.equal(await store.pendingDeliveries(), 0);
    assert.deepEqual((await store.webhook('SU'))!.secret, 'whsec_2');
  });

  test(`${backend.name}: live manifests are those departing after now, paged in departure order`, async (t) => {
    if (await unavailableHere(t, backend)) return;
    const { store } = await openManifestStore(t, backend);
    await store.create(manifest('M-past', '2026-12-07T09:00:00.000Z'), SCHEDULE);
    await store.create(manifest('M-b', '2026-12-08T09:00:00.000Z', 2), SCHEDULE);
    await store.create(manifest('M-a', '2026-12-08T09:00:00.000Z', 1), SCHEDULE);
    await store.create(manifest('M-c', '2026-12-09T09:00:00.000Z', 4), SCHEDULE);
    const now = '2026-12-07T10:00:00.000Z';
    const first = await store.live(now, 2);
    assert.deepEqual(first.map((m) => m.manifestId), ['M-a', 'M-b']);
    assert.deepEqual(first[1]!.travellers.map((t) => t.position), [1, 2]);
    assert.equal(first[1]!.service, 'SU2130');
    const last = first[first.length - 1]!;
    assert.deepEqual((await store.live(now, 2, { departureAt: last.departureAt, manifestId: last.manifestId })).map((m) => m.manifestId), ['M-c']);
    assert.deepEqual(await store.live('2026-12-10T00:00:00.000Z', 10), [], 'all departed');
  });
}
