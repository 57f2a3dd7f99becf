/**
 * The storage contract (src/register/registerStore.ts, src/border/replicaStore.ts), run against every backend: the
 * same scenarios, the same assertions. A backend-specific test belongs elsewhere unless it checks a
 * guarantee of the interface. At the end, both backends fed the same operations must agree byte for
 * byte: snapshot records, manifest digests, batch contents and hashes, bucket digests.
 */
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SWAP_CHECK_MS } from '../../src/store/sqlite/replica/stateFile.js';
import assert from 'node:assert/strict';
import { planPage, type BatchToApply } from '../../src/exchange/planPage.js';
import { CursorMoved, type ReplicaStore } from '../../src/border/replicaStore.js';
import { bucketOf, differingBuckets, digestsOf } from '../../src/exchange/digest.js';
import { TrustedKeys } from '../../src/exchange/keys.js';
import { batchHash, isRelief, type Change, type SignedBatch, type SnapshotHeader, type SnapshotLine, type SnapshotRecord, type SnapshotTrailer } from '../../src/exchange/protocol.js';
import { verifyBatch, verifyManifest } from '../../src/exchange/verify.js';
import { defaultMatcher } from '../../src/matching/index.js';
import type { PersonInput } from '../../src/register/schemas.js';
import { RegisterService } from '../../src/register/registerService.js';
import { RuleService } from '../../src/register/categoryRuleService.js';
import { OfficeService } from '../../src/register/officeService.js';
import { officeBodySchema } from '../../src/api/offices.js';
import { issueRuleSchema } from '../../src/register/ruleSchemas.js';
import { rankSearch, SEARCH_CANDIDATES, searchPlan } from '../../src/register/search.js';
import type { RegisterStore } from '../../src/register/registerStore.js';
import { ErxError } from '../../src/shared/errors.js';
import { callUp, mobilisationRule, person, personChange, served, signedChain, testSigner } from '../helpers.js';
import { type Backend, BACKENDS, postgres, sqlite, type StoreOptions, unavailableHere } from './backends.js';

const TIMEOUT = { timeout: 120_000 };

/** Registers one test per backend. */
function contract(name: string, fn: (t: TestContext, b: Backend) => Promise<void>): void {
  for (const backend of BACKENDS) {
    test(`${backend.name}: ${name}`, TIMEOUT, async (t) => {
      if (await unavailableHere(t, backend)) return;
      await fn(t, backend);
    });
  }
}

async function openRegister(t: TestContext, b: Backend, options: StoreOptions = {}) {
  const signer = testSigner();
  const store = await b.register(t, signer, options);
  return { store, service: new RegisterService(store), signer, keys: new TrustedKeys([signer.info]) };
}

async function collect(stream: AsyncIterable<SnapshotLine>) {
  const lines: SnapshotLine[] = [];
  for await (const line of stream) lines.push(line);
  const header = lines[0] as SnapshotHeader;
  const end = lines[lines.length - 1] as SnapshotTrailer;
  assert.equal(header.type, 'header');
  assert.equal(end.type, 'end');
  return { header, end, records: lines.slice(1, -1) as SnapshotRecord[] };
}

async function allBatches(store: RegisterStore): Promise<SignedBatch[]> {
  const out: SignedBatch[] = [];
  for (;;) {
    const page = await store.batchesAfter(out[out.length - 1]?.lastSeq ?? 0, 50);
    if (page.length === 0) return out;
    out.push(...page);
  }
}

/** Every batch verifies, the changes are exactly 1…head, and each batch names its predecessor's hash. */
function assertChain(batches: SignedBatch[], keys: TrustedKeys, head: number): void {
  let prev = '';
  let seq = 0;
  for (const b of batches) {
    verifyBatch(b, keys);
    assert.equal(b.prevHash, prev, `batch ${b.firstSeq}–${b.lastSeq} chains to its predecessor`);
    assert.deepEqual(b.changes.map((c) => c.seq), Array.from({ length: b.lastSeq - b.firstSeq + 1 }, (_, i) => b.firstSeq + i));
    assert.equal(b.firstSeq, seq + 1, 'no gap between batches');
    seq = b.lastSeq;
    prev = b.hash;
  }
  assert.equal(seq, head);
}

const at = '2024-10-01T00:00:01.000Z';

async function bootstrapEmpty(store: ReplicaStore) {
  const writer = await store.beginBootstrap();
  await writer.write([]);
  await writer.finish(0, '2024-10-01T00:00:00.000Z', '');
}

/** Bootstraps `replica` from a whole snapshot of `register`. */
async function bootstrapFrom(register: RegisterStore, replica: ReplicaStore) {
  const snap = await collect(register.snapshot());
  const writer = await replica.beginBootstrap();
  for (let i = 0; i < snap.records.length; i += 7) await writer.write(snap.records.slice(i, i + 7));
  await writer.finish(snap.header.asOfSeq, snap.header.registerTime, snap.header.lastHash);
  return snap;
}

/** Applies the register's feed to `replica` until it holds the head, as the follower would. */
async function follow(register: RegisterStore, replica: ReplicaStore) {
  for (;;) {
    const state = await replica.state();
    const cursor = state.cursor!;
    const batches = await register.batchesAfter(cursor, 5);
    if (batches.length === 0) return;
    const known = await replica.knownBatchHashes(batches.filter((b) => b.lastSeq <= cursor).map((b) => b.lastSeq));
    const plan = planPage(cursor, state.lastHash, batches, known);
    assert.equal(plan.action, 'apply', JSON.stringify(plan));
    if (plan.action !== 'apply') return;
    await replica.applyBatches(cursor, plan.batches, await register.headSeq(), new Date().toISOString());
  }
}

/** The same persons for every backend: ids chosen to sort differently bytewise and by locale. */
function dataset(): PersonInput[] {
  const ids = ['b-7', 'B-8', 'a.1', 'A_2', 'Z10', 'z9', 'M:5', 'm/6', '0-0', 'R-000123'];
  const names = [
    ['Иванов', 'Юрий', 'Сергеевич'],
    ['Петрова', 'Анна', undefined],
    ['Ким', 'Ён Хи', undefined],
    ['Смирнов', 'Пётр', 'Ильич'],
    ['Müller', 'Jörg', undefined],
  ] as const;
  return ids.map((id, i) => {
    const [surname, givenNames, patronymic] = names[i % names.length]!;
    return person({
      personId: id,
      surname,
      givenNames,
      patronymic,
      dateOfBirth: i % 3 === 0 ? '1999' : `199${i}-0${(i % 9) + 1}-1${i % 10}`,
      documents: [
        { type: 'passport', number: `75${i}00${i}`, country: 'RUS' },
        ...(i % 2 ? [{ type: 'id-card', number: `X${i}`, country: 'KAZ' }] : []),
      ],
      // a deferment that ended before the call-ups (one in force would refuse them)
      deferments: i % 4 === 0 ? [{ category: 'student', validFrom: '2019-09-01', validTo: '2023-06-30' }] : [],
      restrictions: [
        callUp(`CU-${id.replace(/[^A-Za-z0-9]/g, '')}-${i}`, i % 3 === 2 ? {} : served),
        ...(i % 2 ? [callUp(`co-${i}`, { kind: 'court-order', basis: 'Решение суда № 2-1/2024', ...served })] : []),
      ],
    });
  });
}

