/**
 * The manifest store keeps each manifest's re-screening schedule (RescreenSchedule: recheckAt, the data
 * version and the replica's standing it was screened under), on both backends: written with the
 * manifest, with changed answers and alone (version-guarded), read back with a live manifest, kept
 * across a reopen; `due` reads only the live manifests whose recheckAt has come, whose data is older
 * than the replica's or whose standing is not the replica's, paged like `live`; and a store from before
 * the schedule (schema step 1) is migrated with its manifests due.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredManifest } from '../../src/border/manifests/manifestStore.js';
import { BACKENDS, unavailableHere } from '../store/backends.js';
import { openManifestStore } from '../store/manifestStores.js';

function manifest(id: string, departureAt: string): StoredManifest {
  return {
    manifestId: id,
    carrier: 'SU',
    service: 'SU2130',
    departureAt,
    from: 'SVO',
    to: 'IST',
    receivedAt: '2026-12-07T10:00:00.000Z',
    version: 1,
    travellers: [
      {
        position: 1,
        traveller: { surname: 'S', givenNames: 'G', dateOfBirth: '1990-01-01', documentNumber: 'D1', nationality: 'RUS' },
        answer: 'board',
        screeningId: `scr-${id}`,
        decision: 'clear',
        decisionAtDeparture: 'clear',
        reasons: [],
      },
    ],
  };
}

const ban = { position: 1, answer: 'do-not-board' as const, screeningId: 'again', decision: 'hit' as const, decisionAtDeparture: 'hit' as const, reasons: [] };
const notice = (v: number) => JSON.stringify({ version: v });
const ids = (ms: { manifestId: string }[]) => ms.map((m) => m.manifestId);
const NOW = '2026-12-07T11:00:00.000Z';

const fresh = (dataSeq: number) => ({ dataSeq, standing: 'fresh' as const });

for (const backend of BACKENDS) {
  test(`${backend.name}: a manifest's schedule is kept, read with it, and picks the manifests due`, async (t) => {
    if (await unavailableHere(t, backend)) return;
    const h = await openManifestStore(t, backend);
    await h.store.create(manifest('M-past', '2026-12-07T09:00:00.000Z'), { recheckAt: '2026-12-07T08:00:00.000Z', dataSeq: 1, standing: 'damaged' });
    await h.store.create(manifest('M-a', '2026-12-08T09:00:00.000Z'), { recheckAt: '2026-12-07T12:00:00.000Z', dataSeq: 5, standing: 'fresh' });
    await h.store.create(manifest('M-b', '2026-12-08T10:00:00.000Z'), { recheckAt: null, dataSeq: 5, standing: 'fresh' });
    await h.store.create(manifest('M-c', '2026-12-09T09:00:00.000Z'), { recheckAt: null, dataSeq: 3, standing: 'fresh' });
    await h.store.create(manifest('M-d', '2026-12-10T09:00:00.000Z'), { recheckAt: null, dataSeq: 5, standing: 'too-stale-to-clear' });
    assert.deepEqual(
      (await h.store.live(NOW, 10)).map((m) => [m.manifestId, m.recheckAt, m.dataSeq, m.standing]),
      [
        ['M-a', '2026-12-07T12:00:00.000Z', 5, 'fresh'],
        ['M-b', null, 5, 'fresh'],
        ['M-c', null, 3, 'fresh'],
        ['M-d', null, 5, 'too-stale-to-clear'],
      ],
    );
    assert.deepEqual(ids(await h.store.due(NOW, { dataSeq: 3, standing: 'too-stale-to-clear' }, 10)), ['M-a', 'M-b', 'M-c'], 'screened while the replica was fresh; it is no longer');
    assert.deepEqual(ids(await h.store.due(NOW, fresh(3), 10)), ['M-d'], 'screened while too stale; fresh again');
    assert.deepEqual(ids(await h.store.due(NOW, fresh(5), 10)), ['M-c', 'M-d'], 'and M-c screened on data older than 5');
    assert.deepEqual(ids(await h.store.due('2026-12-07T12:00:00.000Z', fresh(3), 10)), ['M-a', 'M-d'], 'its recheck has come (at the instant itself)');
    assert.deepEqual(ids(await h.store.due('2026-12-07T12:00:00.000Z', fresh(6), 10)), ['M-a', 'M-b', 'M-c', 'M-d'], 'never one departed');
    const [first] = await h.store.due('2026-12-07T12:00:00.000Z', fresh(6), 1);
    assert.deepEqual(ids(await h.store.due('2026-12-07T12:00:00.000Z', fresh(6), 10, { departureAt: first!.departureAt, manifestId: first!.manifestId })), ['M-b', 'M-c', 'M-d'], 'paged in departure order');
    assert.deepEqual(first!.travellers.map((x) => [x.position, x.answer]), [[1, 'board']], 'with what re-screening needs');

    // Screened again, answers standing: a new schedule, unless the version moved meanwhile.
    await h.store.reschedule([
      { manifestId: 'M-a', version: 1, schedule: { recheckAt: '2026-12-08T00:00:00.000Z', dataSeq: 6, standing: 'fresh' } },
      { manifestId: 'M-c', version: 7, schedule: { recheckAt: null, dataSeq: 6, standing: 'fresh' } },
      { manifestId: 'M-d', version: 1, schedule: { recheckAt: null, dataSeq: 6, standing: 'mixed' } },
    ]);
    // Screened again, an answer changed: the schedule goes with the answers.
    assert.equal(await h.store.updateAnswers('M-b', 1, [ban], { recheckAt: '2026-12-07T20:00:00.000Z', dataSeq: 6, standing: 'fresh' }, NOW, notice), 2);
    const store = await h.reopen();
    assert.deepEqual(
      (await store.live(NOW, 10)).map((m) => [m.manifestId, m.recheckAt, m.dataSeq, m.standing]),
      [
        ['M-a', '2026-12-08T00:00:00.000Z', 6, 'fresh'],
        ['M-b', '2026-12-07T20:00:00.000Z', 6, 'fresh'],
        ['M-c', null, 3, 'fresh'],
        ['M-d', null, 6, 'mixed'],
      ],
      'kept across a reopen; M-c unchanged (its version was not 7)',
    );
    assert.deepEqual(ids(await store.due('2026-12-07T20:00:00.000Z', fresh(6), 10)), ['M-b', 'M-c', 'M-d'], 'a manifest screened under a mixed standing is due under any');
  });

  test(`${backend.name}: a store from before the schedule is migrated, its live manifests due at once`, async (t) => {
    if (await unavailableHere(t, backend)) return;
    const h = await openManifestStore(t, backend);
    await h.store.create(manifest('M-old', '2026-12-08T09:00:00.000Z'), { recheckAt: null, dataSeq: 9, standing: 'fresh' });
    await h.alter({
      sqlite: 'ALTER TABLE manifests DROP COLUMN recheck_at; ALTER TABLE manifests DROP COLUMN data_seq; ALTER TABLE manifests DROP COLUMN standing; PRAGMA user_version = 1;',
      postgres: (schema) => `ALTER TABLE ${schema}.manifests DROP COLUMN recheck_at, DROP COLUMN data_seq, DROP COLUMN standing; UPDATE ${schema}.erx_schema SET version = 1`,
    }); // back to schema step 1 (before the schedule), as an older erx left it
    const [old] = await h.store.live(NOW, 10);
    assert.deepEqual([old!.manifestId, old!.recheckAt, old!.dataSeq, old!.standing], ['M-old', null, 0, '']);
    assert.deepEqual(ids(await h.store.due(NOW, fresh(0), 10)), ['M-old'], 'screened under no known standing: due at the first clock pass');
  });
}
