import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planBatch } from '../../src/border/apply.js';
import { CursorMoved } from '../../src/border/store.js';
import type { Change } from '../../src/exchange/protocol.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { tempDir } from '../helpers.js';

function personChange(seq: number, id = `P-${seq}`, surname = 'Иванов'): Change {
  return {
    seq,
    at: '2024-10-01T00:00:00.000Z',
    entity: 'person',
    key: id,
    body: { personId: id, surname, givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: `7${seq}`, country: 'RUS' }], deferments: [] },
  };
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => personChange(from + i));

test('A1: a batch starting at cursor + 1 is applied whole', () => {
  const plan = planBatch(10, range(11, 15));
  assert.equal(plan.action, 'apply');
  assert.deepEqual(plan.action === 'apply' && plan.changes.map((c) => c.seq), [11, 12, 13, 14, 15]);
});

test('A2: an already-applied batch is a duplicate; an overlapping one applies only its new part', () => {
  assert.deepEqual(planBatch(15, range(11, 15)), { action: 'duplicate', skipped: 5 });
  const plan = planBatch(13, range(11, 15));
  assert.equal(plan.action, 'apply');
  assert.deepEqual(plan.action === 'apply' && plan.changes.map((c) => c.seq), [14, 15]);
});

test('A3: a batch that starts past cursor + 1 is a gap and nothing is applied', () => {
  assert.deepEqual(planBatch(10, range(12, 15)), { action: 'gap', expected: 11, got: 12 });
});

test('A4: a reordered or holed batch is refused whole', () => {
  const batch = range(11, 14);
  [batch[1], batch[2]] = [batch[2]!, batch[1]!];
  assert.equal(planBatch(10, batch).action, 'disorder');
  assert.equal(planBatch(10, [personChange(11), personChange(13)]).action, 'disorder');
});

test('property: whatever batches arrive, in whatever order and repetition, applying per plan yields each change exactly once in order', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.array(fc.tuple(fc.nat(70), fc.integer({ min: 1, max: 15 })), { maxLength: 60 }),
      (total, deliveries) => {
        let cursor = 0;
        const applied: number[] = [];
        // Arbitrary deliveries (duplicates, gaps, overlaps), then an honest catch-up from the cursor.
        const batches = deliveries.map(([start, len]) => range(start + 1, Math.min(start + len, total))).filter((b) => b.length > 0);
        for (const batch of batches) {
          const plan = planBatch(cursor, batch);
          if (plan.action === 'apply') {
            applied.push(...plan.changes.map((c) => c.seq));
            cursor = plan.changes[plan.changes.length - 1]!.seq;
          }
        }
        while (cursor < total) {
          const plan = planBatch(cursor, range(cursor + 1, Math.min(cursor + 7, total)));
          assert.equal(plan.action, 'apply');
          if (plan.action === 'apply') {
            applied.push(...plan.changes.map((c) => c.seq));
            cursor = plan.changes[plan.changes.length - 1]!.seq;
          }
        }
        assert.deepEqual(applied, Array.from({ length: total }, (_, i) => i + 1));
      },
    ),
  );
});

async function bootstrapped(dir: string) {
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const writer = await store.beginBootstrap();
  await writer.write([]);
  await writer.finish(0, '2024-10-01T00:00:00.000Z');
  return store;
}

test('store: the cursor and the changes commit together; a stale cursor is refused', async (t) => {
  const store = await bootstrapped(tempDir(t));
  await store.applyChanges(0, range(1, 3), 3, '2024-10-01T00:00:01.000Z');
  let s = await store.state();
  assert.equal(s.cursor, 3);
  assert.equal(s.changesApplied, 3);
  assert.equal(s.persons, 3);
  await assert.rejects(store.applyChanges(0, range(1, 3), 3, '2024-10-01T00:00:01.000Z'), CursorMoved);
  s = await store.state();
  assert.equal(s.changesApplied, 3, 'a refused re-apply changed nothing');
  await store.close();
});

test('store: a failing change rolls back the whole batch and leaves the cursor', async (t) => {
  const store = await bootstrapped(tempDir(t));
  const bad = personChange(2);
  (bad.body as { surname: unknown }).surname = null; // violates NOT NULL inside the transaction
  await assert.rejects(store.applyChanges(0, [personChange(1), bad], 2, '2024-10-01T00:00:01.000Z'));
  const s = await store.state();
  assert.equal(s.cursor, 0);
  assert.equal(s.persons, 0, 'change 1 was rolled back with change 2');
  await store.close();
});

test('store: an interrupted bootstrap is discarded on reopen', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const writer = await store.beginBootstrap();
  await writer.write([{ type: 'person', body: personChange(1).body as never }]);
  await store.close(); // "crash" before finish
  const reopened = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const s = await reopened.state();
  assert.equal(s.cursor, null);
  assert.equal(s.persons, 0);
  await reopened.close();
});

test('store: the screening audit is append-only', async (t) => {
  const dir = tempDir(t);
  const store = await bootstrapped(dir);
  await store.recordScreening({ screeningId: 's1', at: '2024-10-01T00:00:00Z', requester: 'x', request: {}, decision: 'clear', reasons: [], replicaSeq: 0 });
  await store.close();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(`${dir}/audit.db`);
  assert.throws(() => db.prepare("UPDATE screenings SET decision = 'hit'").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM screenings').run(), /append-only/);
  db.close();
});
