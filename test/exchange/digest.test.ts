import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BUCKETS, bucketOf, differingBuckets, digestsOf } from '../../src/exchange/digest.js';
import type { SnapshotRecord } from '../../src/exchange/protocol.js';

const record = (id: string, surname = 'Иванов'): SnapshotRecord => ({
  type: 'person',
  body: { personId: id, surname, givenNames: 'Юрий', dateOfBirth: '1999', documents: [], deferments: [] },
});

test('digests do not depend on record order, and locate a change to its one bucket', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 60 }), fc.nat(), (ids, pick) => {
      const records = ids.map((id) => record(id));
      const shuffled = [...records].reverse();
      assert.deepEqual(differingBuckets(digestsOf(records), digestsOf(shuffled)), []);
      const i = pick % records.length;
      const edited = records.map((r, j) => (j === i ? record(ids[j]!, 'Петров') : r));
      assert.deepEqual(differingBuckets(digestsOf(records), digestsOf(edited)), [bucketOf(records[i]!)]);
      const dropped = records.filter((_, j) => j !== i);
      assert.deepEqual(differingBuckets(digestsOf(records), digestsOf(dropped)), [bucketOf(records[i]!)]);
    }),
  );
});

test('buckets spread records evenly enough', () => {
  const counts = new Array(BUCKETS).fill(0);
  for (let i = 0; i < 40_960; i++) counts[bucketOf(record(`R-${i}`))]++;
  assert.ok(Math.max(...counts) < 40, `fullest bucket ${Math.max(...counts)} of mean 10`);
});
