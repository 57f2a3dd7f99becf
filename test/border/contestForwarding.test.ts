/**
 * A border replica answers the public contest routes by forwarding them to the register with its own
 * token: the register's case number and answers are passed on as they are; its own callers are limited
 * per address (a checkpoint forwarding with its token is not); with the register unreachable the
 * person is told to try again later, and no case number is made up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';

const ID = { documentNumber: '751000088', dateOfBirth: '1990-01-01' };
const followHeaders = { 'erx-document-number': ID.documentNumber, 'erx-date-of-birth': ID.dateOfBirth };

test('a replica forwards contests to the register, limits its callers, and says "try again later" when the register is down', { timeout: 60_000 }, async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  let regOpen = true;
  t.after(() => (regOpen ? reg.close() : undefined));
  await reg.service.upsertPerson(person({ personId: 'FW-1', dateOfBirth: ID.dateOfBirth, documents: [{ type: 'passport', number: ID.documentNumber, country: 'RUS' }], restrictions: [callUp('CU-FW-1', served)] }));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const R = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const borderDir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: borderDir, registerUrl: R, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border', sub: 'centre-1' }), longPollMs: 200 });
  t.after(() => replica.close());
  const app = replica.app;

  const filed = await app.inject({ method: 'POST', url: '/v1/contests', payload: { ...ID, contact: '+7 900 123 45 67', reason: 'Not me.' }, remoteAddress: '10.1.1.1' });
  assert.equal(filed.statusCode, 201, filed.body);
  const { caseNumber } = filed.json();
  assert.equal((await reg.store.getContest(caseNumber))?.restrictionId, 'CU-FW-1', "the register's own case");
  const trail = await reg.store.auditAbout(['CU-FW-1'], 10);
  assert.equal(trail.find((e) => e.action === 'contest.file')?.actor, 'public via border:centre-1');
  const followed = await app.inject({ method: 'GET', url: `/v1/contests/${caseNumber}`, headers: followHeaders, remoteAddress: '10.1.1.1' });
  assert.equal(followed.json().state, 'open');
  const wrong = await app.inject({ method: 'GET', url: `/v1/contests/${caseNumber}`, headers: { ...followHeaders, 'erx-date-of-birth': '1990-01-02' }, remoteAddress: '10.1.1.1' });
  assert.equal(wrong.statusCode, 404, "the register's 404, passed on");
  const bad = await app.inject({ method: 'POST', url: '/v1/contests', payload: { ...ID, contact: 'x', reason: 'r' }, remoteAddress: '10.1.1.1' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, 'contact', 'checked here before anything is forwarded');

  // Per-address limit at the replica (10 a minute); a checkpoint's token is not counted.
  const statuses: number[] = [];
  for (let i = 0; i < 9; i++) statuses.push((await app.inject({ method: 'GET', url: `/v1/contests/${caseNumber}`, headers: followHeaders, remoteAddress: '10.1.1.1' })).statusCode);
  assert.deepEqual(statuses, [...Array(8).fill(200), 429]);
  const checkpoint = `Bearer ${await issueToken(authSecret(borderDir), { role: 'checkpoint', sub: 'cp-1' })}`;
  for (let i = 0; i < 12; i++) {
    const res = await app.inject({ method: 'GET', url: `/v1/contests/${caseNumber}`, headers: { ...followHeaders, authorization: checkpoint }, remoteAddress: '10.1.1.2' });
    assert.equal(res.statusCode, 200, `checkpoint-forwarded request ${i + 1}`);
  }

  // The register down: 503 in words, no case number.
  await reg.close();
  regOpen = false;
  const down = await app.inject({ method: 'POST', url: '/v1/contests', payload: { ...ID, contact: 'a@b.cd', reason: 'again' }, remoteAddress: '10.1.1.3' });
  assert.equal(down.statusCode, 503);
  assert.match(down.json().error, /cannot be reached just now, so nothing was filed .* try again later/);
  assert.equal(down.json().caseNumber, undefined);
});
