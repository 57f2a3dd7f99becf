/**
 * Issuing offices over the register's API and through to a border replica's self-check:
 *  - who may write an office's record: an operator, or the office itself; an office token of another
 *    office is refused (403), and so is an auditor (who reads);
 *  - bad input is a 400 naming the field, and changes nothing;
 *  - a write is one change of entity `office` in the feed, audited with what it replaced;
 *  - the replica applies it and the self-check answers the office's contact details, how to contest,
 *    and the last day to do so; an office without a record says so (`recorded: false`);
 *  - the self-check's uniform answer still holds with offices recorded.
 */
import { type TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';

const MOSCOW_12 = {
  name: 'Military Commissariat of Moscow, district no. 12',
  address: 'Sadovaya St 14, Moscow, 101014',
  phone: '+7 495 612-34-56',
  email: 'commissariat-12@moscow.mil.example',
  web: 'https://moscow.mil.example/12',
  hours: 'Mon–Thu 09:00–18:00',
  howToContest: 'Write to the draft commission of the region, or file a claim with the district court.',
  contestDays: 90,
};

async function registerWithTokens(t: TestContext) {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  const bearer = async (claims: Parameters<typeof issueToken>[1]) => ({ authorization: `Bearer ${await issueToken(authSecret(dir), claims)}` });
  return {
    dir,
    reg,
    operator: await bearer({ role: 'operator', sub: 'ana' }),
    own: await bearer({ role: 'office', office: 'MO-Moscow-12', sub: 'mo12' }),
    other: await bearer({ role: 'office', office: 'MO-Moscow-3', sub: 'mo3' }),
    auditor: await bearer({ role: 'auditor', sub: 'aud' }),
  };
}

test('offices: an operator or the office itself writes its record; another office or an auditor is refused', async (t) => {
  const { reg, operator, own, other, auditor } = await registerWithTokens(t);
  const put = (headers: Record<string, string>, payload: object, office = 'MO-Moscow-12') => reg.app.inject({ method: 'PUT', url: `/v1/offices/${office}`, headers, payload });

  const created = await put(operator, MOSCOW_12);
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(created.json().changes, [1]);
  assert.equal(created.json().office.officeId, 'MO-Moscow-12');
  const again = await put(operator, MOSCOW_12);
  assert.deepEqual([again.statusCode, again.json().changes], [200, []], 'the same record again changes nothing');

  const refused = await put(other, { ...MOSCOW_12, phone: '+7 999 000-00-00' });
  assert.equal(refused.statusCode, 403);
  assert.deepEqual(refused.json(), { error: 'office MO-Moscow-3 may not change the record of office MO-Moscow-12', field: 'office' });
  assert.equal((await put(auditor, MOSCOW_12)).statusCode, 403, 'an auditor reads, never writes');
  assert.equal((await reg.app.inject({ method: 'PUT', url: '/v1/offices/MO-Moscow-12', payload: MOSCOW_12 })).statusCode, 401);

  const byItself = await put(own, { ...MOSCOW_12, phone: '+7 495 600-00-12' });
  assert.deepEqual([byItself.statusCode, byItself.json().changes], [200, [2]], 'the office keeps its own record current');
  const listed = await reg.app.inject({ method: 'GET', url: '/v1/offices', headers: auditor });
  assert.deepEqual(listed.json().offices.map((o: { officeId: string; phone: string }) => [o.officeId, o.phone]), [['MO-Moscow-12', '+7 495 600-00-12']], 'the refused writes left nothing');
  assert.equal((await reg.app.inject({ method: 'GET', url: '/v1/offices/MO-Nowhere-1', headers: auditor })).statusCode, 404);

  const audit = await reg.store.auditAbout(['MO-Moscow-12'], 10);
  assert.deepEqual(audit.map((e) => [e.action, e.actor]), [['office.update', 'office:mo12@MO-Moscow-12'], ['office.create', 'operator:ana']]);
  assert.equal((audit[0]!.detail as { replaced: { phone: string } }).replaced.phone, MOSCOW_12.phone, 'the audit keeps what a write replaced');

  // The change in the feed: entity office, the whole record.
  const feed = await reg.app.inject({ method: 'GET', url: '/v1/exchange/changes?after=0', headers: operator });
  const changes = feed.json().batches.flatMap((b: { changes: { seq: number; entity: string; key: string; body: { phone: string } }[] }) => b.changes);
  assert.deepEqual(changes.map((c: { seq: number; entity: string; key: string }) => [c.seq, c.entity, c.key]), [[1, 'office', 'MO-Moscow-12'], [2, 'office', 'MO-Moscow-12']]);
  assert.equal(changes[1].body.phone, '+7 495 600-00-12');
  assert.equal(feed.json().protocol, 5);
});

test('offices: bad input is a 400 naming the field, and changes nothing', async (t) => {
  const { reg, operator } = await registerWithTokens(t);
  const put = (payload: object, office = 'MO-Moscow-12') => reg.app.inject({ method: 'PUT', url: `/v1/offices/${office}`, headers: operator, payload });
  const cases: [string, object, string, RegExp][] = [
    ['an empty name', { ...MOSCOW_12, name: '  ' }, 'name', /must not be empty/],
    ['no address', { ...MOSCOW_12, address: undefined }, 'address', /./],
    ['a telephone of letters', { ...MOSCOW_12, phone: 'call us' }, 'phone', /telephone number/],
    ['an e-mail without @', { ...MOSCOW_12, email: 'commissariat.example' }, 'email', /e-mail address/],
    ['a website that is a script', { ...MOSCOW_12, web: 'javascript:alert(1)' }, 'web', /https:\/\//],
    ['a deadline of minus days', { ...MOSCOW_12, contestDays: -5 }, 'contestDays', /at least 1/],
    ['a deadline in fractions', { ...MOSCOW_12, contestDays: 1.5 }, 'contestDays', /whole number/],
    ['no way to contest', { ...MOSCOW_12, howToContest: '' }, 'howToContest', /must not be empty/],
    ['a field the record has not', { ...MOSCOW_12, director: 'Ivanov' }, 'director', /not a field/],
  ];
  for (const [what, payload, field, message] of cases) {
    const res = await put(payload);
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
    assert.equal(res.json().field, field, `${what}: names the field (${res.body})`);
    assert.match(res.json().error, message, what);
  }
  const badCode = await put(MOSCOW_12, 'MO Moscow 12!');
  assert.equal(badCode.statusCode, 400);
  assert.equal(badCode.json().field, 'office');
  assert.equal(await reg.store.headSeq(), 0, 'nothing was written');
  assert.deepEqual(await reg.store.offices(), []);
});

async function replicaOf(t: TestContext, dir: string, reg: Awaited<ReturnType<typeof createRegister>>) {
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: url, trustFile: exportRegisterKeys(dir), token: await issueToken(authSecret(dir), { role: 'border' }), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  return replica;
}

test('offices: the record reaches the replica, and the self-check shows the office, how to contest and by when; one without a record says so', async (t) => {
  const { dir, reg, operator } = await registerWithTokens(t);
  await reg.service.upsertPerson(person({ personId: 'OF-1', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: '751000001', country: 'RUS' }], restrictions: [callUp('CU-OF-1', served)] }));
  await reg.service.upsertPerson(
    person({ personId: 'OF-2', dateOfBirth: '1991-02-02', documents: [{ type: 'passport', number: '751000002', country: 'RUS' }], restrictions: [callUp('CU-OF-2', { ...served, office: 'MO-Kazan-1' })] }),
  );
  const replica = await replicaOf(t, dir, reg);
  let address = 0;
  const ask = async (payload: object) => {
    const res = await replica.app.inject({ method: 'POST', url: '/v1/self-check', payload, remoteAddress: `10.3.0.${++address}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const before = await ask({ documentNumber: '751000001', dateOfBirth: '1990-01-01' });
  assert.deepEqual(before.restrictions[0].office, { id: 'MO-Moscow-12', recorded: false }, 'before the record: the code only');

  assert.equal((await reg.app.inject({ method: 'PUT', url: '/v1/offices/MO-Moscow-12', headers: operator, payload: MOSCOW_12 })).statusCode, 201);
  await replica.follower.waitFor(await reg.store.headSeq());
  assert.deepEqual((await replica.store.offices()).map((o) => o.officeId), ['MO-Moscow-12']);

  const mine = await ask({ documentNumber: '751000001', dateOfBirth: '1990-01-01' });
  assert.equal(mine.restricted, true);
  const r = mine.restrictions[0];
  const { howToContest: _how, contestDays: _days, ...contact } = MOSCOW_12;
  assert.deepEqual(r.office, { id: 'MO-Moscow-12', recorded: true, ...contact });
  // Served through the portal on 2 October 2024, in force 7 days later (9 October); 90 days from then.
  assert.equal(r.inForceFrom.slice(0, 10), '2024-10-09');
  assert.deepEqual(r.contest, { how: MOSCOW_12.howToContest, deadline: '2025-01-07', deadlineDays: 90 });

  const other = await ask({ documentNumber: '751000002', dateOfBirth: '1991-02-02' });
  assert.deepEqual(other.restrictions[0].office, { id: 'MO-Kazan-1', recorded: false }, 'an office without a record: its code, no invented details');
  assert.match(other.restrictions[0].contest.how, /issuing office/);
  assert.equal(other.restrictions[0].contest.deadline, undefined);

  // The uniform answer holds: nobody, someone else's document and a wrong date of birth read the same bytes.
  const strip = (a: object) => JSON.stringify(a).replace(/"checkedAt":"[^"]+"/, '');
  const nobody = strip(await ask({ documentNumber: '700000009', dateOfBirth: '1990-01-01' }));
  assert.equal(strip(await ask({ documentNumber: '751000001', dateOfBirth: '1990-01-02' })), nobody);
  assert.deepEqual(Object.keys(mine), ['restricted', 'restrictions', 'deferments', 'rules', 'checkedAt', 'howToContest', 'confirmedNonMatch'], 'the same keys, in the same order');
});
