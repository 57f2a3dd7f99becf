import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';

async function register(t: Parameters<typeof tempDir>[0]) {
  const reg = await createRegister({ dataDir: tempDir(t), auth: false });
  t.after(() => reg.close());
  return reg.app;
}

test('POST /v1/persons validates with the field named', async (t) => {
  const app = await register(t);
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [personLine({ dateOfBirth: '1999-02-30' }), 'dateOfBirth', /does not exist/],
    [personLine({ surname: '' }), 'surname', /empty/],
    [personLine({ documents: [{ type: 'passport', number: '75 12', country: 'RUS' }] }), 'documents.0.number', /letters or digits/],
    [personLine({ documents: [{ type: 'passport', number: '751', country: 'Russia' }] }), 'documents.0.country', /three-letter/],
    [personLine({ restrictions: [callUp('CU-1', { servedAt: '2024-10-02T10:00:00Z' })] }), 'restrictions.0.serviceChannel', /required together/],
    [personLine({ restrictions: [callUp('CU-1', { kind: 'ban' })] }), 'restrictions.0.kind', /call-up/],
    [personLine({ restrictions: [callUp('CU-1', { issuedAt: '2024-10-01 09:00' })] }), 'restrictions.0.issuedAt', /ISO 8601/],
  ];
  for (const [body, field, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/persons', payload: body });
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().field, field);
    assert.match(res.json().error, message);
  }
});

test('malformed JSON and wrong content are 400s with a message', async (t) => {
  const app = await register(t);
  const res = await app.inject({ method: 'POST', url: '/v1/persons', payload: '{"personId":', headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 400);
  assert.ok(res.json().error);
  const arr = await app.inject({ method: 'POST', url: '/v1/persons', payload: [1, 2] });
  assert.equal(arr.statusCode, 400);
});

test('issue, serve, lift through the API; unknown ids are 404; lifecycle violations are 409', async (t) => {
  const app = await register(t);
  const p = personLine();
  assert.equal((await app.inject({ method: 'POST', url: '/v1/persons', payload: p })).statusCode, 200);
  const issue = { personId: p.personId, ...callUp('CU-7') };
  assert.equal((await app.inject({ method: 'POST', url: '/v1/restrictions', payload: issue })).statusCode, 201);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/restrictions', payload: issue })).statusCode, 200, 'same issue again is idempotent');
  const conflicting = await app.inject({ method: 'POST', url: '/v1/restrictions', payload: { ...issue, basis: 'other' } });
  assert.equal(conflicting.statusCode, 409);
  const unknownPerson = await app.inject({ method: 'POST', url: '/v1/restrictions', payload: { ...issue, restrictionId: 'CU-8', personId: 'NOBODY' } });
  assert.equal(unknownPerson.statusCode, 404);
  assert.equal(unknownPerson.json().field, 'personId');
  assert.equal((await app.inject({ method: 'POST', url: '/v1/restrictions/CU-7/service', payload: served })).statusCode, 200);
  const early = await app.inject({ method: 'POST', url: '/v1/restrictions/CU-7/lift', payload: { liftedAt: '2024-10-01T00:00:00Z', liftReason: 'expiry' } });
  assert.equal(early.statusCode, 409);
  assert.match(early.json().error, /before servedAt/);
  const lifted = await app.inject({ method: 'POST', url: '/v1/restrictions/CU-7/lift', payload: { liftedAt: '2024-11-01T00:00:00Z', liftReason: 'cancellation' } });
  assert.equal(lifted.statusCode, 200);
  assert.equal(lifted.json().restriction.liftReason, 'cancellation');
  assert.equal((await app.inject({ method: 'POST', url: '/v1/restrictions/NOPE/lift', payload: { liftedAt: '2024-11-01T00:00:00Z', liftReason: 'expiry' } })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: '/v1/persons/NOPE' })).statusCode, 404);
  const got = await app.inject({ method: 'GET', url: `/v1/persons/${p.personId}` });
  assert.equal(got.json().restrictions.length, 1);
});

test('change feed: ordered pages, bad cursors are named, a cursor ahead of the log is a conflict', async (t) => {
  const app = await register(t);
  for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/v1/persons', payload: personLine() });
  const page = (await app.inject({ method: 'GET', url: '/v1/exchange/changes?after=1&limit=2' })).json();
  assert.deepEqual(page.batches.flatMap((b: { changes: { seq: number }[] }) => b.changes).map((c: { seq: number }) => c.seq), [2, 3]);
  assert.equal(page.registerSeq, 5);
  for (const [q, field] of [['after=-1', 'after'], ['after=x', 'after'], ['after=0&limit=999999', 'limit'], ['after=0&wait=99999999', 'wait']]) {
    const res = await app.inject({ method: 'GET', url: `/v1/exchange/changes?${q}` });
    assert.equal(res.statusCode, 400, q);
    assert.equal(res.json().field, field);
  }
  assert.equal((await app.inject({ method: 'GET', url: '/v1/exchange/changes?after=99' })).statusCode, 409);
});

test('long-poll: a waiting request answers as soon as a change commits', async (t) => {
  const app = await register(t);
  await app.inject({ method: 'POST', url: '/v1/persons', payload: personLine() });
  const started = Date.now();
  const waiting = app.inject({ method: 'GET', url: '/v1/exchange/changes?after=1&wait=10000' });
  setTimeout(() => void app.inject({ method: 'POST', url: '/v1/persons', payload: personLine() }), 100);
  const res = (await waiting).json();
  assert.deepEqual(res.batches.flatMap((b: { changes: { seq: number }[] }) => b.changes).map((c: { seq: number }) => c.seq), [2]);
  assert.ok(Date.now() - started < 5000, 'answered on the commit, not at the end of the wait');
});

test('POST /v1/import answers per person', async (t) => {
  const app = await register(t);
  const res = await app.inject({ method: 'POST', url: '/v1/import', payload: { persons: [personLine(), { personId: 'X' }, personLine()] } });
  assert.equal(res.statusCode, 200);
  const results = res.json().results;
  assert.equal(results[0].ok, true);
  assert.equal(results[1].ok, false);
  assert.equal(results[1].field, 'surname');
  assert.equal(results[2].ok, true);
});
