/**
 * The manifest API on a border replica following a register (in one process): answers per traveller in
 * order, least data for the carrier, each traveller audited with the manifest's id and position, PAXLST
 * and JSON alike, the refusals (another carrier's manifest is 404, too many travellers 413, a bad PAXLST
 * 400 naming the segment, another carrier's manifest posted 403), and a lift turning do-not-board into
 * board before departure, with the change shown since a version and sent, signed, to the carrier's webhook.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { verifyDelivery } from '../../src/border/manifests/webhookSignature.js';
import { callUp, exportRegisterKeys, personLine, served, tempDir } from '../helpers.js';
import { paxlstOf } from './paxlstFixture.js';

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

export function travellers() {
  return [
    { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04', sex: 'M' as const, documentNumber: '751234567', nationality: 'RUS' },
    { surname: 'PETROV', givenNames: 'PETR', dateOfBirth: '1985-06-07', documentNumber: '750000002', nationality: 'RUS' },
    { surname: 'SMITH', givenNames: 'ANNA', dateOfBirth: '1990-01-01', documentNumber: 'GB1234567', nationality: 'GBR' },
  ];
}

async function setUp(t: TestContext) {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir, auth: false });
  t.after(() => reg.close());
  const op = (method: 'POST', url: string, payload: object) => reg.app.inject({ method, url, payload });
  await op('POST', '/v1/persons', personLine({ personId: 'R-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }] }));
  await op('POST', '/v1/persons', personLine({ personId: 'R-2', surname: 'Петров', givenNames: 'Пётр', dateOfBirth: '1985-06-07', documents: [{ type: 'passport', number: '750000002', country: 'RUS' }] }));
  assert.equal((await op('POST', '/v1/restrictions', { personId: 'R-1', ...callUp('CU-SECRET-1') })).statusCode, 201);
  await op('POST', '/v1/restrictions/CU-SECRET-1/service', served);
  // In force now, ended by the time the flight leaves in two days: uncertain for the carrier.
  assert.equal((await op('POST', '/v1/restrictions', { personId: 'R-2', ...callUp('CU-SECRET-2', { expiresAt: inDays(1) }) })).statusCode, 201);
  await op('POST', '/v1/restrictions/CU-SECRET-2/service', served);
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as AddressInfo).port}`;
  const dir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: dir, registerUrl: url, trustFile: exportRegisterKeys(regDir), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  const bearer = async (role: 'carrier' | 'checkpoint' | 'auditor', carrier = 'SU') => ({ authorization: `Bearer ${await issueToken(authSecret(dir), { role, carrier, sub: role })}` });
  return { reg, replica, bearer, op };
}

test('manifests over HTTP: answers, least data, audit, refusals, and a lift reaching the carrier before departure', async (t) => {
  const { reg, replica, bearer, op } = await setUp(t);
  const su = await bearer('carrier', 'SU');
  const manifest = { carrier: 'SU', service: 'SU2130', departureAt: inDays(2), from: 'SVO', to: 'IST', travellers: travellers() };

  // A webhook first, on a local server that records what it receives.
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end('ok');
    });
  }).listen(0, '127.0.0.1');
  await once(hook, 'listening');
  t.after(() => new Promise((r) => hook.close(r)));
  const registered = await replica.app.inject({ method: 'PUT', url: '/v1/carriers/webhook', headers: su, payload: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/erx` } });
  assert.equal(registered.statusCode, 200, registered.body);
  const secret = registered.json().secret as string;
  assert.match(secret, /^whsec_/);

  const posted = await replica.app.inject({ method: 'POST', url: '/v1/manifests', headers: su, payload: manifest });
  assert.equal(posted.statusCode, 201, posted.body);
  const answer = posted.json();
  assert.deepEqual(answer.travellers.map((x: { surname: string; answer: string }) => [x.surname, x.answer]), [
    ['IVANOV', 'do-not-board'],
    ['PETROV', 'check-at-border'],
    ['SMITH', 'board'],
  ]);
  assert.equal(answer.version, 1);
  for (const key of ['restrictionId', 'personId', 'basis', 'office', 'kind', 'score', 'reasons', 'decision', 'screeningId']) assert.ok(!posted.body.includes(`"${key}"`), `the carrier's answer has no ${key}`);
  for (const value of ['CU-SECRET', 'R-1', 'R-2', 'MO-Moscow-12', 'call-up', 'art. 31']) assert.ok(!posted.body.includes(value), `the carrier's answer has no ${value}`);

  // Audited like single screenings, each naming the manifest and the position.
  const audited = (await replica.app.inject({ url: '/v1/screenings?limit=10', headers: await bearer('auditor') })).json().screenings as { manifest?: { manifestId: string; position: number }; decision: string; requester: string }[];
  const ofManifest = audited.filter((s) => s.manifest?.manifestId === answer.manifestId).sort((a, b) => a.manifest!.position - b.manifest!.position);
  assert.deepEqual(ofManifest.map((s) => [s.manifest!.position, s.decision]), [[1, 'hit'], [2, 'hit'], [3, 'clear']]);
  assert.match(ofManifest[0]!.requester, /^carrier:SU@/);

  // The border sees the reasons; a carrier does not, and another carrier sees nothing at all.
  const reasons = await replica.app.inject({ url: `/v1/manifests/${answer.manifestId}/reasons`, headers: await bearer('checkpoint') });
  assert.equal(reasons.statusCode, 200, reasons.body);
  assert.equal(reasons.json().travellers[0].reasons[0].restrictionId, 'CU-SECRET-1');
  assert.equal(reasons.json().travellers[1].decisionAtDeparture, 'clear', 'the second restriction ends before departure');
  assert.equal((await replica.app.inject({ url: `/v1/manifests/${answer.manifestId}/reasons`, headers: su })).statusCode, 403);
  const other = await replica.app.inject({ url: `/v1/manifests/${answer.manifestId}`, headers: await bearer('carrier', 'TK') });
  const missing = await replica.app.inject({ url: `/v1/manifests/00000000-0000-0000-0000-000000000000`, headers: await bearer('carrier', 'TK') });
  assert.equal(other.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  assert.equal(other.json().error.replace(answer.manifestId, 'ID'), missing.json().error.replace('00000000-0000-0000-0000-000000000000', 'ID'), 'the same answer as for an id that does not exist');

  // Refusals.
  const theirs = await replica.app.inject({ method: 'POST', url: '/v1/manifests', headers: su, payload: { ...manifest, carrier: 'TK' } });
  assert.equal(theirs.statusCode, 403);
  assert.match(theirs.json().error, /this token is for carrier SU/);
  const tooMany = await replica.app.inject({ method: 'POST', url: '/v1/manifests', headers: su, payload: { ...manifest, travellers: Array.from({ length: 1001 }, () => travellers()[2]) } });
  assert.equal(tooMany.statusCode, 413);
  assert.match(tooMany.json().error, /at most 1000 travellers/);
  const badField = await replica.app.inject({ method: 'POST', url: '/v1/manifests', headers: su, payload: { ...manifest, travellers: [{ ...travellers()[0], nationality: 'Russia' }] } });
  assert.equal(badField.statusCode, 400);
  assert.deepEqual(badField.json(), { error: 'travellers.0.nationality: must be a three-letter ICAO code such as RUS', field: 'travellers.0.nationality' });
  const edifact = { ...su, 'content-type': 'application/edifact' };
  const badEdi = await replica.app.inject({ method: 'POST', url: '/v1/manifests', headers: edifact, payload: paxlstOf(manifest).replace('DOC+P:110:111+751234567', 'DOC+P:110:111') });
  assert.equal(badEdi.statusCode, 400);
  assert.match(badEdi.json().error, /^segment \d+ \(DOC\): DOC has no document number/);
  assert.match(badEdi.json().field, /^segment \d+ DOC$/);
  assert.equal((await replica.app.inject({ method: 'POST', url: '/v1/manifests', headers: { 'content-type': 'application/edifact' }, payload: paxlstOf(manifest) })).statusCode, 401);

  // The same manifest as PAXLST, the carrier taken from the token.
  const edi = await replica.app.inject({ method: 'POST', url: '/v1/manifests', headers: edifact, payload: paxlstOf({ ...manifest, carrier: undefined }) });
  assert.equal(edi.statusCode, 201, edi.body);
  assert.deepEqual(edi.json().travellers.map((x: { answer: string }) => x.answer), ['do-not-board', 'check-at-border', 'board']);
  assert.equal(edi.json().carrier, 'SU');

  // The register lifts the first restriction: the manifest's answer becomes board, version 2.
  assert.equal((await op('POST', '/v1/restrictions/CU-SECRET-1/lift', { liftedAt: new Date().toISOString(), liftReason: 'cancellation' })).statusCode, 200);
  await replica.follower.waitFor(await reg.store.headSeq());
  await replica.manifests.rescreener.idle();
  const after = await replica.app.inject({ url: `/v1/manifests/${answer.manifestId}?since=1`, headers: su });
  assert.equal(after.statusCode, 200, after.body);
  assert.equal(after.json().version, 2);
  assert.equal(after.json().travellers[0].answer, 'board');
  assert.deepEqual(after.json().changes.map((c: { position: number; from: string; to: string; version: number }) => [c.version, c.position, c.from, c.to]), [[2, 1, 'do-not-board', 'board']]);
  assert.deepEqual((await replica.app.inject({ url: `/v1/manifests/${answer.manifestId}?since=2`, headers: su })).json().changes, []);

  // The webhook received each manifest's change, signed with the secret it was given.
  const deadline = Date.now() + 10_000;
  while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(received.length, 2, 'one delivery per changed manifest (JSON and PAXLST)');
  for (const r of received) {
    assert.ok(verifyDelivery(secret, r.headers['x-erx-timestamp'] as string, r.body, r.headers['x-erx-signature'] as string), 'signed with the carrier secret');
    const body = JSON.parse(r.body);
    assert.deepEqual(body.changes.map((c: { position: number; to: string }) => [c.position, c.to]), [[1, 'board']]);
    assert.ok(!r.body.includes('CU-SECRET'), 'no restriction in the webhook either');
  }
  // Removed from the outbox once the carrier's server answered (a moment after it received them).
  while ((await replica.manifests.store.pendingDeliveries()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await replica.manifests.store.pendingDeliveries(), 0);
  assert.equal(received.length, 2, 'each delivered once while the carrier answers');
});
