/**
 * Decision integrity (issue #15): an office may not rewrite the identity of, or grant relief to, a
 * person whose restriction belongs to another office — through POST /v1/persons — and the border goes
 * on hitting; an operator may, and the register keeps the values replaced (versions) and audits the
 * change before → after. Who may grant which deferment is data (<data>/authority.json).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, personLine, tempDir } from '../helpers.js';

const identity = { personId: 'O-1', surname: 'Хабибуллин', givenNames: 'Артём', dateOfBirth: '2004-07-15', sex: 'M', documents: [{ type: 'passport', number: '751000111', country: 'RUS' }] };
const traveller = { surname: 'KHABIBULLIN', givenNames: 'ARTEM', dateOfBirth: '2004-07-15' };
const today = new Date().toISOString().slice(0, 10);
const student = { category: 'student', validFrom: today, validTo: `${new Date().getUTCFullYear() + 2}-06-30`, basis: 'Decision 7/2026 of the draft board, art. 24 of 53-FZ' };

async function registerWith(t: TestContext, grantTable?: object) {
  const dir = tempDir(t);
  if (grantTable) writeFileSync(join(dir, 'authority.json'), JSON.stringify(grantTable));
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  const bearer = async (claims: Parameters<typeof issueToken>[1]) => ({ authorization: `Bearer ${await issueToken(authSecret(dir), claims)}` });
  const headers = { operator: await bearer({ role: 'operator', sub: 'root' }), a: await bearer({ role: 'office', office: 'MO-A', sub: 'clerk-a' }), b: await bearer({ role: 'office', office: 'MO-B', sub: 'clerk-b' }) };
  const post = (who: keyof typeof headers, url: string, payload: unknown) => reg.app.inject({ method: 'POST', url, headers: headers[who], payload: payload as object });
  const get = (url: string) => reg.app.inject({ method: 'GET', url, headers: headers.operator });
  // Office A's served call-up on O-1.
  assert.equal((await post('operator', '/v1/persons', identity)).statusCode, 200);
  assert.equal((await post('a', '/v1/restrictions', { personId: 'O-1', ...callUp('CU-A1', { office: 'MO-A' }) })).statusCode, 201);
  assert.equal((await post('a', '/v1/restrictions/CU-A1/service', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'in-person' })).statusCode, 200);
  return { reg, dir, post, get };
}

test("office B may not rewrite the identity of, nor add a deferment to, a person holding office A's call-up — and the border still hits", async (t) => {
  const { reg, dir, post, get } = await registerWith(t);
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const borderDir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: borderDir, registerUrl: url, trustFile: exportRegisterKeys(dir), token: await issueToken(authSecret(dir), { role: 'border' }), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  const checkpoint = { authorization: `Bearer ${await issueToken(authSecret(borderDir), { role: 'checkpoint' })}` };
  const screen = async () => (await replica.app.inject({ method: 'POST', url: '/v1/screenings', headers: checkpoint, payload: traveller })).json();
  assert.equal((await screen()).decision, 'hit');

  const head = await reg.store.headSeq();
  const stored = (await get('/v1/persons/O-1')).json();

  const rewrites = [
    { ...identity, surname: 'Петров', givenNames: 'Пётр' },
    { ...identity, dateOfBirth: '1960-01-01' },
    { ...identity, documents: [{ type: 'passport', number: '999999999', country: 'RUS' }] },
  ];
  for (const body of rewrites) {
    const res = await post('b', '/v1/persons', body);
    assert.equal(res.statusCode, 403, JSON.stringify(body));
    assert.match(res.json().error, /office MO-B may not change the .* of person O-1, who holds an open call-up CU-A1 of office MO-A; an operator or office MO-A must make this change/);
  }
  const deferred = await post('b', '/v1/persons', { ...identity, deferments: [student] });
  assert.equal(deferred.statusCode, 403);
  assert.match(deferred.json().error, /would clear call-up CU-A1 of office MO-A at the border/);
  assert.equal(deferred.json().field, 'deferments.0');
  // Inline in an import-format line with B's own restriction: the same rules.
  const inline = await post('b', '/v1/persons', { ...identity, surname: 'Петров', restrictions: [callUp('CU-B1', { office: 'MO-B' })] });
  assert.equal(inline.statusCode, 403);
  assert.equal((await get('/v1/restrictions/CU-B1')).statusCode, 404, 'a refused line leaves nothing behind');

  assert.deepEqual((await get('/v1/persons/O-1')).json(), stored, 'nothing changed');
  assert.equal(await reg.store.headSeq(), head, 'nothing reached the exchange');
  assert.deepEqual((await get('/v1/persons/O-1/history')).json().versions, []);
  // Anything sent on the wire would have arrived by now; the replica is at the same head and still hits.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await screen()).decision, 'hit');

  // Office A itself may grant relief over its own call-up; the border then clears.
  assert.equal((await post('a', '/v1/persons', { ...identity, deferments: [student] })).statusCode, 200);
  await replica.follower.waitFor(await reg.store.headSeq());
  assert.equal((await screen()).decision, 'clear');
});

test('an operator may change anything; the history keeps the values replaced and the audit says before → after', async (t) => {
  const { post, get } = await registerWith(t);
  const res = await post('operator', '/v1/persons', { ...identity, surname: 'Хабибулин', deferments: [{ ...student, grantedBy: 'MO-A' }] });
  assert.equal(res.statusCode, 200);
  // An import line (operator) changes the date of birth.
  const imported = await post('operator', '/v1/import', { persons: [{ ...identity, surname: 'Хабибулин', dateOfBirth: '2004-07-16', deferments: [{ ...student, grantedBy: 'MO-A' }] }] });
  assert.deepEqual(imported.json().results, [{ ok: true, changes: 1 }]);

  const history = (await get('/v1/persons/O-1/history')).json();
  assert.deepEqual(
    history.versions.map((v: { version: number; supersededBy: string; person: { surname: string; dateOfBirth: string; deferments: unknown[] } }) => [v.version, v.supersededBy, v.person.surname, v.person.dateOfBirth, v.person.deferments.length]),
    [
      [2, 'operator:root', 'Хабибулин', '2004-07-15', 1],
      [1, 'operator:root', 'Хабибуллин', '2004-07-15', 0],
    ],
  );
  const updates = history.entries.filter((e: { action: string }) => e.action === 'person.update');
  assert.equal(updates.length, 2);
  assert.deepEqual(updates[0].detail.changed, { dateOfBirth: { before: '2004-07-15', after: '2004-07-16' } });
  assert.equal(updates[0].detail.supersededVersion, 2);
  assert.deepEqual(updates[1].detail.changed.surname, { before: 'Хабибуллин', after: 'Хабибулин' });
  assert.deepEqual(updates[1].detail.changed.deferments, { before: [], after: [{ ...student, grantedBy: 'MO-A' }] });
  assert.equal(updates[1].actor, 'operator:root');

  // Office B may not take away office A's deferment either; office A may.
  const current = (await get('/v1/persons/O-1')).json();
  const { restrictions: _r, ...asRead } = current;
  assert.equal((await post('b', '/v1/persons', asRead)).statusCode, 200, 'sending the person back as read is no change');
  const removed = await post('b', '/v1/persons', { ...asRead, deferments: [] });
  assert.equal(removed.statusCode, 403);
  assert.match(removed.json().error, /may not remove or change the student deferment .* granted by office MO-A/);
  assert.equal((await post('a', '/v1/persons', { ...asRead, deferments: [] })).statusCode, 200);
});

test("the grant table is data: <data>/authority.json lets office B relieve office A's call-ups; a bad file stops the register", async (t) => {
  const table = { grants: [{ grantor: 'MO-B', kinds: ['deferment'], categories: ['student'], relieves: ['MO-A'] }] };
  const { post, get } = await registerWith(t, table);
  assert.deepEqual((await get('/v1/register/authority')).json(), { grants: [{ ...table.grants[0] }] });
  const res = await post('b', '/v1/persons', { ...identity, deferments: [student] });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((await get('/v1/persons/O-1')).json().deferments[0].grantedBy, 'MO-B', 'granted in the office’s name');
  const family = await post('b', '/v1/persons', { ...identity, deferments: [student, { ...student, category: 'family' }] });
  assert.equal(family.statusCode, 403, 'a category outside the table');
  const noBasis = await post('b', '/v1/persons', { ...identity, deferments: [student, { ...student, validTo: '2031-06-30', basis: undefined }] });
  assert.equal(noBasis.statusCode, 400);
  assert.equal(noBasis.json().field, 'deferments.1.basis');

  const dir = tempDir(t);
  writeFileSync(join(dir, 'authority.json'), JSON.stringify({ grants: [{ grantor: 'MO-B', kinds: ['deferral'], categories: ['student'] }] }));
  await assert.rejects(createRegister({ dataDir: dir }), /authority\.json: grants\.0\.kinds\.0: /);
});

test('least data: who granted a deferment and on what basis stay in the register', async (t) => {
  const { reg, post } = await registerWith(t);
  assert.equal((await post('a', '/v1/persons', { ...personLine({ personId: 'O-2' }), deferments: [{ ...student, basis: 'Decision 99/2026 secret-basis' }] })).statusCode, 200);
  const crossed: string[] = [];
  for (const b of await reg.store.batchesAfter(0, 100)) for (const c of b.changes) crossed.push(JSON.stringify(c.body));
  for await (const line of reg.store.snapshot()) crossed.push(JSON.stringify(line));
  const all = crossed.join('\n');
  for (const secret of ['grantedBy', 'secret-basis', 'draft board']) assert.ok(!all.includes(secret), `${secret} stayed in the register`);
  assert.match(all, /"category":"student"/);
});