/** Runs the same operations against a register, returning what it produced. */
async function feedDataset(service: RegisterService) {
  const data = dataset();
  for (const r of await service.upsertPersons(data.slice(0, 6))) assert.ok(!(r instanceof ErxError), String(r));
  for (const p of data.slice(6)) await service.upsertPerson(p);
  await service.recordService('CU-a1-2', '2024-10-03T10:00:00.000Z', 'post');
  await service.lift('CU-b7-0', '2024-11-01T00:00:00.000Z', 'cancellation');
  await service.upsertPerson({ ...data[1]!, surname: 'Петрова-Водкина', restrictions: [] });
  const rules = new RuleService(service.store, () => new Date('2026-01-01T00:00:00.000Z'));
  await rules.issue(issueRuleSchema.parse(MOBILISATION));
  await rules.revoke('R-MOB', '2026-02-01T00:00:00.000Z');
  await new OfficeService(service.store, () => new Date('2026-01-01T00:00:00.000Z')).put('MO-Moscow-12', officeBodySchema.parse(MOSCOW_12));
}

const MOBILISATION = mobilisationRule();
const MOSCOW_12 = {
  name: 'Military Commissariat of Moscow, district no. 12',
  address: 'Sadovaya St 14, Moscow, 101014',
  phone: '+7 495 612-34-56',
  email: 'commissariat-12@moscow.mil.example',
  hours: 'Mon–Thu 09:00–18:00',
  howToContest: 'Write to the draft commission of the region, or file a claim with the district court.',
  contestDays: 90,
};

// ───────────────────────────── register ─────────────────────────────

contract('outbox: each border-visible change appends exactly one change, in order, in one signed chained batch per transaction', async (t, b) => {
  const { store, service, keys } = await openRegister(t, b);
  const p = person({ restrictions: [callUp('CU-1')] });
  assert.deepEqual((await service.upsertPerson(p)).changes, [1]);
  assert.deepEqual((await service.upsertPerson(p)).changes, [], 'the same line twice changes nothing');
  assert.deepEqual((await service.recordService('CU-1', '2024-10-02T10:00:00.000Z', 'portal')).changes, [2]);
  assert.deepEqual((await service.lift('CU-1', '2024-11-01T00:00:00.000Z', 'cancellation')).changes, [3]);
  const other = person({ restrictions: [callUp('CU-2', served)] });
  assert.deepEqual((await service.upsertPerson(other)).changes, [4, 5], 'one transaction, two changes');
  const batches = await allBatches(store);
  assert.deepEqual(batches.map((x) => [x.firstSeq, x.lastSeq]), [[1, 1], [2, 2], [3, 3], [4, 5]]);
  assertChain(batches, keys, 5);
  assert.equal(await store.headSeq(), 5);
  assert.equal(await store.oldestSeq(), 1);
  const changes = batches.flatMap((x) => x.changes);
  assert.deepEqual(changes.map((c) => [c.seq, c.entity, c.key]), [
    [1, 'person', p.personId],
    [2, 'restriction', 'CU-1'],
    [3, 'restriction', 'CU-1'],
    [4, 'person', other.personId],
    [5, 'restriction', 'CU-2'],
  ]);
  assert.equal((changes[2]!.body as { liftedAt?: string }).liftedAt, '2024-11-01T00:00:00.000Z');
  for (const c of changes) {
    assert.equal('sex' in (c.body as object), false, 'least data: sex stays in the register');
    assert.equal('serviceChannel' in (c.body as object), false);
  }
  // batchesAfter: whole batches, at least one, then as many as fit
  assert.deepEqual((await store.batchesAfter(0, 2)).map((x) => x.lastSeq), [1, 2]);
  assert.deepEqual((await store.batchesAfter(3, 1)).map((x) => x.lastSeq), [5], 'a batch bigger than the limit still comes whole');
  assert.deepEqual(await store.batchesAfter(5, 10), []);
  // reads
  assert.equal((await store.getPerson(p.personId))?.sex, 'M');
  assert.equal((await store.getRestriction('CU-1'))?.liftReason, 'cancellation');
  assert.deepEqual((await store.restrictionsOf(p.personId)).map((r) => r.restrictionId), ['CU-1']);
  assert.equal(await store.getPerson('NOBODY'), undefined);
});

