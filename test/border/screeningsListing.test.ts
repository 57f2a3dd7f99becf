/**
 * GET /v1/screenings with a checkpoint's token lists that checkpoint's screenings only: the token's
 * subject exactly — another checkpoint whose name starts the same (cp-10), differs only in case
 * (CP-1) or reads as a pattern (cp-_) sees none of them. Auditors see all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { exportRegisterKeys, person, tempDir } from '../helpers.js';

test('a checkpoint lists only the screenings made under its own exact name', async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir, auth: false });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const dir = tempDir(t);
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const replica = await createBorderReplica({ dataDir: dir, registerUrl: url, trustFile: exportRegisterKeys(regDir), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  const bearer = async (role: 'checkpoint' | 'auditor', sub: string) => ({ authorization: `Bearer ${await issueToken(authSecret(dir), { role, sub })}` });
  const names = ['cp-1', 'cp-10', 'CP-1', 'cp-_', 'cp-1', 'cp-1@x'];
  for (const sub of names) {
    const res = await replica.app.inject({ method: 'POST', url: '/v1/screenings', headers: await bearer('checkpoint', sub), payload: { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04' } });
    assert.equal(res.statusCode, 200, res.body);
  }
  const listed = async (sub: string) => {
    const res = await replica.app.inject({ url: '/v1/screenings?limit=50', headers: await bearer('checkpoint', sub) });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().screenings as { requester: string }[]).map((s) => s.requester.slice(0, s.requester.lastIndexOf('@')));
  };
  assert.deepEqual(await listed('cp-1'), ['cp-1', 'cp-1']);
  assert.deepEqual(await listed('CP-1'), ['CP-1']);
  assert.deepEqual(await listed('cp-_'), ['cp-_']);
  assert.deepEqual(await listed('cp-1@x'), ['cp-1@x']);
  assert.deepEqual(await listed('cp'), []);
  const all = await replica.app.inject({ url: '/v1/screenings?limit=50', headers: await bearer('auditor', 'oversight') });
  assert.equal(all.json().screenings.length, names.length, 'an auditor sees every checkpoint’s');
});
