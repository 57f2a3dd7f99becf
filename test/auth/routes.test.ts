/**
 * Every route declares its roles; this walks every declared route of both services with every role
 * (and with no token, a forged token and an expired one) and checks the gate answers as declared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { declaredRoutes } from '../../src/auth/route.js';
import { exportRegisterKeys, tempDir } from '../helpers.js';

async function walkAll(app: FastifyInstance, dir: string) {
  const routes = declaredRoutes(app);
  assert.ok(routes.length >= 4);
  const tokens = new Map<Role, string>();
  for (const role of ROLES) tokens.set(role, await issueToken(authSecret(dir), { role, office: 'MO-1', personId: 'P-1', carrier: 'C-1' }));
  const forged = await issueToken(new Uint8Array(32), { role: 'operator' });
  const expired = await issueToken(authSecret(dir), { role: 'operator', ttlSeconds: -10 });
  for (const r of routes) {
    const url = r.url.replace(/:\w+/g, 'X-1');
    const send = (authorization?: string) =>
      app.inject({ method: r.method as 'GET' | 'POST' | 'PUT', url, ...(r.method !== 'GET' ? { payload: {} } : {}), headers: authorization ? { authorization } : {} });
    if (r.access === 'public') {
      assert.ok(![401, 403].includes((await send()).statusCode), `${r.method} ${r.url} is public`);
      continue;
    }
    const none = await send();
    assert.equal(none.statusCode, 401, `${r.method} ${r.url} without a token`);
    assert.match(none.json().error, /bearer token/);
    assert.equal((await send(`Bearer ${forged}`)).statusCode, 401, `${r.method} ${r.url} with a forged token`);
    assert.match((await send(`Bearer ${expired}`)).json().error, /expired/);
    for (const role of ROLES) {
      const res = await send(`Bearer ${tokens.get(role)}`);
      if (r.access.includes(role)) assert.ok(![401, 403].includes(res.statusCode), `${role} may use ${r.method} ${r.url} (got ${res.statusCode} ${res.body})`);
      else {
        assert.equal(res.statusCode, 403, `${role} may not use ${r.method} ${r.url}`);
        assert.match(res.json().error, new RegExp(`role ${role} may not use`));
      }
    }
  }
}

test('register: every route with every role', async (t) => {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  await walkAll(reg.app, dir);
});

test('border: every route with every role', async (t) => {
  const dir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: dir, registerUrl: 'http://127.0.0.1:9', trustFile: exportRegisterKeys(tempDir(t)) });
  t.after(() => replica.close());
  await walkAll(replica.app, dir);
});

test('an office writes only its own restrictions', async (t) => {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  const op = { authorization: `Bearer ${await issueToken(authSecret(dir), { role: 'operator' })}` };
  const mine = { authorization: `Bearer ${await issueToken(authSecret(dir), { role: 'office', office: 'MO-1' })}` };
  const theirs = { authorization: `Bearer ${await issueToken(authSecret(dir), { role: 'office', office: 'MO-2' })}` };
  await reg.app.inject({ method: 'POST', url: '/v1/persons', headers: op, payload: { personId: 'P-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999' } });
  const issue = { personId: 'P-1', restrictionId: 'CU-1', kind: 'call-up', basis: 'b', office: 'MO-1', issuedAt: '2024-10-01T00:00:00Z' };
  const refused = await reg.app.inject({ method: 'POST', url: '/v1/restrictions', headers: theirs, payload: issue });
  assert.equal(refused.statusCode, 403);
  assert.match(refused.json().error, /office MO-2 may not write restrictions of office MO-1/);
  assert.equal((await reg.app.inject({ method: 'POST', url: '/v1/restrictions', headers: mine, payload: issue })).statusCode, 201);
  const lift = { liftedAt: '2024-10-02T00:00:00Z', liftReason: 'cancellation' };
  assert.equal((await reg.app.inject({ method: 'POST', url: '/v1/restrictions/CU-1/lift', headers: theirs, payload: lift })).statusCode, 403);
  assert.equal((await reg.app.inject({ method: 'POST', url: '/v1/restrictions/CU-1/lift', headers: mine, payload: lift })).statusCode, 200);
});