contract('a refused operation, or a transaction that throws after appending, appends nothing and gives its numbers back', async (t, b) => {
  const { store, service, keys } = await openRegister(t, b);
  await service.upsertPerson(person({ restrictions: [callUp('CU-2', served)] }));
  const head = await store.headSeq();
  await assert.rejects(service.recordService('CU-2', '2024-10-05T00:00:00.000Z', 'post'), (e: unknown) => e instanceof ErxError && e.status === 409);
  await assert.rejects(service.lift('CU-404', '2024-10-05T00:00:00.000Z', 'expiry'), (e: unknown) => e instanceof ErxError && e.status === 404);
  await assert.rejects(service.issue({ ...callUp('CU-3'), personId: 'NOBODY' } as never), (e: unknown) => e instanceof ErxError && e.status === 404);
  const ghost = person();
  await assert.rejects(
    store.transaction(async (tx) => {
      await tx.putPerson({ ...ghost, deferments: [] } as never);
      assert.equal(await tx.appendChange('person', ghost.personId, { personId: ghost.personId }), head + 1);
      assert.equal(await tx.appendChange('person', ghost.personId, null), head + 2);
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  // a write the database refuses (a restriction of nobody) rolls back what came before it
  await assert.rejects(
    store.transaction(async (tx) => {
      await tx.putPerson({ ...ghost, deferments: [] } as never);
      assert.equal((await tx.getPerson(ghost.personId))?.personId, ghost.personId, 'a transaction reads its own writes');
      await tx.appendChange('person', ghost.personId, { personId: ghost.personId });
      await tx.putRestriction({ ...callUp('CU-ORPHAN'), personId: 'NOBODY' } as never);
    }),
  );
  assert.equal(await store.headSeq(), head);
  assert.equal(await store.getPerson(ghost.personId), undefined, 'the entity write rolled back with its changes');
  assert.deepEqual(await store.batchesAfter(head, 10), []);
  const next = await service.upsertPerson(person());
  assert.deepEqual(next.changes, [head + 1], 'the rolled-back numbers are reused: no hole');
  assertChain(await allBatches(store), keys, head + 1);
});

contract('batch upsert: a bad person is reported in its slot and the others load', async (t, b) => {
  const { store, service } = await openRegister(t, b);
  const good1 = person();
  const bad = person({ restrictions: [callUp('CU-9', { servedAt: '2024-09-01T00:00:00Z', serviceChannel: 'post' })] });
  const good2 = person({ restrictions: [callUp('CU-10', served)] });
  const results = await service.upsertPersons([good1, bad, good2]);
  assert.ok(!(results[0] instanceof ErxError));
  assert.ok(results[1] instanceof ErxError && /before issuedAt/.test(results[1].message));
  assert.ok(!(results[2] instanceof ErxError));
  assert.deepEqual(results.map((r) => (r instanceof ErxError ? null : r.changes)), [[1], null, [2, 3]]);
  assert.ok(await store.getPerson(good2.personId));
  assert.equal(await store.getPerson(bad.personId), undefined, 'the refused person left nothing behind');
  const batches = await store.batchesAfter(0, 100);
  assert.deepEqual(batches.map((x) => [x.firstSeq, x.lastSeq]), [[1, 3]], 'one transaction, one batch');
});

contract('concurrent transactions are serialised: dense seqs, one batch each, an unbroken chain', async (t, b) => {
  const { store, service, keys } = await openRegister(t, b);
  const commits: number[] = [];
  store.onCommit((head) => commits.push(head));
  const work = Array.from({ length: 24 }, (_, i) =>
    i % 5 === 4
      ? store.transaction(async (tx) => {
          await tx.appendChange('person', `X-${i}`, null);
          throw new Error(`refused ${i}`);
        })
      : service.upsertPerson(person({ restrictions: i % 2 ? [callUp(`CU-C${i}`, served)] : [] })),
  );
  const settled = await Promise.allSettled(work);
  assert.equal(settled.filter((s) => s.status === 'rejected').length, 4);
  const seqs = settled.flatMap((s) => (s.status === 'fulfilled' ? (s.value as { changes: number[] }).changes : []));
  const head = 20 + 10; // 20 persons, 10 of them with a served restriction
  assert.deepEqual([...seqs].sort((x, y) => x - y), Array.from({ length: head }, (_, i) => i + 1));
  assert.equal(await store.headSeq(), head);
  const batches = await allBatches(store);
  assert.equal(batches.length, 20);
  assertChain(batches, keys, head);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(commits[commits.length - 1], head, 'onCommit announced the head');
  assert.deepEqual(commits, [...commits].sort((x, y) => x - y), 'announced in order');
});

contract('snapshot is consistent: exactly the state as of asOfSeq, while writes commit mid-stream', async (t, b) => {
  const { store, service, keys } = await openRegister(t, b, { fetchRows: 7 });
  const people = Array.from({ length: 40 }, (_, i) => person({ personId: `S-${String(i).padStart(3, '0')}`, restrictions: [callUp(`CU-S${i}`, served)] }));
  for (const p of people) await service.upsertPerson(p);
  const before = await collect(store.snapshot());
  const lines: SnapshotLine[] = [];
  let wrote = false;
  for await (const line of store.snapshot()) {
    lines.push(line);
    if (!wrote && line.type === 'person') {
      wrote = true;
      // committed mid-stream: a new person, a change to a person not yet streamed, a lift
      await service.upsertPerson(person({ personId: 'S-000a' }));
      await service.upsertPerson({ ...people[39]!, surname: 'Сидоров', restrictions: [] });
      await service.lift('CU-S39', '2024-11-01T00:00:00.000Z', 'cancellation');
    }
  }
  const header = lines[0] as SnapshotHeader;
  const end = lines[lines.length - 1] as SnapshotTrailer;
  const records = lines.slice(1, -1) as SnapshotRecord[];
  assert.equal(header.asOfSeq, 80);
  assert.equal(header.records, 80);
  assert.equal(end.records, 80);
  assert.equal(header.lastHash, (await store.batchesAfter(79, 1))[0]!.hash, 'lastHash is the hash of the batch ending at asOfSeq');
  assert.deepEqual(records, before.records, 'nothing committed after the snapshot began is in it');
  const persons = records.filter((r) => r.type === 'person').map((r) => r.body.personId);
  assert.deepEqual(persons, people.map((p) => p.personId), 'persons in key order');
  verifyManifest(end, keys);
  assert.equal(end.digest, before.end.digest);
  assert.equal(await store.headSeq(), 83);
  const after = await collect(store.snapshot());
  assert.equal(after.header.asOfSeq, 83);
  assert.equal(after.records.length, 81);
  assert.ok(after.records.some((r) => r.type === 'person' && r.body.surname === 'Сидоров'));
  assert.ok(after.records.some((r) => r.type === 'restriction' && r.body.restrictionId === 'CU-S39' && r.body.liftedAt));
});

contract('snapshot: an issued-but-unserved restriction is not in it; a reader that stops early frees its resources', async (t, b) => {
  const { store, service } = await openRegister(t, b, { maxConnections: 3 });
  await service.upsertPerson(person({ restrictions: [callUp('CU-U1'), callUp('CU-U2', served)] }));
  const snap = await collect(store.snapshot());
  assert.deepEqual(snap.records.filter((r) => r.type === 'restriction').map((r) => r.body.restrictionId), ['CU-U2']);
  assert.equal(snap.header.records, 2);
  for (let i = 0; i < 8; i++) {
    for await (const line of store.snapshot()) {
      assert.equal(line.type, 'header');
      break;
    }
  }
  // With a leaked connection per abandoned snapshot, the pool (3) would be exhausted by now.
  assert.deepEqual((await service.upsertPerson(person())).changes, [3]);
  assert.equal((await collect(store.snapshot())).records.length, 3);
});

contract('bucket-limited snapshot: only records of the asked buckets, under a signed manifest naming them', async (t, b) => {
  const { store, service, keys } = await openRegister(t, b);
  for (let i = 0; i < 30; i++) await service.upsertPerson(person({ restrictions: [callUp(`CU-B${i}`, served)] }));
  const whole = await collect(store.snapshot());
  const buckets = [...new Set(whole.records.slice(0, 40).map(bucketOf))].slice(0, 5).sort((x, y) => y - x);
  const part = await collect(store.snapshot({ buckets }));
  assert.equal(part.header.records, -1);
  assert.deepEqual(part.end.buckets, [...buckets].sort((x, y) => x - y));
  assert.deepEqual(part.records, whole.records.filter((r) => buckets.includes(bucketOf(r))));
  assert.equal(part.end.records, part.records.length);
  assert.ok(part.records.length >= 5);
  verifyManifest(part.end, keys);
});

contract('compaction drops whole old batches, never the newest; the chain continues', async (t, b) => {
  const { store, service, keys } = await openRegister(t, b);
  assert.deepEqual(await store.compact({ keepChanges: 0 }), { removedBatches: 0, removedChanges: 0, oldestSeq: 1 }, 'nothing to compact');
  for (let i = 0; i < 6; i++) await service.upsertPerson(person()); // seqs 1–6, a batch each
  await service.upsertPerson(person({ restrictions: [callUp('CU-K1', served), callUp('CU-K2', served)] })); // 7–9
  await service.upsertPerson(person()); // 10
  const full = await allBatches(store);
  const report = await store.compact({ keepChanges: 3 }); // cut at 7: batches up to 6 go; 7–9 stays whole
  assert.deepEqual(report, { removedBatches: 6, removedChanges: 6, oldestSeq: 7 });
  assert.equal(await store.oldestSeq(), 7);
  assert.equal(await store.headSeq(), 10);
  assert.deepEqual(await store.batchesAfter(6, 100), full.slice(6));
  assert.deepEqual((await store.batchesAfter(0, 100)).map((x) => x.firstSeq), [7, 10], 'asking from before the oldest gets what is left');
  assert.deepEqual(await store.compact({ keepSeconds: 3600, keepChanges: 100 }), { removedBatches: 0, removedChanges: 0, oldestSeq: 7 });
  await new Promise((r) => setTimeout(r, 5)); // every batch now lies strictly in the past
  const all = await store.compact({ keepSeconds: 0 });
  assert.deepEqual(all, { removedBatches: 1, removedChanges: 3, oldestSeq: 10 }, 'everything but the newest batch');
  assert.deepEqual(await store.compact({ keepChanges: 0 }), { removedBatches: 0, removedChanges: 0, oldestSeq: 10 });
  await service.upsertPerson(person());
  const rest = await store.batchesAfter(9, 100);
  assert.deepEqual(rest.map((x) => x.lastSeq), [10, 11]);
  assert.equal(rest[1]!.prevHash, rest[0]!.hash);
  for (const x of rest) verifyBatch(x, keys);
  assert.equal((await collect(store.snapshot())).header.asOfSeq, 11, 'the snapshot does not depend on the log');
});

// ───────────────────────────── replica ─────────────────────────────

const signer = testSigner();
const chain = signedChain(signer, [3, 2, 4, 1, 5]); // seqs 1–3, 4–5, 6–9, 10, 11–15
const toApply = (i: number): BatchToApply => ({ lastSeq: chain[i]!.lastSeq, hash: chain[i]!.hash, changes: chain[i]!.changes });

contract('replica: changes, cursor, last hash and counters commit together; a stale cursor is refused', async (t, b) => {
  const { store } = await b.replica(t);
  let s = await store.state();
  assert.equal(s.cursor, null, 'not bootstrapped');
  await assert.rejects(store.applyBatches(0, [toApply(0)], 3, at), CursorMoved, 'nothing applies before a bootstrap');
  await bootstrapEmpty(store);
  await store.applyBatches(0, [toApply(0)], 5, at);
  s = await store.state();
  assert.deepEqual(
    { cursor: s.cursor, lastHash: s.lastHash, changesApplied: s.changesApplied, persons: s.persons, registerSeq: s.registerSeq, snapshotSeq: s.snapshotSeq },
    { cursor: 3, lastHash: chain[0]!.hash, changesApplied: 3, persons: 3, registerSeq: 5, snapshotSeq: 0 },
  );
  assert.equal(s.dataAsOf, '2024-10-01T00:00:00.000Z', 'behind the register: dataAsOf stays');
  await assert.rejects(store.applyBatches(0, [toApply(0)], 3, at), CursorMoved);
  await store.applyBatches(3, [toApply(1), toApply(2)], 9, at);
  s = await store.state();
  assert.deepEqual([s.cursor, s.changesApplied, s.persons, s.dataAsOf], [9, 9, 9, at]);
  // two racing callers with the same expected cursor: exactly one wins
  const race = await Promise.allSettled([store.applyBatches(9, [toApply(3)], 10, at), store.applyBatches(9, [toApply(3)], 10, at)]);
  assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.ok(race.some((r) => r.status === 'rejected' && r.reason instanceof CursorMoved));
  s = await store.state();
  assert.deepEqual([s.cursor, s.changesApplied], [10, 10]);
  await store.noteContact(20, '2024-10-01T00:00:05.000Z', false);
  s = await store.state();
  assert.deepEqual([s.registerSeq, s.dataAsOf], [20, at]);
  await store.noteContact(10, '2024-10-01T00:00:06.000Z', true);
  assert.equal((await store.state()).dataAsOf, '2024-10-01T00:00:06.000Z');
});

contract('replica: a reader beside the writer (a second worker) sees its commits, its sync view and a new bootstrap; both append to one audit chain', async (t, b) => {
  const handle = await b.replica(t);
  const { store } = handle;
  await bootstrapEmpty(store);
  const reader = await handle.reader();
  assert.equal((await reader.state()).cursor, 0);
  assert.equal(await reader.syncView(), null, 'nothing published yet');
  await store.applyBatches(0, [toApply(0)], 3, at);
  assert.deepEqual([(await reader.state()).cursor, (await reader.state()).persons], [3, 3], "the reader keeps nothing past the writer's commit");
  assert.equal((await reader.getPerson(chain[0]!.changes[0]!.key))?.personId, chain[0]!.changes[0]!.key);
  const view = { publishedAt: 1, latestClaim: { registerSeq: 3, registerTime: at, receivedAt: 2, applied: true }, notReadyBecause: null, damage: null, status: { sync: 'following' } };
  await store.publishSyncView(view);
  assert.deepEqual(await reader.syncView(), view);
  await store.publishSyncView({ ...view, publishedAt: 5, damage: 'the disk said no' });
  assert.equal((await reader.syncView())?.damage, 'the disk said no', 'the newest view wins');
  assert.equal((await reader.state()).cursor, 3, 'publishing a view leaves the state as it was');

  // A new bootstrap (the writer rebuilds): the reader follows it to the new state (a SQLite reader
  // looks for a swapped file at most every SWAP_CHECK_MS).
  await bootstrapEmpty(store);
  await sleep(SWAP_CHECK_MS + 5);
  assert.equal((await reader.state()).persons, 0);
  await store.applyBatches(0, [toApply(0), toApply(1)], 9, at);
  assert.equal((await reader.state()).cursor, chain[1]!.lastSeq);

  const entry = (i: number) => ({ screeningId: `w${i}`, at: `2024-10-01T00:00:0${i}.000Z`, requester: `checkpoint:w${i % 2}@10.0.0.1`, request: { n: i }, decision: 'clear', reasons: [], replicaSeq: i });
  for (let i = 1; i <= 6; i++) await (i % 2 ? store : reader).recordScreening(entry(i));
  await Promise.all([1, 2, 3].map((i) => Promise.all([store.recordScreening(entry(i)), reader.recordScreening(entry(i + 3))])));
  // A manifest's screenings go in with one commit, consecutive in the chain, while the other worker appends singly.
  const manifest = [7, 8, 9, 10, 11].map((i) => ({ ...entry(i % 10), screeningId: `m${i}`, manifest: { manifestId: 'M-1', position: i - 6 } }));
  await Promise.all([store.recordScreenings(manifest), reader.recordScreening(entry(7)), reader.recordScreening(entry(8))]);
  await reader.recordScreenings([]);
  const verdict = await b.trail(store).verify();
  assert.ok(verdict.ok, JSON.stringify(verdict));
  const all = await store.screenings(100);
  assert.equal(all.length, 19, "both workers' screenings, in one chain");
  const ids = all.map((s) => s.screeningId).reverse();
  const first = ids.indexOf('m7');
  assert.deepEqual(ids.slice(first, first + 5), ['m7', 'm8', 'm9', 'm10', 'm11'], "a manifest's screenings are consecutive and in order");
  assert.deepEqual((await store.screening('m9'))?.manifest, { manifestId: 'M-1', position: 3 });
});

contract('replica: a failing change rolls back the whole page and leaves the cursor', async (t, b) => {
  const { store } = await b.replica(t);
  await bootstrapEmpty(store);
  const bad = structuredClone(toApply(1));
  (bad.changes[1]!.body as { surname: unknown }).surname = null; // violates NOT NULL inside the transaction
  await assert.rejects(store.applyBatches(0, [toApply(0), bad], 5, at));
  const s = await store.state();
  assert.deepEqual([s.cursor, s.persons, s.changesApplied, s.lastHash], [0, 0, 0, '']);
  assert.deepEqual(await store.knownBatchHashes([3, 5]), new Map(), 'no applied-batch hash survived');
  await store.applyBatches(0, [toApply(0), toApply(1)], 5, at);
  assert.equal((await store.state()).persons, 5, 'and the same page applies cleanly afterwards');
});

contract('replica: knownBatchHashes tells an honest duplicate from a replay', async (t, b) => {
  const { store } = await b.replica(t);
  await bootstrapEmpty(store);
  await store.applyBatches(0, [toApply(0), toApply(1)], 5, at);
  const known = await store.knownBatchHashes([3, 5, 9]);
  assert.deepEqual(known, new Map([[3, chain[0]!.hash], [5, chain[1]!.hash]]));
  const s = await store.state();
  assert.deepEqual(planPage(s.cursor!, s.lastHash, chain.slice(0, 2), known), { action: 'duplicate', skipped: 2 });
  const replay = { ...chain[0]!, changes: [personChange(1, 'P-1', 'Петров'), ...chain[0]!.changes.slice(1)], hash: 'f'.repeat(64) };
  const plan = planPage(s.cursor!, s.lastHash, [replay], known);
  assert.equal(plan.action === 'reject' && plan.reason, 'replayed');
  const next = planPage(s.cursor!, s.lastHash, chain.slice(0, 3), known);
  assert.equal(next.action, 'apply');
});

contract('replica: changes carry whole states; a page touching one entity many times ends in its last state; null removes', async (t, b) => {
  const { store } = await b.replica(t);
  await bootstrapEmpty(store);
  const page = signedChain(signer, [1]);
  const changes: Change[] = [
    personChange(1, 'P-1', 'Иванов'),
    personChange(2, 'P-1', 'Петров'),
    { seq: 3, at, entity: 'restriction', key: 'R-1', body: { restrictionId: 'R-1', personId: 'P-1', kind: 'call-up', basis: 'b', office: 'MO-1', inForceFrom: at } },
    personChange(4, 'P-2'),
    { seq: 5, at, entity: 'person', key: 'P-2', body: null },
    { seq: 6, at, entity: 'restriction', key: 'R-2', body: { restrictionId: 'R-2', personId: 'P-1', kind: 'other', basis: 'b2', office: 'MO-1', inForceFrom: at } },
    { seq: 7, at, entity: 'restriction', key: 'R-2', body: null },
  ];
  await store.applyBatches(0, [{ lastSeq: 4, hash: page[0]!.hash, changes: changes.slice(0, 4) }, { lastSeq: 7, hash: 'h7', changes: changes.slice(4) }], 7, at);
  const s = await store.state();
  assert.deepEqual([s.cursor, s.persons, s.restrictions, s.changesApplied, s.lastHash], [7, 1, 1, 7, 'h7']);
  assert.equal((await store.getPerson('P-1'))?.surname, 'Петров');
  assert.deepEqual((await store.getPerson('P-1'))?.documents, [{ type: 'passport', number: '72', country: 'RUS' }], 'documents of the last state only');
  assert.deepEqual(await store.byDocument('71'), [], 'the first state’s document is gone');
  assert.equal(await store.getPerson('P-2'), undefined);
  assert.deepEqual(await store.byDocument('74'), []);
  assert.deepEqual((await store.restrictionsOf(['P-1'])).map((r) => r.restrictionId), ['R-1']);
  assert.deepEqual(await store.knownBatchHashes([4, 7]), new Map([[4, page[0]!.hash], [7, 'h7']]));
});

contract('replica: an interrupted bootstrap is discarded on reopen', async (t, b) => {
  const handle = await b.replica(t);
  const writer = await handle.store.beginBootstrap();
  await writer.write([{ type: 'person', body: personChange(1).body as never }]);
  const reopened = await handle.reopen(); // "crash" before finish
  const s = await reopened.state();
  assert.deepEqual([s.cursor, s.persons, s.snapshotSeq], [null, 0, null]);
  assert.equal(await reopened.getPerson('P-1'), undefined);
  await bootstrapEmpty(reopened);
  assert.equal((await reopened.state()).cursor, 0, 'a later bootstrap works');
});

contract('replica: a re-bootstrap is all-or-nothing; the old state answers until the new one is complete', async (t, b) => {
  const { store } = await b.replica(t);
  await bootstrapEmpty(store);
  await store.applyBatches(0, [toApply(0)], 3, at);
  const writer = await store.beginBootstrap();
  const fresh = [personChange(20, 'N-1'), personChange(21, 'N-2')].map((c) => ({ type: 'person', body: c.body }) as SnapshotRecord);
  await writer.write(fresh);
  await writer.write([{ type: 'restriction', body: { restrictionId: 'R-N', personId: 'N-1', kind: 'call-up', basis: 'b', office: 'MO-1', inForceFrom: at } }]);
  // mid-bootstrap: screening still sees the old state, whole
  let s = await store.state();
  assert.deepEqual([s.cursor, s.persons, s.restrictions], [3, 3, 0]);
  assert.ok(await store.getPerson('P-1'));
  assert.equal((await store.byDocument('71')).length, 1);
  assert.equal(await store.getPerson('N-1'), undefined);
  await writer.finish(21, '2024-10-02T00:00:00.000Z', 'hash-21');
  s = await store.state();
  assert.deepEqual(
    [s.cursor, s.snapshotSeq, s.registerSeq, s.lastHash, s.changesApplied, s.persons, s.restrictions, s.dataAsOf],
    [21, 21, 21, 'hash-21', 0, 2, 1, '2024-10-02T00:00:00.000Z'],
  );
  assert.equal(await store.getPerson('P-1'), undefined, 'the old state is gone');
  assert.deepEqual((await store.byDocument('720')).map((p) => p.personId), ['N-1'], 'lookups use the new state');
  assert.deepEqual((await store.byNameKeys(defaultMatcher.indexKeys(fresh[0]!.body as never), 10)).map((p) => p.personId).sort(), ['N-1', 'N-2']);
  assert.deepEqual(await store.knownBatchHashes([21]), new Map([[21, 'hash-21']]));
  // the swapped-in state takes changes, and a further bootstrap works the same way
  await store.applyBatches(21, [{ lastSeq: 22, hash: 'h22', changes: [{ ...personChange(22, 'N-3'), seq: 22 }] }], 22, at);
  assert.deepEqual([(await store.state()).persons, (await store.state()).cursor], [3, 22]);
  await bootstrapEmpty(store);
  s = await store.state();
  assert.deepEqual([s.cursor, s.persons, s.restrictions], [0, 0, 0]);
});

contract('replica digest equals the register’s after following its feed; repair heals hand edits bucket by bucket', async (t, b) => {
  const { store: register, service } = await openRegister(t, b);
  const { store: replica, stateSql } = await b.replica(t);
  for (let i = 0; i < 15; i++) await service.upsertPerson(person({ personId: `D-${i}`, restrictions: [callUp(`CU-D${i}`, served)] }));
  await bootstrapFrom(register, replica); // as of seq 30
  for (let i = 15; i < 25; i++) await service.upsertPerson(person({ personId: `D-${i}`, restrictions: [callUp(`CU-D${i}`, served)] }));
  await service.lift('CU-D3', '2024-11-01T00:00:00.000Z', 'cancellation');
  await service.upsertPerson(person({ personId: 'D-4', surname: 'Кузнецов' }));
  await follow(register, replica);
  const truth = await collect(register.snapshot());
  assert.equal((await replica.state()).cursor, truth.header.asOfSeq);
  assert.deepEqual(differingBuckets(digestsOf(truth.records), await replica.digest()), [], 'register and replica agree in every bucket');
  const s = await replica.state();
  assert.deepEqual([s.persons, s.restrictions], [25, 25]);

  // hand edits: a person deleted, a restriction altered, a stray person inserted
  await stateSql(`DELETE FROM persons WHERE person_id = 'D-7'`);
  await stateSql(`UPDATE restrictions SET basis = 'forged' WHERE restriction_id = 'CU-D9'`);
  await stateSql(
    `INSERT INTO persons (person_id, surname, given_names, patronymic, date_of_birth, documents, deferments, seq)
     VALUES ('STRAY', 'Х', 'Ы', NULL, '1990', '[]', '[]', 1)`,
  );
  const differing = differingBuckets(digestsOf(truth.records), await replica.digest());
  const edited = new Set([bucketOf({ type: 'person', body: { personId: 'D-7' } as never }), bucketOf({ type: 'restriction', body: { restrictionId: 'CU-D9' } as never }), bucketOf({ type: 'person', body: { personId: 'STRAY' } as never })]);
  assert.deepEqual(differing, [...edited].sort((x, y) => x - y));
  assert.deepEqual((await replica.state()).persons, 25, 'counts follow hand edits too (one gone, one stray)');
  const cursor = (await replica.state()).cursor!;
  const part = await collect(register.snapshot({ buckets: differing }));
  await assert.rejects(replica.repairBuckets(cursor - 1, differing, part.records), CursorMoved);
  const report = await replica.repairBuckets(cursor, differing, part.records);
  assert.equal(report.buckets, differing.length);
  assert.deepEqual([report.inserted, report.updated, report.deleted], [1, 1, 1]);
  assert.equal(report.unchanged, part.records.length - 2);
  assert.deepEqual(differingBuckets(digestsOf(truth.records), await replica.digest()), []);
  assert.equal((await replica.getPerson('D-7'))?.personId, 'D-7');
  assert.equal((await replica.byDocument((await replica.getPerson('D-7'))!.documents[0]!.number)).length, 1, 'a repaired person is findable again');
  assert.equal(await replica.getPerson('STRAY'), undefined);
  assert.deepEqual([(await replica.state()).persons, (await replica.state()).restrictions], [25, 25]);
});

contract('replica: candidate lookups by document and by name keys, restrictions per person', async (t, b) => {
  const { store: register, service } = await openRegister(t, b);
  const { store: replica } = await b.replica(t);
  const data = dataset();
  for (const r of await service.upsertPersons(data)) assert.ok(!(r instanceof ErxError), String(r));
  await bootstrapFrom(register, replica);
  const ivanov = data[0]!;
  const doc = ivanov.documents[0]!;
  assert.deepEqual((await replica.byDocument(doc.number)).map((p) => p.personId), [ivanov.personId]);
  assert.deepEqual((await replica.byDocument(doc.number, 'RUS')).map((p) => p.personId), [ivanov.personId]);
  assert.deepEqual(await replica.byDocument(doc.number, 'KAZ'), []);
  assert.deepEqual(await replica.byDocument('NOSUCHDOC'), []);
  const found = await replica.byDocument(doc.number);
  assert.deepEqual(found[0], await replica.getPerson(ivanov.personId), 'a candidate is the whole border person');
  assert.equal('sex' in found[0]!, false);
  // two persons named Иванов Юрий (i = 0, 5), born in different years: each found by its own keys
  const keysOf = async (id: string) => defaultMatcher.indexKeys((await replica.getPerson(id))!);
  const keys0 = await keysOf(data[0]!.personId);
  const keys5 = await keysOf(data[5]!.personId);
  assert.ok(keys0.length > 0 && keys5.length > 0);
  const byName = await replica.byNameKeys(keys0, 10);
  assert.ok(byName.some((p) => p.personId === data[0]!.personId));
  for (const p of byName) assert.ok(defaultMatcher.indexKeys(p).some((k) => keys0.includes(k)), `${p.personId} shares a key asked for`);
  const both = (await replica.byNameKeys([...keys0, ...keys5], 10)).map((p) => p.personId);
  assert.ok(both.includes(data[0]!.personId) && both.includes(data[5]!.personId));
  assert.equal(new Set(both).size, both.length, 'each person once');
  assert.equal((await replica.byNameKeys([...keys0, ...keys5], 1)).length, 1, 'the limit holds');
  assert.deepEqual(await replica.byNameKeys(['no-such-key'], 10), []);
  assert.deepEqual(await replica.byNameKeys([], 10), []);
  const ids = [data[1]!.personId, data[0]!.personId, 'NOBODY'];
  const restrictions = await replica.restrictionsOf(ids);
  const expected = (await Promise.all(ids.map((id) => register.restrictionsOf(id))))
    .flat()
    .filter((r) => r.servedAt)
    .map((r) => r.restrictionId);
  assert.deepEqual(restrictions.map((r) => r.restrictionId).sort(), [...expected].sort());
  assert.deepEqual(restrictions.map((r) => r.personId), [...restrictions.map((r) => r.personId)].sort((x, y) => ids.indexOf(x) - ids.indexOf(y)), 'grouped in the order asked');
  assert.deepEqual(await replica.restrictionsOf([]), []);
});

contract('replica: the screening audit is append-only and hash-chained', async (t, b) => {
  const { store, auditSql } = await b.replica(t);
  await bootstrapEmpty(store);
  const entry = (i: number, requester = 'checkpoint:a-1') => ({
    screeningId: `s${i}`,
    at: `2024-10-01T00:00:0${i}.000Z`,
    requester,
    request: { surname: 'IVANOV', n: i },
    decision: i === 2 ? 'hit' : 'clear',
    reasons: [{ restrictionId: 'CU-1', score: 0.95 }],
    replicaSeq: i,
  });
  await store.recordScreening(entry(1, 'checkpoint:a@10.0.0.1'));
  await store.recordScreening(entry(3, 'checkpoint:b@10.0.0.2'));
  await store.recordScreening(entry(2, 'checkpoint:a_%@10.0.0.3'));
  assert.deepEqual(await store.screenings(2), [entry(2, 'checkpoint:a_%@10.0.0.3'), entry(3, 'checkpoint:b@10.0.0.2')], 'newest first, the limit holds, values round-trip');
  assert.deepEqual((await store.screenings(10, 'checkpoint:a')).map((e) => e.screeningId), ['s1'], 'one checkpoint: its name exactly, not a prefix');
  assert.deepEqual((await store.screenings(10, 'checkpoint:a_%')).map((e) => e.screeningId), ['s2'], 'the name is literal, not a pattern');
  assert.deepEqual(await store.screenings(10, 'nobody'), []);
  // many checkpoints at once: every entry names its predecessor
  await Promise.all(Array.from({ length: 12 }, (_, i) => store.recordScreening(entry(4 + (i % 5), `checkpoint:c${i}`))));
  assert.deepEqual(await b.trail(store).verify(), { ok: true, entries: 15 });
  assert.deepEqual(
    (await store.screenings(12)).map((e) => e.requester).reverse(),
    Array.from({ length: 12 }, (_, i) => `checkpoint:c${i}`),
    'entries written together (group commit) keep the order they were recorded in',
  );
  await assert.rejects(auditSql(`UPDATE audit_trail SET actor = 'someone else' WHERE seq = 2`), /append-only/);
  await assert.rejects(auditSql(`DELETE FROM audit_trail WHERE seq = 1`), /append-only/);
  assert.equal((await store.screenings(100)).length, 15);
  assert.equal((await store.screenings(100)).find((e) => e.screeningId === 's2')?.decision, 'hit');
  assert.deepEqual(await b.trail(store).verify(), { ok: true, entries: 15 });
});

contract('replica: a checkpoint lists only its own screenings — its exact name, in any store', async (t, b) => {
  const { store } = await b.replica(t);
  await bootstrapEmpty(store);
  const requesters = ['cp-1@10.0.0.1', 'cp-10@10.0.0.2', 'CP-1@10.0.0.3', 'cp-1@10.0.0.4', 'cp-1@x@10.0.0.5', 'cp-%@10.0.0.6', 'cp-_@10.0.0.7', 'xcp-1@10.0.0.8', 'cp-1'];
  for (const [i, requester] of requesters.entries()) {
    await store.recordScreening({ screeningId: `s${i}`, at: `2024-10-01T00:00:0${i}.000Z`, requester, request: {}, decision: 'clear', reasons: [], replicaSeq: 1 });
  }
  const of = async (name: string, limit = 50) => (await store.screenings(limit, name)).map((e) => e.requester);
  assert.deepEqual(await of('cp-1'), ['cp-1@10.0.0.4', 'cp-1@10.0.0.1'], 'not cp-10, not CP-1, not cp-1@x, not a requester without address');
  assert.deepEqual(await of('cp-1', 1), ['cp-1@10.0.0.4'], 'the limit counts only its own');
  assert.deepEqual(await of('CP-1'), ['CP-1@10.0.0.3'], 'case matters');
  assert.deepEqual(await of('cp-1@x'), ['cp-1@x@10.0.0.5'], 'a name with @ is its own');
  assert.deepEqual(await of('cp-%'), ['cp-%@10.0.0.6'], 'a % is a character, not a pattern');
  assert.deepEqual(await of('cp-_'), ['cp-_@10.0.0.7'], 'an _ is a character, not a pattern');
  assert.deepEqual(await of('cp'), []);
  assert.deepEqual(await of(''), []);
});

contract('register: every mutation is audited in its own transaction, hash-chained; a refused one leaves no entry', async (t, b) => {
  const { store, service } = await openRegister(t, b);
  const p = person({ restrictions: [callUp('CU-A1')] });
  await service.upsertPerson(p, 'office:clerk@MO-Moscow-12');
  await service.recordService('CU-A1', '2024-10-02T10:00:00.000Z', 'portal', 'office:clerk@MO-Moscow-12');
  await service.lift('CU-A1', '2024-11-01T00:00:00.000Z', 'cancellation', 'operator:ana');
  await assert.rejects(service.lift('CU-A1', '2024-12-01T00:00:00.000Z', 'expiry', 'operator:ana'));
  assert.deepEqual((await service.upsertPerson({ ...p, restrictions: [] }, 'office:clerk@MO-Moscow-12')).changes, []); // nothing changes, nothing audited
  await assert.rejects(
    store.transaction(async (tx) => {
      await tx.audit({ actor: 'operator:ana', action: 'person.update', subject: p.personId, detail: {} });
      throw new Error('rolled back');
    }),
    /rolled back/,
  );
  const trail = b.trail(store);
  assert.deepEqual(await trail.verify(), { ok: true, entries: 3 });
  const lift = await trail.recent('restriction.lift', 10);
  assert.deepEqual(lift.map((e) => [e.seq, e.actor, e.subject]), [[3, 'operator:ana', 'CU-A1']]);
  assert.deepEqual((lift[0]!.detail as { changes: number[] }).changes, [3], 'the entry names the changes it caused');
  assert.deepEqual((await trail.recent('person.create', 10)).map((e) => e.prevHash), [''], 'the first entry starts the chain');
});

contract('register: an office may not rewrite identity or grant relief over another office’s open restriction; every change keeps the values replaced and audits before → after', async (t, b) => {
  const { store, service } = await openRegister(t, b);
  const officeB = { name: 'office:clerk@MO-B', office: 'MO-B' };
  const p = person({ restrictions: [callUp('CU-O1', served)] });
  await service.upsertPerson(p, 'operator:ana');
  const stored = await store.getPerson(p.personId);
  const head = await store.headSeq();
  const refused = async (input: typeof p, pattern: RegExp) =>
    assert.rejects(service.upsertPerson(input, officeB), (e: unknown) => e instanceof ErxError && e.status === 403 && pattern.test(e.message));
  await refused({ ...p, surname: 'Петров', restrictions: [] }, /may not change the surname of person .* open call-up CU-O1 of office MO-Moscow-12/);
  await refused({ ...p, documents: [], restrictions: [] }, /may not change the documents/);
  await refused({ ...p, restrictions: [], deferments: [{ category: 'student', validFrom: '2024-09-01', validTo: '2029-06-30', basis: 'art. 24' }] }, /would clear call-up CU-O1/);
  // In a batch, the refused person is reported in its slot and the others load.
  const other = person();
  const batch = await service.upsertPersons([{ ...p, surname: 'Петров', restrictions: [] }, other], officeB);
  assert.ok(batch[0] instanceof ErxError && batch[0].status === 403);
  assert.ok(!(batch[1] instanceof ErxError));
  assert.deepEqual(await store.getPerson(p.personId), stored, 'nothing changed');
  assert.deepEqual(await store.personVersions(p.personId, 10), []);
  assert.equal(await store.headSeq(), head + 1, 'only the other person reached the change log');

  // An operator may; each write keeps the version it replaced, also twice in one transaction.
  await service.upsertPerson({ ...p, surname: 'Петров', restrictions: [] }, 'operator:ana');
  await service.upsertPersons([{ ...p, surname: 'Петрова', restrictions: [] }, { ...p, surname: 'Петрова', dateOfBirth: '1999-03-05', restrictions: [] }], 'operator:bo');
  const versions = await store.personVersions(p.personId, 10);
  assert.deepEqual(versions.map((v) => [v.version, v.supersededBy, v.person.surname, v.person.dateOfBirth]), [
    [3, 'operator:bo', 'Петрова', '1999-03-04'],
    [2, 'operator:bo', 'Петров', '1999-03-04'],
    [1, 'operator:ana', 'Иванов', '1999-03-04'],
  ]);
  assert.deepEqual(versions[2]!.person, stored, 'the first version is the person exactly as stored');
  assert.deepEqual((await store.personVersions(p.personId, 1)).map((v) => v.version), [3]);
  const updates = await b.trail(store).recent('person.update', 10);
  assert.deepEqual(updates.map((e) => [e.actor, (e.detail as { changed: object }).changed, (e.detail as { supersededVersion: number }).supersededVersion]), [
    ['operator:bo', { dateOfBirth: { before: '1999-03-04', after: '1999-03-05' } }, 3],
    ['operator:bo', { surname: { before: 'Петров', after: 'Петрова' } }, 2],
    ['operator:ana', { surname: { before: 'Иванов', after: 'Петров' } }, 1],
  ]);
  assert.equal(versions[0]!.supersededAt, updates[0]!.at, 'the version and its audit entry carry the same instant');
  assert.deepEqual(await b.trail(store).verify(), { ok: true, entries: 5 }, 'two creates and three updates; nothing refused left an entry');
});

// ──────────────────── both backends, the same operations ────────────────────

contract('rules: every version kept, each one change (a revocation is relief), in the snapshot, applied and repaired at the replica', async (t, b) => {
  const { store, service } = await openRegister(t, b);
  const rules = new RuleService(store, () => new Date('2026-01-01T00:00:00.000Z'));
  const { store: replica, stateSql } = await b.replica(t);
  await bootstrapEmpty(replica);
  const first = await rules.issue(issueRuleSchema.parse(MOBILISATION));
  assert.deepEqual([first.rule.version, first.changes, first.created], [1, [1], true]);
  assert.deepEqual((await rules.issue(issueRuleSchema.parse(MOBILISATION))).changes, [], 'the same rule again: nothing');
  await assert.rejects(rules.issue(issueRuleSchema.parse({ ...MOBILISATION, basis: 'other' })), /already exists \(version 1\)/);
  const { ruleId: _id, ...fields } = MOBILISATION;
  const amended = await rules.amend('R-MOB', issueRuleSchema.parse({ ...MOBILISATION, scope: { ...MOBILISATION.scope, ageTo: 50 } }));
  assert.deepEqual([amended.rule.version, amended.rule.scope.ageTo, amended.changes], [2, 50, [2]]);
  await follow(store, replica);
  assert.deepEqual((await replica.rules()).map((r) => [r.ruleId, r.version]), [['R-MOB', 2]]);
  const revoked = await rules.revoke('R-MOB', '2026-02-01T00:00:00.000Z');
  assert.equal(revoked.rule.version, 3);
  const [batch] = await store.batchesAfter(2, 10, { reliefOnly: true });
  assert.equal(batch?.lastSeq, 3, 'the revocation is in the relief lane');
  await assert.rejects(rules.amend('R-MOB', issueRuleSchema.parse({ ...fields, ruleId: 'R-MOB' })), /was revoked/);
  assert.deepEqual((await store.ruleVersions('R-MOB')).map((r) => r.version), [1, 2, 3]);
  assert.equal((await store.rules())[0]!.revokedAt, '2026-02-01T00:00:00.000Z');
  await follow(store, replica);
  assert.equal((await replica.rules())[0]!.revokedAt, '2026-02-01T00:00:00.000Z');
  const snap = await collect(store.snapshot());
  assert.deepEqual(snap.records.filter((r) => r.type === 'rule').map((r) => r.body), await replica.rules());
  assert.deepEqual(differingBuckets(digestsOf(snap.records), await replica.digest()), []);
  // A rule lost by hand is found by the digests and repaired.
  await stateSql(`DELETE FROM rules`);
  const differing = differingBuckets(digestsOf(snap.records), await replica.digest());
  assert.equal(differing.length, 1);
  const part = await collect(store.snapshot({ buckets: differing }));
  const report = await replica.repairBuckets((await replica.state()).cursor!, differing, part.records);
  assert.equal(report.inserted, 1);
  assert.equal((await replica.rules())[0]!.version, 3);
});

contract('offices: each write one change in one transaction with its audit entry, in the feed and the snapshot, applied, digested and repaired at the replica', async (t, b) => {
  const { store } = await openRegister(t, b);
  const offices = new OfficeService(store, () => new Date('2026-01-01T00:00:00.000Z'));
  const { store: replica, stateSql } = await b.replica(t);
  await bootstrapEmpty(replica);
  const first = await offices.put('MO-Moscow-12', officeBodySchema.parse(MOSCOW_12), 'operator:ana');
  assert.deepEqual([first.changes, first.created, first.office.updatedAt], [[1], true, '2026-01-01T00:00:00.000Z']);
  assert.deepEqual((await offices.put('MO-Moscow-12', officeBodySchema.parse(MOSCOW_12))).changes, [], 'the same record again: nothing');
  const { phone: _phone, ...withoutPhone } = MOSCOW_12;
  const moved = await offices.put('MO-Moscow-12', officeBodySchema.parse({ ...withoutPhone, address: 'Lenina St 3, Moscow, 101003' }), 'office:mo12@MO-Moscow-12');
  assert.deepEqual([moved.changes, moved.created, moved.office.phone], [[2], false, undefined], 'a field left out is removed');
  await offices.put('CT-Moscow-Tverskoy', officeBodySchema.parse({ name: 'Tverskoy District Court of Moscow', address: 'Tsvetnoy Blvd 25A, Moscow, 127051', howToContest: 'Appeal through this court.' }));
  // The feed: entity `office`, the whole record, never relief.
  const batches = await allBatches(store);
  assert.deepEqual(batches.flatMap((x) => x.changes.map((c) => [c.seq, c.entity, c.key])), [[1, 'office', 'MO-Moscow-12'], [2, 'office', 'MO-Moscow-12'], [3, 'office', 'CT-Moscow-Tverskoy']]);
  assert.deepEqual(batches[1]!.changes[0]!.body, moved.office);
  assert.ok(batches.every((x) => x.changes.every((c) => !isRelief(c))), 'an office record is not relief');
  // The audit trail: who, and what each write replaced.
  const audit = await store.auditAbout(['MO-Moscow-12'], 10);
  assert.deepEqual(audit.map((e) => [e.action, e.actor]), [['office.update', 'office:mo12@MO-Moscow-12'], ['office.create', 'operator:ana']]);
  assert.equal((audit[0]!.detail as { replaced: { phone: string } }).replaced.phone, MOSCOW_12.phone);
  assert.deepEqual((await store.offices()).map((o) => o.officeId), ['CT-Moscow-Tverskoy', 'MO-Moscow-12']);
  assert.deepEqual(await store.getOffice('MO-Moscow-12'), moved.office);
  // The replica: applied from the feed, the same as the snapshot, found by the digests when lost, repaired.
  await follow(store, replica);
  assert.deepEqual(await replica.offices(), await store.offices());
  const snap = await collect(store.snapshot());
  assert.deepEqual(snap.records.filter((r) => r.type === 'office').map((r) => r.body), await replica.offices());
  assert.equal(snap.header.records, snap.records.length);
  assert.deepEqual(differingBuckets(digestsOf(snap.records), await replica.digest()), []);
  await stateSql(`UPDATE offices SET body = replace(body, 'Lenina', 'Forged') WHERE office_id = 'MO-Moscow-12'`);
  const differing = differingBuckets(digestsOf(snap.records), await replica.digest());
  assert.equal(differing.length, 1, 'a record changed behind the replica\'s back is found by the digests');
  const part = await collect(store.snapshot({ buckets: differing }));
  const report = await replica.repairBuckets((await replica.state()).cursor!, differing, part.records);
  assert.equal(report.updated, 1);
  assert.deepEqual(await replica.offices(), await store.offices());
  // A replica bootstrapped from the snapshot holds them too.
  const { store: fresh } = await b.replica(t);
  await bootstrapFrom(store, fresh);
  assert.deepEqual(await fresh.offices(), await store.offices());
});

contract('register search: by name in either script and any word order, by document number; keys follow updates', async (t, b) => {
  const { store, service } = await openRegister(t, b);
  await service.upsertPerson(person({ personId: 'S-1', surname: 'Щербаков', givenNames: 'Юрий', documents: [{ type: 'passport', number: '751111111', country: 'RUS' }] }));
  await service.upsertPerson(person({ personId: 'S-2', surname: 'Иванов', givenNames: 'Пётр', documents: [{ type: 'passport', number: '752222222', country: 'RUS' }] }));
  await service.upsertPerson(person({ personId: 'S-3', surname: 'Смирнов', givenNames: 'Юрий' }));
  const find = async (q: string) => rankSearch(await store.searchPersons(searchPlan(q).keys, SEARCH_CANDIDATES), q, 10).map((p) => p.personId);
  assert.deepEqual(await find('SHCHERBAKOV YURIY'), ['S-1']);
  assert.deepEqual(await find('Yuri Szczerbakow'), ['S-1'], 'another spelling, given name first');
  assert.deepEqual(await find('щербаков'), ['S-1']);
  assert.deepEqual(await find('752222222'), ['S-2']);
  assert.deepEqual(await find('KUZNETSOV'), []);
  await service.upsertPerson(person({ personId: 'S-2', surname: 'Кузнецов', givenNames: 'Пётр', documents: [{ type: 'passport', number: '753333333', country: 'RUS' }] }));
  assert.deepEqual(await find('KUZNETSOV'), ['S-2'], 'a changed surname is found by the new one');
  assert.deepEqual(await find('752222222'), [], 'and no longer by the old document');
  const history = await store.auditAbout(['S-2', 'nobody'], 10);
  assert.deepEqual(history.map((e) => [e.subject, e.action]), [['S-2', 'person.update'], ['S-2', 'person.create']], 'the audit by subject, newest first');
  assert.deepEqual((await store.auditAbout(['S-2'], 1)).map((e) => e.action), ['person.update']);
});

test('sqlite and postgres produce byte-identical snapshots, batches and digests for the same operations', TIMEOUT, async (t) => {
  if (await unavailableHere(t, postgres)) return;
  const runs = [];
  for (const b of [sqlite, postgres]) {
    const { store, service } = await openRegister(t, b, { fetchRows: 3 });
    await feedDataset(service);
    const { store: replica } = await b.replica(t);
    await bootstrapEmpty(replica);
    await follow(store, replica);
    runs.push({ store, replica, snap: await collect(store.snapshot()), batches: await allBatches(store), digest: await replica.digest() });
  }
  const [lite, pg] = runs as [(typeof runs)[0], (typeof runs)[0]];
  assert.ok(lite.snap.records.length > 20);
  assert.equal(JSON.stringify(pg.snap.records), JSON.stringify(lite.snap.records), 'same records, same order, same bytes');
  assert.equal(pg.snap.end.digest, lite.snap.end.digest);
  assert.equal(pg.snap.header.asOfSeq, lite.snap.header.asOfSeq);
  // Batches differ only in their commit times; with those fixed, the hashes agree bit for bit.
  assert.deepEqual(pg.batches.map((x) => [x.firstSeq, x.lastSeq]), lite.batches.map((x) => [x.firstSeq, x.lastSeq]));
  const rehash = (batches: SignedBatch[]) => {
    let prevHash = '';
    return batches.map((x) => {
      assert.equal(batchHash(x), x.hash, 'the stored changes hash to the sealed hash');
      const fixed = { ...x, prevHash, committedAt: at, changes: x.changes.map((c) => ({ ...c, at })) };
      prevHash = batchHash(fixed);
      return prevHash;
    });
  };
  assert.deepEqual(rehash(pg.batches), rehash(lite.batches));
  assert.deepEqual(pg.digest, lite.digest, 'replica digests agree');
  assert.deepEqual(differingBuckets(digestsOf(lite.snap.records), pg.digest), []);
  for (const r of lite.snap.records.filter((x) => x.type === 'person')) {
    assert.deepEqual(await pg.replica.getPerson(r.body.personId), await lite.replica.getPerson(r.body.personId));
  }
  // and across: the PostgreSQL register's snapshot bootstraps a SQLite replica to the same digest
  const { store: crossReplica } = await sqlite.replica(t);
  await bootstrapFrom(pg.store, crossReplica);
  assert.deepEqual(await crossReplica.digest(), pg.digest);
});
