/**
 * Due process across real processes: a contest filed by the public at a checkpoint (forwarded to the
 * centre, and by the centre to the register), answered upheld by the issuing office at the register,
 * the lift reaching the checkpoint (the traveller now screens clear) and the person seeing the answer
 * there; with the register down, the checkpoint says "try again later" instead of a case number. And a
 * restriction not reviewed by its deadline, lifted with reason expiry by the register's own scheduler,
 * the lift reaching the border.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnService } from '../../src/cli/child.js';
import { openRegisterStore } from '../../src/app/register/openRegisterStore.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { caughtUp, eventually, get, known, post, startBorder, startRegister, tokenFor, trustArgs } from './processes.js';

const TIMEOUT = { timeout: 120_000 };
const TRAVELLER = { surname: 'TIROV', givenNames: 'ANTON', dateOfBirth: '1990-01-01' };
const ID = { documentNumber: '4510123456', dateOfBirth: '1990-01-01' };
const screen = async (url: string) => (await post(`${url}/v1/screenings`, TRAVELLER)).body.decision as string;

async function startCheckpoint(t: { after(fn: () => Promise<unknown>): void }, centreUrl: string, dir: string) {
  const token = await tokenFor(centreUrl, 'checkpoint', { sub: 'cp-1' });
  const svc = await spawnService(['border', 'serve', '--register', centreUrl, '--token', token, ...trustArgs(centreUrl), '--port', '0', '--data', dir], { env: { ERX_LOG_LEVEL: 'warn' } });
  t.after(() => svc.stop('SIGKILL'));
  return known(svc, dir);
}

/** As the self-check page does it: no token, the identification in headers. */
async function follow(url: string, caseNumber: string, who = ID) {
  const res = await fetch(`${url}/v1/contests/${caseNumber}`, { headers: { 'erx-document-number': who.documentNumber, 'erx-date-of-birth': who.dateOfBirth } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function file(url: string, body: object) {
  const res = await fetch(`${url}/v1/contests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('a contest filed at a checkpoint reaches the register; upheld there, the lift reaches the checkpoint and the person sees the answer', TIMEOUT, async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const created = await post(`${register.url}/v1/persons`, personLine({ personId: 'TI-1', surname: 'Тиров', givenNames: 'Антон', dateOfBirth: ID.dateOfBirth, documents: [{ type: 'passport', number: ID.documentNumber, country: 'RUS' }], restrictions: [callUp('CU-TI-1', served)] }));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const centre = await startBorder(t, register.url, join(dir, 'centre'), ['--serve-feed']);
  await caughtUp(centre.url, register.url);
  const cp = await startCheckpoint(t, centre.url, join(dir, 'checkpoint'));
  await caughtUp(cp.url, register.url);
  assert.equal(await screen(cp.url), 'hit');

  const filed = await file(cp.url, { ...ID, contact: 'tirov@example.org', reason: 'I served my term in 2023; the notice is a mistake.' });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const caseNumber = filed.body.caseNumber as string;
  assert.match(caseNumber, /^C-\d{4}-[A-Z2-7]{16}$/);
  assert.equal((await follow(cp.url, caseNumber, { ...ID, dateOfBirth: '1990-01-02' })).status, 404, 'a wrong identification sees nothing, through the replica too');

  // The issuing office sees it at the register, filed by the public through the centre, and upholds it.
  const office = await tokenFor(register.url, 'office', { office: 'MO-Moscow-12', sub: 'clerk' });
  const open = await get(`${register.url}/v1/contests?state=open`, office);
  assert.deepEqual(open.contests.map((c: { caseNumber: string }) => c.caseNumber), [caseNumber]);
  const upheld = await post(`${register.url}/v1/contests/${caseNumber}/answer`, { decision: 'upheld', reasons: 'Service completed in 2023 (certificate 17/2023).' }, office);
  assert.equal(upheld.status, 200, JSON.stringify(upheld.body));

  await caughtUp(cp.url, register.url);
  assert.equal(await screen(cp.url), 'clear', 'the lift reached the checkpoint two tiers away');
  const seen = await follow(cp.url, caseNumber);
  assert.equal(seen.status, 200);
  assert.deepEqual([seen.body.state, seen.body.decision, seen.body.reasons], ['upheld', 'upheld', 'Service completed in 2023 (certificate 17/2023).']);

  // The register down: the checkpoint says so, and gives no case number.
  await register.stop('SIGKILL');
  const down = await file(cp.url, { ...ID, contact: 'tirov@example.org', reason: 'again' });
  assert.equal(down.status, 503);
  assert.match(down.body.error as string, /try again later/);
  assert.equal(down.body.caseNumber, undefined);
  assert.equal((await follow(cp.url, caseNumber)).status, 503);
});

test('a restriction not reviewed by its deadline is lifted with reason expiry by the register, and the lift reaches the border', TIMEOUT, async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'), 0, ['--expiry-every', '1']);
  const border = await startBorder(t, register.url, join(dir, 'border'));
  await caughtUp(border.url, register.url);
  const reviewAt = new Date(Date.now() + 5_000).toISOString();
  const created = await post(`${register.url}/v1/persons`, personLine({ personId: 'TI-2', surname: 'Тиров', givenNames: 'Антон', dateOfBirth: ID.dateOfBirth, restrictions: [callUp('CU-TI-2', { ...served, reviewAt })] }));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  await caughtUp(border.url, register.url);
  assert.equal(await screen(border.url), 'hit', 'in force until its review deadline');
  const operator = await tokenFor(register.url, 'operator');
  const due = await get(`${register.url}/v1/reviews/due`, operator);
  assert.deepEqual(due.restrictions.map((d: { restriction: { restrictionId: string } }) => d.restriction.restrictionId), ['CU-TI-2'], 'the office sees it coming');

  const lifted = await eventually('the expiry run to lift CU-TI-2', async () => {
    const r = await get(`${register.url}/v1/restrictions/CU-TI-2`, operator);
    return r.liftedAt ? r : undefined;
  }, 30_000);
  assert.equal(lifted.liftReason, 'expiry');
  assert.ok(Date.parse(lifted.liftedAt) >= Date.parse(reviewAt), 'not before its deadline');
  await caughtUp(border.url, register.url);
  assert.equal(await screen(border.url), 'clear');
  const metrics = await (await fetch(`${register.url}/metrics`, { headers: { authorization: `Bearer ${operator}` } })).text();
  assert.match(metrics, /erx_register_expiry_lifts_total\{[^}]*\} 1\n/);
});

test('the expiry run killed -9 inside a lift loses nothing and lifts nothing twice', TIMEOUT, async (t) => {
  const dir = join(tempDir(t), 'register');
  const ids = ['CU-X1', 'CU-X2', 'CU-X3', 'CU-X4'];
  const reviewAt = new Date(Date.now() + 1_500).toISOString();
  const first = await startRegister(t, dir, 0, ['--expiry-every', '3600']);
  const created = await post(`${first.url}/v1/persons`, personLine({ personId: 'TI-3', restrictions: ids.map((id) => callUp(id, { ...served, reviewAt })) }));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const headBefore = (await get(`${first.url}/v1/register/status`)).registerSeq as number;
  await first.stop('SIGTERM');
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(reviewAt) - Date.now() + 100)));

  // Killed inside its second lift: the first is committed, the second never was.
  const crashing = await spawnService(['register', 'serve', '--port', '0', '--data', dir, '--expiry-every', '1'], { env: { ERX_LOG_LEVEL: 'error', ERX_FAULT_KILL_IN_EXPIRY: '2' } }).catch(() => null);
  if (crashing) {
    const signal = await new Promise<string | null>((r) => crashing.child.once('exit', (_c, sig) => r(sig)));
    assert.equal(signal, 'SIGKILL');
  }
  const halfway = openRegisterStore(dir, undefined, '');
  const liftedHalfway = (await Promise.all(ids.map((id) => halfway.getRestriction(id)))).filter((r) => r?.liftedAt).length;
  await halfway.close();
  assert.equal(liftedHalfway, 1, 'the lift under way when killed left no trace');

  // Started again: the next run lifts the rest, each once.
  const again = await startRegister(t, dir, 0, ['--expiry-every', '1']);
  const operator = await tokenFor(again.url, 'operator');
  await eventually('every restriction to be lifted', async () => (await Promise.all(ids.map((id) => get(`${again.url}/v1/restrictions/${id}`, operator)))).every((r) => r.liftReason === 'expiry'), 30_000);
  await new Promise((r) => setTimeout(r, 1_500)); // one more run: it must find nothing to do
  await again.stop('SIGTERM');
  const store = openRegisterStore(dir, undefined, '');
  t.after(() => store.close());
  const lifts = (await store.auditAbout(ids, 100)).filter((e) => e.action === 'restriction.lift');
  assert.deepEqual(lifts.map((e) => e.subject).sort(), ids, 'one audited lift each');
  assert.ok(lifts.every((e) => e.actor === 'register:expiry'));
  const changes = (await store.batchesAfter(headBefore, 100)).flatMap((b) => b.changes);
  assert.deepEqual(changes.map((c) => c.key).sort(), ids, 'one change each in the log');
});
