import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegisterService } from '../../src/register/registerService.js';
import { ErxError } from '../../src/shared/errors.js';
import { SqliteRegisterStore } from '../../src/store/sqlite/registerStore.js';
import type { SnapshotLine } from '../../src/exchange/protocol.js';
import { callUp, person, served, tempDir, testSigner } from '../helpers.js';

function open(t: Parameters<typeof tempDir>[0]) {
  const store = new SqliteRegisterStore(tempDir(t), testSigner());
  t.after(() => store.close());
  return { store, service: new RegisterService(store) };
}

test('outbox: each border-visible change appends exactly one change, in order, in the same transaction', async (t) => {
  const { store, service } = open(t);
  const p = person({ restrictions: [callUp('CU-1')] });
  const r1 = await service.upsertPerson(p);
  assert.deepEqual(r1.changes, [1], 'person only: an issued restriction is not yet border-visible');
  const again = await service.upsertPerson(p);
  assert.deepEqual(again.changes, [], 'the same line twice changes nothing');
  const r2 = await service.recordService('CU-1', '2024-10-02T10:00:00.000Z', 'portal');
  assert.deepEqual(r2.changes, [2]);
  const r3 = await service.lift('CU-1', '2024-11-01T00:00:00.000Z', 'cancellation');
  assert.deepEqual(r3.changes, [3]);
  const changes = (await store.batchesAfter(0, 10)).flatMap((b) => b.changes);
  assert.deepEqual(changes.map((c) => [c.seq, c.entity, c.key]), [
    [1, 'person', p.personId],
    [2, 'restriction', 'CU-1'],
    [3, 'restriction', 'CU-1'],
  ]);
  assert.equal((changes[2]!.body as { liftedAt?: string }).liftedAt, '2024-11-01T00:00:00.000Z');
});

test('a refused operation appends nothing', async (t) => {
  const { store, service } = open(t);
  await service.upsertPerson(person({ restrictions: [callUp('CU-2', served)] }));
  const head = await store.headSeq();
  await assert.rejects(service.recordService('CU-2', '2024-10-05T00:00:00.000Z', 'post'), (e: unknown) => e instanceof ErxError && e.status === 409);
  await assert.rejects(service.lift('CU-404', '2024-10-05T00:00:00.000Z', 'expiry'), (e: unknown) => e instanceof ErxError && e.status === 404);
  await assert.rejects(service.issue({ ...callUp('CU-3'), personId: 'NOBODY' } as never), (e: unknown) => e instanceof ErxError && e.status === 404);
  assert.equal(await store.headSeq(), head);
});

test('batch upsert: a bad person is reported in its slot and the others load', async (t) => {
  const { store, service } = open(t);
  const good1 = person();
  const bad = person({ restrictions: [callUp('CU-9', { servedAt: '2024-09-01T00:00:00Z', serviceChannel: 'post' })] });
  const good2 = person();
  const results = await service.upsertPersons([good1, bad, good2]);
  assert.ok(!(results[0] instanceof ErxError));
  assert.ok(results[1] instanceof ErxError && /before issuedAt/.test(results[1].message));
  assert.ok(!(results[2] instanceof ErxError));
  assert.ok(await store.getPerson(good2.personId));
  assert.equal(await store.getPerson(bad.personId), undefined, 'the refused person left nothing behind');
});

test('snapshot is consistent: it holds the border view as of its sequence number, even with writes during the stream', async (t) => {
  const { store, service } = open(t);
  for (let i = 0; i < 50; i++) await service.upsertPerson(person({ restrictions: [callUp(`CU-S${i}`, served)] }));
  const lines: SnapshotLine[] = [];
  let wrote = false;
  for await (const line of store.snapshot()) {
    lines.push(line);
    if (!wrote && line.type === 'person') {
      wrote = true;
      await service.upsertPerson(person()); // committed mid-stream
    }
  }
  const header = lines[0]!;
  const end = lines[lines.length - 1]!;
  assert.equal(header.type, 'header');
  assert.equal(end.type, 'end');
  assert.equal(header.type === 'header' && header.asOfSeq, 100);
  assert.equal(lines.filter((l) => l.type === 'person').length, 50, 'the person written mid-stream is not in the snapshot');
  assert.equal(lines.filter((l) => l.type === 'restriction').length, 50);
  assert.equal(header.type === 'header' && header.records, 100);
  assert.equal(await store.headSeq(), 101);
});

test('least data: the border view leaves out sex and other register-only fields', async (t) => {
  const { store, service } = open(t);
  await service.upsertPerson(person({ sex: 'M', restrictions: [callUp('CU-L', served)] }));
  for (const c of (await store.batchesAfter(0, 10)).flatMap((b) => b.changes)) {
    assert.equal('sex' in (c.body as object), false);
    assert.equal('issuedAt' in (c.body as object), false);
    assert.equal('serviceChannel' in (c.body as object), false);
  }
});
