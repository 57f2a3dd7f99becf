/**
 * A corpus of hostile requests against both services: each gets a clear 4xx naming the problem, and
 * the service keeps serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { parseLine } from '../../src/register/importer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { exportRegisterKeys, personLine, tempDir } from '../helpers.js';

type Case = { name: string; method: 'GET' | 'POST'; url: string; payload?: string | object; headers?: Record<string, string>; status: number; error: RegExp; field?: string };

const json = { 'content-type': 'application/json' };

const registerCases: Case[] = [
  { name: 'malformed JSON', method: 'POST', url: '/v1/persons', payload: '{"personId": "A",', headers: json, status: 400, error: /JSON/i },
  { name: '10 MB body', method: 'POST', url: '/v1/persons', payload: JSON.stringify({ ...personLine(), surname: 'Я'.repeat(5_000_000) }), headers: json, status: 413, error: /larger than/ },
  { name: 'wrong type', method: 'POST', url: '/v1/persons', payload: { ...personLine(), surname: 123 }, status: 400, error: /surname/, field: 'surname' },
  { name: 'null byte', method: 'POST', url: '/v1/persons', payload: { ...personLine(), surname: 'Ива\u0000нов' }, status: 400, error: /control characters/, field: 'surname' },
  { name: 'confusable (Latin a in a Cyrillic name)', method: 'POST', url: '/v1/persons', payload: { ...personLine(), surname: 'Ивaнов' }, status: 400, error: /look-alike/, field: 'surname' },
  { name: 'SQL injection in an id', method: 'POST', url: '/v1/persons', payload: { ...personLine(), personId: "x'; DROP TABLE persons;--" }, status: 400, error: /personId/, field: 'personId' },
  { name: 'prototype pollution', method: 'POST', url: '/v1/persons', payload: '{"__proto__":{"admin":true},"personId":"P"}', headers: json, status: 400, error: /./ },
  { name: 'path traversal in an id', method: 'GET', url: '/v1/persons/..%2F..%2Fetc%2Fpasswd', status: 404, error: /not in the register/ },
  { name: 'path traversal in a path', method: 'POST', url: '/v1/restrictions/../../../etc/lift', payload: {}, status: 404, error: /no route/ },
  { name: 'huge limit', method: 'GET', url: '/v1/exchange/changes?after=0&limit=100000000', status: 400, error: /at most/, field: 'limit' },
  { name: 'negative cursor', method: 'GET', url: '/v1/exchange/changes?after=-5', status: 400, error: /0 or more/, field: 'after' },
  { name: 'cursor that is not a number', method: 'GET', url: '/v1/exchange/changes?after=1e999', status: 400, error: /after/, field: 'after' },
  { name: 'bad bucket list', method: 'GET', url: '/v1/exchange/snapshot?buckets=1,5000', status: 400, error: /below 4096/, field: 'buckets' },
  { name: 'import batch too large', method: 'POST', url: '/v1/import', payload: { persons: new Array(2001).fill({}) }, status: 400, error: /at most 2000/, field: 'persons' },
  { name: 'wrong content type', method: 'POST', url: '/v1/persons', payload: 'personId=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, error: /Content-Type/ },
  { name: 'impossible date', method: 'POST', url: '/v1/persons', payload: { ...personLine(), dateOfBirth: '2023-02-29' }, status: 400, error: /does not exist/, field: 'dateOfBirth' },
];

const borderCases: Case[] = [
  { name: 'unknown field', method: 'POST', url: '/v1/screenings', payload: { surname: 'A', givenNames: 'B', passport: '1' }, status: 400, error: /passport/ },
  { name: 'both mrz and fields', method: 'POST', url: '/v1/screenings', payload: { mrz: 'x', surname: 'A' }, status: 400, error: /either mrz or typed fields/, field: 'mrz' },
  { name: 'oversized mrz', method: 'POST', url: '/v1/screenings', payload: { mrz: 'P'.repeat(5000) }, status: 400, error: /at most 300/, field: 'mrz' },
  { name: 'null byte in name', method: 'POST', url: '/v1/screenings', payload: { surname: 'IVA\u0000NOV', givenNames: 'IURII' }, status: 400, error: /control characters/, field: 'surname' },
  { name: 'huge audit limit', method: 'GET', url: '/v1/screenings?limit=99999999', status: 400, error: /./ },
  { name: 'malformed JSON', method: 'POST', url: '/v1/screenings', payload: '{', headers: json, status: 400, error: /JSON/i },
];

async function walk(app: Awaited<ReturnType<typeof createRegister>>['app'], cases: Case[], token: string) {
  for (const c of cases) {
    const headers = { authorization: `Bearer ${token}`, ...c.headers };
    const res = await app.inject({ method: c.method, url: c.url, ...(c.payload !== undefined ? { payload: c.payload } : {}), headers });
    assert.equal(res.statusCode, c.status, `${c.name}: ${res.body.slice(0, 200)}`);
    const body = res.json();
    assert.match(body.error, c.error, c.name);
    if (c.field) assert.equal(body.field, c.field, c.name);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200, `still serving after ${c.name}`);
  }
}

test('register: hostile requests get clear 4xx answers and the service keeps serving', async (t) => {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  const token = await issueToken(authSecret(dir), { role: 'operator' });
  await walk(reg.app, registerCases, token);
  // SQL-looking text where free text is allowed is stored as text, nothing more.
  const p = { ...personLine(), surname: "Д'Артаньян); DROP TABLE persons;--" } as Record<string, unknown>;
  const headers = { authorization: `Bearer ${token}` };
  assert.equal((await reg.app.inject({ method: 'POST', url: '/v1/persons', payload: p, headers })).statusCode, 200);
  assert.equal((await reg.app.inject({ method: 'GET', url: `/v1/persons/${p.personId}`, headers })).json().surname, p.surname);
});

test('border: hostile screening requests get clear 4xx answers and the service keeps serving', async (t) => {
  const dir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: dir, registerUrl: 'http://127.0.0.1:9', trustFile: exportRegisterKeys(tempDir(t)) });
  t.after(() => replica.close());
  await walk(replica.app, borderCases, await issueToken(authSecret(dir), { role: 'operator' }));
});

test('fuzz: the import line parser never throws, and every refusal names a reason', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (line) => {
      const r = parseLine(line);
      if (!r.ok) assert.ok(r.error.length > 0);
    }),
    { numRuns: 2000 },
  );
  const base = personLine();
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), (key, value) => {
      const r = parseLine(JSON.stringify({ ...base, [key]: value }));
      if (!r.ok) assert.ok(r.field === undefined || r.field.startsWith(key) || r.field === '(body)', `${key} → ${r.field}`);
    }),
    { numRuns: 2000 },
  );
});
