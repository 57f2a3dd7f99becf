/**
 * border/outcomes.ts: what an officer may record about a screening, and what is signed. One outcome per
 * screening, only for a hit or refer, only by the checkpoint that screened; a confirmed non-match needs
 * the four presented details and a listed person in force, carries only their salted hash, and its
 * signature holds under the replica's key and breaks when anything in it is changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutcomeService } from '../../src/border/outcomes.js';
import { attests } from '../../src/exchange/attestation.js';
import { TrustedKeys } from '../../src/exchange/keys.js';
import { outcomeSignatureProblem } from '../../src/exchange/outcome.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { ErxError } from '../../src/shared/errors.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { tempDir, testSigner } from '../helpers.js';

const NAMESAKE = { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05', documentNumber: 'K1234567', documentCountry: 'KAZ' };
const IN_FORCE = [{ restrictionId: 'CU-1', personId: 'P-1', status: 'in-force', score: 0.8 }];

function setup(t: { after(fn: () => unknown): void }) {
  const store = new SqliteReplicaStore({ dataDir: tempDir(t), matcher: defaultMatcher });
  t.after(() => store.close());
  const signer = testSigner();
  let kicks = 0;
  const service = new OutcomeService({ store, signer, replica: 'cp-1', onRecorded: () => kicks++, now: () => new Date('2026-12-07T10:05:00Z') });
  let n = 0;
  const screened = async (decision: string, request: object = NAMESAKE, reasons: object[] = IN_FORCE) => {
    const screeningId = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    await store.recordScreening({ screeningId, at: '2026-12-07T10:00:00.000Z', requester: 'cp-1@10.0.0.7', request, decision, reasons, replicaSeq: 1 });
    return screeningId;
  };
  return { store, signer, service, screened, kicks: () => kicks };
}

const cp1 = { role: 'checkpoint' as const, sub: 'cp-1' };
const refused = (status: number, field: string, pattern: RegExp) => (err: unknown) => err instanceof ErxError && err.status === status && err.field === field && pattern.test(err.message);

test('only a hit or refer of this replica, by the checkpoint that screened, gets one outcome', async (t) => {
  const { service, screened, kicks } = setup(t);
  await assert.rejects(service.record('00000000-0000-4000-8000-999999999999', { outcome: 'withdrew' }, cp1), refused(404, 'screeningId', /no screening/));
  await assert.rejects(service.record(await screened('clear', NAMESAKE, []), { outcome: 'withdrew' }, cp1), refused(409, 'screeningId', /answered clear: only a hit or a refer/));
  const id = await screened('hit');
  await assert.rejects(service.record(id, { outcome: 'refused-exit' }, { role: 'checkpoint', sub: 'cp-10' }), refused(403, 'screeningId', /made by checkpoint cp-1/));
  const first = await service.record(id, { outcome: 'refused-exit' }, cp1);
  assert.deepEqual([first.n, first.outcome, first.reference], [1, 'refused-exit', undefined]);
  await assert.rejects(service.record(id, { outcome: 'withdrew' }, cp1), refused(409, 'screeningId', /already has an outcome \(refused-exit/));
  assert.equal(kicks(), 1, 'the pusher is woken once per recorded outcome');
});

test('a confirmed non-match needs the details read and a listed person in force; it carries a salted hash and a reference', async (t) => {
  const { store, signer, service, screened } = setup(t);
  await assert.rejects(service.record(await screened('refer', { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05' }), { outcome: 'not-the-listed-person' }, cp1), refused(400, 'outcome', /document number, its country/));
  await assert.rejects(service.record(await screened('refer', NAMESAKE, [{ stale: true, lagSeconds: 5000 }]), { outcome: 'not-the-listed-person' }, cp1), refused(409, 'outcome', /no listed person in force/));

  const id = await screened('refer');
  const answer = await service.record(id, { outcome: 'not-the-listed-person', note: 'Kazakh passport, another person' }, cp1);
  assert.match(answer.reference!, /^NM-2026-[0-9A-HJKMNP-TV-Z]{10}$/);
  const signed = (await store.outcomeOf(id))!;
  const a = signed.outcome.attestation!;
  assert.deepEqual(a.personIds, ['P-1']);
  assert.equal(JSON.stringify(signed).includes('K1234567'), false, 'the document number does not leave the checkpoint');
  assert.ok(attests(a, { documentNumber: 'k1234567', documentCountry: 'KAZ', dateOfBirth: '1990-05-05', name: 'ivanov  iurii' }));
  assert.ok(!attests(a, { documentNumber: 'K1234568', documentCountry: 'KAZ', dateOfBirth: '1990-05-05', name: 'IVANOV IURII' }));

  const keys = new TrustedKeys([signer.info]);
  assert.equal(outcomeSignatureProblem(signed, keys), null);
  for (const forged of [
    { ...signed.outcome, outcome: 'released' as const },
    { ...signed.outcome, n: 7 },
    { ...signed.outcome, replica: 'cp-2' },
    { ...signed.outcome, attestation: { ...a, personIds: ['P-1', 'P-2'] } },
  ]) {
    assert.match(outcomeSignatureProblem({ ...signed, outcome: forged }, keys) ?? '', /does not match the content/);
  }
  assert.match(outcomeSignatureProblem(signed, new TrustedKeys([testSigner().info])) ?? '', /does not trust for replica "cp-1"/);
});
