/**
 * Each route reads at most the body it needs: a screening or a lift 16 KiB, one person 512 KiB, an
 * import of up to 2,000 persons 16 MiB. A larger body is a 413 that names the route's limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { exportRegisterKeys, personLine, tempDir } from '../helpers.js';

const json = { 'content-type': 'application/json' };

test('register: per-route body limits, and the 413 names the limit', async (t) => {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  const headers = { ...json, authorization: `Bearer ${await issueToken(authSecret(dir), { role: 'operator' })}` };
  const send = (url: string, payload: string) => reg.app.inject({ method: 'POST', url, payload, headers });

  // One person of 600 KB: over the 512 KiB of POST /v1/persons (it was 1 MB).
  const big = await send('/v1/persons', JSON.stringify({ ...personLine(), surname: 'x'.repeat(600_000) }));
  assert.equal(big.statusCode, 413);
  assert.match(big.json().error, /larger than 512 KiB \(524,288 bytes\), the limit of POST \/v1\/persons/);
  // Under the limit, the body is read and validated as usual.
  const long = await send('/v1/persons', JSON.stringify({ ...personLine(), surname: 'x'.repeat(300_000) }));
  assert.equal(long.statusCode, 400);
  assert.equal(long.json().field, 'surname');
  // A lift is small: 20 KB is refused (it was 1 MB).
  const lift = await send('/v1/restrictions/R-1/lift', JSON.stringify({ liftedAt: '2026-01-01T00:00:00Z', liftReason: 'other', pad: 'x'.repeat(20_000) }));
  assert.equal(lift.statusCode, 413);
  assert.match(lift.json().error, /16 KiB \(16,384 bytes\), the limit of POST \/v1\/restrictions\/:id\/lift/);
  // An import of 2,000 ordinary persons fits its 16 MiB; 17 MB does not (it was 32 MB).
  const persons = Array.from({ length: 2000 }, () => personLine());
  const imported = await send('/v1/import', JSON.stringify({ persons }));
  assert.equal(imported.statusCode, 200, imported.body.slice(0, 200));
  const tooBig = await send('/v1/import', JSON.stringify({ persons: [{ ...personLine(), pad: 'x'.repeat(17_000_000) }] }));
  assert.equal(tooBig.statusCode, 413);
  assert.match(tooBig.json().error, /16 MiB \(16,777,216 bytes\), the limit of POST \/v1\/import/);
});

test('border: a screening body is at most 16 KiB', async (t) => {
  const dir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: dir, registerUrl: 'http://127.0.0.1:9', trustFile: exportRegisterKeys(tempDir(t)) });
  t.after(() => replica.close());
  const headers = { ...json, authorization: `Bearer ${await issueToken(authSecret(dir), { role: 'checkpoint' })}` };
  const res = await replica.app.inject({ method: 'POST', url: '/v1/screenings', payload: JSON.stringify({ surname: 'A'.repeat(40_000), givenNames: 'B' }), headers });
  assert.equal(res.statusCode, 413);
  assert.match(res.json().error, /16 KiB \(16,384 bytes\), the limit of POST \/v1\/screenings/);
  const selfCheck = await replica.app.inject({ method: 'POST', url: '/v1/self-check', payload: JSON.stringify({ documentNumber: '1'.repeat(40_000), dateOfBirth: '1999' }), headers: json });
  assert.equal(selfCheck.statusCode, 413);
});
