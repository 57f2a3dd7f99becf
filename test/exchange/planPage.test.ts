import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planPage } from '../../src/exchange/planPage.js';
import { CursorMoved } from '../../src/border/replicaStore.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { personChange, signedChain, tempDir, testSigner } from '../helpers.js';

const signer = testSigner();
const chain = signedChain(signer, [3, 2, 4, 1, 5]); // seqs 1–3, 4–5, 6–9, 10, 11–15
const none = new Map<number, string>();
const seqsOf = (plan: ReturnType<typeof planPage>) => (plan.action === 'apply' ? plan.batches.flatMap((b) => b.changes.map((c) => c.seq)) : []);

test('A1: a page continuing the cursor is applied whole, in order', () => {
  const plan = planPage(0, '', chain, none);
  assert.equal(plan.action, 'apply');
  assert.deepEqual(seqsOf(plan), Array.from({ length: 15 }, (_, i) => i + 1));
});

test('A2: an already-applied batch is an honest duplicate; the same seqs with another body is a replay', () => {
  const known = new Map([[3, chain[0]!.hash], [5, chain[1]!.hash]]);
  assert.deepEqual(planPage(5, chain[1]!.hash, chain.slice(0, 2), known), { action: 'duplicate', skipped: 2 });
  const overlap = planPage(5, chain[1]!.hash, chain.slice(0, 3), known);
  assert.deepEqual(seqsOf(overlap), [6, 7, 8, 9]);
  // Seqs 1–3 again, validly signed, but with another body than the one applied.
  const replay = signedChain(signer, [3]).map((b) => ({ ...b, changes: [personChange(1, 'P-1', 'Петров'), ...b.changes.slice(1)] }))[0]!;
  const plan = planPage(5, chain[1]!.hash, [{ ...replay, hash: 'f'.repeat(64) }], known);
  assert.equal(plan.action, 'reject');
  assert.equal(plan.action === 'reject' && plan.reason, 'replayed');
});

test('A3: a page that skips ahead of the cursor is a gap and nothing is applied', () => {
  const plan = planPage(3, chain[0]!.hash, chain.slice(2), none);
  assert.deepEqual(plan.action === 'reject' && plan.reason, 'gap');
});

test('A4: reordered batches, or a batch whose changes are not its range, are refused whole', () => {
  const swapped = [chain[0]!, chain[2]!, chain[1]!];
  assert.equal(planPage(0, '', swapped, none).action, 'reject');
  const holed = { ...chain[0]!, changes: [chain[0]!.changes[0]!, chain[0]!.changes[2]!] };
  const plan = planPage(0, '', [holed], none);
  assert.equal(plan.action === 'reject' && plan.reason, 'disorder');
});

test('A5: a batch must name the last applied batch as predecessor', () => {
  const otherChain = signedChain(signer, [3, 2]);
  const plan = planPage(3, chain[0]!.hash, [{ ...otherChain[1]!, prevHash: 'a'.repeat(64) }], none);
  assert.equal(plan.action === 'reject' && plan.reason, 'broken-chain');
});

test('property: whatever pages arrive — repeated, overlapping, skipping, reordered — following the plans applies each change exactly once, in order', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(chain.length - 1), fc.integer({ min: 1, max: 4 }), fc.boolean()), { maxLength: 40 }), (deliveries) => {
      let cursor = 0;
      let hash = '';
      const known = new Map<number, string>();
      const applied: number[] = [];
      const follow = (page: typeof chain) => {
        const plan = planPage(cursor, hash, page, known);
        if (plan.action !== 'apply') return;
        for (const b of plan.batches) {
          applied.push(...b.changes.map((c) => c.seq));
          known.set(b.lastSeq, b.hash);
          cursor = b.lastSeq;
          hash = b.hash;
        }
      };
      for (const [start, len, reverse] of deliveries) {
        const page = chain.slice(start, start + len);
        follow(reverse ? [...page].reverse() : page);
      }
      // then an honest catch-up from the cursor
      while (cursor < 15) follow(chain.filter((b) => b.lastSeq > cursor).slice(0, 2));
      assert.deepEqual(applied, Array.from({ length: 15 }, (_, i) => i + 1));
    }),
  );
});

async function bootstrapped(dir: string) {
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const writer = await store.beginBootstrap();
  await writer.write([]);
  await writer.finish(0, '2024-10-01T00:00:00.000Z', '');
  return store;
}

const toApply = (i: number) => ({ lastSeq: chain[i]!.lastSeq, hash: chain[i]!.hash, changes: chain[i]!.changes });

test('store: the cursor, the last hash and the changes commit together; a stale cursor is refused', async (t) => {
  const store = await bootstrapped(tempDir(t));
  await store.applyBatches(0, [toApply(0)], 3, '2024-10-01T00:00:01.000Z');
  let s = await store.state();
  assert.equal(s.cursor, 3);
  assert.equal(s.lastHash, chain[0]!.hash);
  assert.equal(s.changesApplied, 3);
  assert.equal(s.persons, 3);
  assert.deepEqual(await store.knownBatchHashes([3]), new Map([[3, chain[0]!.hash]]));
  await assert.rejects(store.applyBatches(0, [toApply(0)], 3, '2024-10-01T00:00:01.000Z'), CursorMoved);
  s = await store.state();
  assert.equal(s.changesApplied, 3, 'a refused re-apply changed nothing');
  await store.close();
});

test('store: a failing change rolls back the whole page and leaves the cursor', async (t) => {
  const store = await bootstrapped(tempDir(t));
  const bad = structuredClone(toApply(1));
  (bad.changes[1]!.body as { surname: unknown }).surname = null; // violates NOT NULL inside the transaction
  await assert.rejects(store.applyBatches(0, [toApply(0), bad], 5, '2024-10-01T00:00:01.000Z'));
  const s = await store.state();
  assert.equal(s.cursor, 0);
  assert.equal(s.persons, 0, 'batch 1 was rolled back with batch 2');
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

test('store: the screening audit is append-only and hash-chained', async (t) => {
  const dir = tempDir(t);
  const store = await bootstrapped(dir);
  await store.recordScreening({ screeningId: 's1', at: '2024-10-01T00:00:00Z', requester: 'x', request: {}, decision: 'clear', reasons: [], replicaSeq: 0 });
  await store.close();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(`${dir}/audit.db`);
  assert.throws(() => db.prepare("UPDATE audit_trail SET actor = 'someone else'").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit_trail').run(), /append-only/);
  db.close();
});
