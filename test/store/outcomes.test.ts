/**
 * The storage contract of issue #18 (outcomes and confirmed non-matches), on every backend:
 *  - a replica's outbox of outcomes: one per screening (also under a race), dense numbers, audited in
 *    the hash-chained trail, acknowledged forward only, kept over a restart;
 *  - the register's side: a signed outcome verified against the keys trusted for its replica, kept once
 *    (a resend is a no-op, a replay with other content or a forgery is refused), its attestation appended
 *    to the change log as relief and carried by the snapshot; a revocation removes it at the replica;
 *    bucket digests of a replica holding attestations agree with the register's snapshot.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { OutcomeExists, type ReplicaStore } from '../../src/border/replicaStore.js';
import { digestsOf } from '../../src/exchange/digest.js';
import { planPage } from '../../src/exchange/planPage.js';
import { isRelief, type SnapshotLine, type SnapshotRecord } from '../../src/exchange/protocol.js';
import { type ScreeningOutcome, signOutcome, type SignedOutcome } from '../../src/exchange/outcome.js';
import { presentedDetailsHash } from '../../src/exchange/attestation.js';
import { OutcomeService } from '../../src/register/outcomeService.js';
import type { RegisterStore } from '../../src/register/registerStore.js';
import { ReplicaKeys } from '../../src/register/replicaKeys.js';
import { ErxError } from '../../src/shared/errors.js';
import { tempDir, testSigner } from '../helpers.js';
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

async function bootstrap(register: RegisterStore, replica: ReplicaStore): Promise<void> {
  const lines: SnapshotLine[] = [];
  for await (const line of register.snapshot()) lines.push(line);
  const header = lines[0] as Extract<SnapshotLine, { type: 'header' }>;
  const writer = await replica.beginBootstrap();
  await writer.write(lines.slice(1, -1) as SnapshotRecord[]);
  await writer.finish(header.asOfSeq, header.registerTime, header.lastHash);
}

async function snapshotRecords(register: RegisterStore): Promise<SnapshotRecord[]> {
  const out: SnapshotRecord[] = [];
  for await (const line of register.snapshot()) if (line.type !== 'header' && line.type !== 'end') out.push(line);
  return out;
}

async function follow(register: RegisterStore, replica: ReplicaStore): Promise<void> {
  for (;;) {
    const state = await replica.state();
    const batches = await register.batchesAfter(state.cursor!, 50);
    if (batches.length === 0) return;
    const plan = planPage(state.cursor!, state.lastHash, batches, new Map());
    assert.equal(plan.action, 'apply');
    if (plan.action !== 'apply') return;
    await replica.applyBatches(state.cursor!, plan.batches, await register.headSeq(), new Date().toISOString());
  }
}

const screening = (id: string, decision = 'refer') => ({
  screeningId: id,
  at: '2026-12-07T10:00:00.000Z',
  requester: 'cp-1@10.0.0.7',
  request: { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05', documentNumber: 'K1234567', documentCountry: 'KAZ' },
  decision,
  reasons: [{ restrictionId: 'CU-1', personId: 'P-1', status: 'in-force', score: 0.8 }],
  replicaSeq: 3,
});

function outcome(n: number, over: Partial<ScreeningOutcome> = {}): ScreeningOutcome {
  return {
    replica: 'cp-1',
    n,
    screeningId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    screenedAt: '2026-12-07T10:00:00.000Z',
    decision: 'refer',
    checkpoint: 'cp-1',
    outcome: 'refused-exit',
    recordedAt: '2026-12-07T10:05:00.000Z',
    hits: [{ personId: 'P-1', restrictionId: 'CU-1', office: 'MO-1' }],
    ...over,
  };
}

const salt = 'c2FsdHNhbHRzYWx0c2FsdA==';
const details = { documentNumber: 'K1234567', documentCountry: 'KAZ', dateOfBirth: '1990-05-05', name: 'IVANOV IURII' };
const nonMatch = (n: number, ref = 'NM-2026-AAAAAAAAA1') =>
  outcome(n, { outcome: 'not-the-listed-person', attestation: { ref, personIds: ['P-1'], salt, detailsHash: presentedDetailsHash(salt, details) } });

function outcomeSeal(signer: ReturnType<typeof testSigner>, screeningId: string) {
  return (n: number) => ({
    signed: signOutcome(signer, outcome(n, { screeningId })),
    audit: { actor: 'cp-1', action: 'screening.outcome', subject: screeningId, detail: { n } },
  });
}

contract('a replica keeps one outcome per screening, numbered densely, audited, acknowledged forward only', async (t, b) => {
  const handle = await b.replica(t);
  const replica = handle.store;
  const signer = testSigner();
  const [s1, s2] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
  await replica.recordScreening(screening(s1));
  await replica.recordScreening(screening(s2, 'hit'));
  assert.equal((await replica.screening(s1))?.decision, 'refer');
  assert.equal(await replica.screening('33333333-3333-4333-8333-333333333333'), undefined);

  const first = await replica.recordOutcome(s1, outcomeSeal(signer, s1));
  assert.equal(first.outcome.n, 1);
  await assert.rejects(replica.recordOutcome(s1, outcomeSeal(signer, s1)), (err) => err instanceof OutcomeExists && err.existing.outcome.n === 1);
  // Two officers at once on the same screening: exactly one outcome.
  const race = await Promise.allSettled([replica.recordOutcome(s2, outcomeSeal(signer, s2)), replica.recordOutcome(s2, outcomeSeal(signer, s2))]);
  assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.ok(race.some((r) => r.status === 'rejected' && r.reason instanceof OutcomeExists));
  assert.deepEqual((await replica.outcomesAfter(0, 10)).map((o) => [o.outcome.n, o.outcome.screeningId]), [[1, s1], [2, s2]]);
  assert.equal((await replica.outcomeOf(s2))?.outcome.n, 2);

  assert.equal(await replica.outcomesAcknowledged(), 0);
  await replica.acknowledgeOutcomes(1);
  await replica.acknowledgeOutcomes(0); // never back
  assert.equal(await replica.outcomesAcknowledged(), 1);
  assert.deepEqual((await replica.outcomesAfter(1, 10)).map((o) => o.outcome.n), [2]);

  const trail = b.trail(replica);
  assert.deepEqual((await trail.recent('screening.outcome', 10)).map((e) => e.subject).sort(), [s1, s2].sort());
  assert.equal((await trail.verify()).ok, true);

  const reopened = await handle.reopen();
  assert.equal(await reopened.outcomesAcknowledged(), 1);
  assert.deepEqual((await reopened.outcomesAfter(0, 10)).map((o) => o.outcome.n), [1, 2]);
});

async function registerWithTrust(t: TestContext, b: Backend) {
  const store = await b.register(t, testSigner());
  const replicaKey = testSigner();
  const keys = new ReplicaKeys(tempDir(t));
  const service = new OutcomeService(store, keys, () => new Date('2026-12-07T10:06:00.000Z'));
  return { store, replicaKey, keys, service };
}

const refusal = (status: number, pattern: RegExp) => (err: unknown) => err instanceof ErxError && err.status === status && pattern.test(err.message);

contract('the register takes only signed outcomes of trusted replicas, each once; an attestation travels as relief and is revoked', async (t, b) => {
  const { store, replicaKey, keys, service } = await registerWithTrust(t, b);
  const report = (outcomes: SignedOutcome[]) => ({ keys: [], outcomes });

  // Deny by default: a replica nobody trusted.
  await assert.rejects(service.receive(report([signOutcome(replicaKey, outcome(1))]), 'cp-1'), refusal(403, /not trusted.*erx register trust-replica cp-1/));
  keys.trust('cp-1', [replicaKey.info]);

  // A tampered outcome (a relay changed what came of it): the signature does not hold.
  const genuine = signOutcome(replicaKey, outcome(1));
  const tampered = { ...genuine, outcome: { ...genuine.outcome, outcome: 'released' as const, note: 'let go' } };
  await assert.rejects(service.receive(report([tampered]), 'centre'), refusal(403, /does not match the content/));
  // Replica cp-2 (not trusted) signed by cp-1's key, and cp-1's outcome signed by another key: both refused.
  await assert.rejects(service.receive(report([signOutcome(replicaKey, outcome(1, { replica: 'cp-2' }))]), 'cp-2'), refusal(403, /"cp-2" is not trusted/));
  await assert.rejects(service.receive(report([signOutcome(testSigner(), outcome(1))]), 'cp-1'), refusal(403, /does not trust for replica "cp-1"/));

  // n = 2 before n = 1: kept, but acknowledged only up to the gap.
  const second = signOutcome(replicaKey, nonMatch(2));
  assert.deepEqual(await service.receive(report([second]), 'cp-1'), { replica: 'cp-1', acknowledged: 0, accepted: 1 });
  assert.deepEqual(await service.receive(report([genuine, second]), 'cp-1'), { replica: 'cp-1', acknowledged: 2, accepted: 1 });
  // The same report again (a resend after a lost answer): nothing new.
  assert.deepEqual(await service.receive(report([genuine, second]), 'cp-1'), { replica: 'cp-1', acknowledged: 2, accepted: 0 });
  // A replay under a held number with other content, and a second outcome of a held screening: refused.
  await assert.rejects(service.receive(report([signOutcome(replicaKey, outcome(2, { outcome: 'withdrew' }))]), 'cp-1'), refusal(409, /received before with other content/));
  await assert.rejects(service.receive(report([signOutcome(replicaKey, outcome(3, { screeningId: genuine.outcome.screeningId }))]), 'cp-1'), refusal(409, /already has outcome 1/));
  assert.equal(await store.outcomesAcknowledged('cp-1'), 2);

  const onPerson = await store.outcomesOfPerson('P-1', 10);
  assert.deepEqual(onPerson.map((o) => o.signed.outcome.n).sort(), [1, 2]);
  assert.deepEqual(onPerson[0]!.personIds, ['P-1']);

  // The attestation: in the change log as relief, in the snapshot, at a replica, in its digests.
  const held = await store.getAttestation('NM-2026-AAAAAAAAA1');
  assert.equal(held?.attestation.checkpoint, 'cp-1');
  assert.equal(held?.attestation.attestedAt, '2026-12-07T10:05:00.000Z');
  const batches = await store.batchesAfter(0, 100);
  const change = batches.flatMap((x) => x.changes).find((c) => c.entity === 'attestation')!;
  assert.equal(change.key, 'NM-2026-AAAAAAAAA1');
  assert.ok(isRelief(change));
  assert.equal((await store.batchesAfter(0, 100, { reliefOnly: true })).length > 0, true);
  const records = await snapshotRecords(store);
  assert.deepEqual(records.filter((r) => r.type === 'attestation').map((r) => r.body), [held!.attestation]);

  const replica = (await b.replica(t)).store;
  await bootstrap(store, replica);
  assert.deepEqual(await replica.attestations(), [held!.attestation]);
  assert.deepEqual(await replica.digest(), digestsOf(records));

  // Revoked: kept at the register with who and when, gone from the snapshot and from the replica.
  const revoked = await service.revoke('NM-2026-AAAAAAAAA1', 'operator:ops');
  assert.equal(revoked.changes.length, 1);
  assert.deepEqual(await service.revoke('NM-2026-AAAAAAAAA1', 'operator:ops'), { ...revoked, changes: [] });
  assert.equal((await store.getAttestation('NM-2026-AAAAAAAAA1'))?.revokedBy, 'operator:ops');
  assert.equal((await snapshotRecords(store)).filter((r) => r.type === 'attestation').length, 0);
  await follow(store, replica);
  assert.deepEqual(await replica.attestations(), []);
  assert.deepEqual(await replica.digest(), digestsOf(await snapshotRecords(store)));
});

contract('relief applies an attestation ahead of the cursor, and repair restores one removed behind the replica\'s back', async (t, b) => {
  const { store, replicaKey, keys, service } = await registerWithTrust(t, b);
  keys.trust('cp-1', [replicaKey.info]);
  const handle = await b.replica(t);
  const replica = handle.store;
  await bootstrap(store, replica);
  await service.receive({ keys: [], outcomes: [signOutcome(replicaKey, nonMatch(1, 'NM-2026-BBBBBBBBB2'))] }, 'cp-1');
  const state = await replica.state();
  const batches = await store.batchesAfter(state.cursor!, 50);
  const plan = planPage(state.cursor!, state.lastHash, batches, new Map());
  assert.equal(plan.action, 'apply');
  if (plan.action !== 'apply') return;
  assert.equal(await replica.applyRelief(state.cursor!, plan.batches), 1);
  assert.deepEqual((await replica.attestations()).map((a) => a.ref), ['NM-2026-BBBBBBBBB2']);
  await follow(store, replica);

  await handle.stateSql("DELETE FROM attestations");
  const records = await snapshotRecords(store);
  const d = await replica.digest();
  const wanted = digestsOf(records);
  const differing = wanted.counts.map((_, i) => i).filter((i) => wanted.counts[i] !== d.counts[i] || wanted.sums[i] !== d.sums[i]);
  assert.equal(differing.length, 1);
  const report = await replica.repairBuckets((await replica.state()).cursor!, differing, records);
  assert.equal(report.inserted, 1);
  assert.deepEqual((await replica.attestations()).map((a) => a.ref), ['NM-2026-BBBBBBBBB2']);
});
