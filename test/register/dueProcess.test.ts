/**
 * Due process at the register and at the border: no call-up comes into force during a valid deferment,
 * a deferment granted later clears the person at the border, campaigns close at once, expiries end a
 * restriction, and only the border view crosses the exchange.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { ErxError } from '../../src/shared/errors.js';
import { callUp, exportRegisterKeys, person, tempDir } from '../helpers.js';

async function register(t: Parameters<typeof tempDir>[0]) {
  const reg = await createRegister({ dataDir: tempDir(t), auth: false });
  t.after(() => reg.close());
  return reg;
}

const student = { category: 'student', validFrom: '2024-09-01', validTo: '2025-06-30', evidence: 'certificate 42' };

test('D1: service of a call-up during a valid deferment is refused, with the reason, and appends nothing', async (t) => {
  const { service, store } = await register(t);
  await service.upsertPerson(person({ personId: 'D-1', deferments: [student], restrictions: [callUp('CU-D1')] }));
  const head = await store.headSeq();
  await assert.rejects(service.recordService('CU-D1', '2025-06-30T23:59:59.000Z', 'in-person'), (e: unknown) => {
    assert.ok(e instanceof ErxError && e.status === 409);
    assert.match(e.message, /holds a deferment \(student, valid 2024-09-01 to 2025-06-30\)/);
    return true;
  });
  assert.equal(await store.headSeq(), head, 'nothing reached the change log');
  const ok = await service.recordService('CU-D1', '2025-07-01T00:00:00.000Z', 'in-person');
  assert.equal(ok.restriction.inForceFrom, '2025-07-01T00:00:00.000Z', 'the day after the deferment ends');
});

test('D1 by portal: the deemed in-force date is what counts, and an import line breaking it is refused', async (t) => {
  const { service } = await register(t);
  await service.upsertPerson(person({ personId: 'D-2', deferments: [{ ...student, validFrom: '2025-02-07' }], restrictions: [callUp('CU-D2')] }));
  // Posted 2025-02-01: deemed served 2025-02-08, inside the deferment.
  await assert.rejects(service.recordService('CU-D2', '2025-02-01T10:00:00.000Z', 'portal'), /cannot come into force on 2025-02-08/);
  const results = await service.upsertPersons([
    person({ personId: 'D-3', deferments: [student], restrictions: [callUp('CU-D3', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'post' })] }),
  ]);
  assert.ok(results[0] instanceof ErxError && results[0].field === 'restrictions.0.servedAt');
});

test('a lift for deferment, a campaign closed at once, and an office kept to its own campaign', async (t) => {
  const { service, store } = await register(t);
  for (let i = 0; i < 5; i++) {
    await service.upsertPerson(person({ personId: `C-${i}`, restrictions: [callUp(`CU-C${i}`, { campaign: 'AUTUMN-2024', ...(i < 4 ? { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'post' } : {}) })] }));
  }
  await service.lift('CU-C0', '2024-10-05T00:00:00.000Z', 'deferment');
  const closed = await service.closeCampaign('AUTUMN-2024', '2024-12-31T00:00:00.000Z', 'cancellation');
  assert.deepEqual({ lifted: closed.lifted, alreadyLifted: closed.alreadyLifted }, { lifted: 4, alreadyLifted: 1 });
  for (let i = 1; i < 5; i++) assert.equal((await store.getRestriction(`CU-C${i}`))!.liftReason, 'cancellation');
  await assert.rejects(service.closeCampaign('NO-SUCH', '2024-12-31T00:00:00.000Z', 'cancellation'), /no restrictions/);
  await service.upsertPerson(person({ personId: 'C-9', restrictions: [callUp('CU-C9', { campaign: 'SPRING-2025' })] }));
  await assert.rejects(
    service.closeCampaign('SPRING-2025', '2025-06-01T00:00:00.000Z', 'cancellation', 'office:x', () => {
      throw new ErxError(403, 'office MO-2 may not write restrictions of office MO-Moscow-12');
    }),
    /may not write/,
  );
  assert.equal((await store.getRestriction('CU-C9'))!.liftedAt, undefined, 'refused whole: nothing lifted');
});

test('least data: evidence, sex, issue and review dates, service channel, delivery and campaign never cross the exchange', async (t) => {
  const { service, store } = await register(t);
  await service.upsertPerson(
    person({
      personId: 'L-1',
      sex: 'M',
      deferments: [{ category: 'health', validFrom: '2020-01-01', validTo: '2020-06-30', evidence: 'medical board 7/2020' }],
      restrictions: [callUp('CU-L1', { campaign: 'AUTUMN-2024', reviewAt: '2025-10-01T00:00:00Z', servedAt: '2024-10-01T09:00:00Z', serviceChannel: 'portal', deliveredAt: '2024-10-02T09:00:00Z' })],
    }),
  );
  const crossed: string[] = [];
  for (const b of await store.batchesAfter(0, 100)) for (const c of b.changes) crossed.push(JSON.stringify(c.body));
  for await (const line of store.snapshot()) crossed.push(JSON.stringify(line));
  const all = crossed.join('\n');
  for (const secret of ['medical board', '"sex"', 'issuedAt', 'reviewAt', 'serviceChannel', 'deliveredAt', 'AUTUMN-2024', 'evidence']) {
    assert.ok(!all.includes(secret), `${secret} stayed in the register`);
  }
  assert.match(all, /"inForceFrom":"2024-10-02T09:00:00.000Z"/, 'the border gets the in-force instant the rules gave');
});

test('at the border: a deferment granted after service clears the person; an expired restriction does not count', async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const op = { authorization: `Bearer ${await issueToken(authSecret(regDir), { role: 'operator' })}` };
  const post = (path: string, payload: unknown) => reg.app.inject({ method: 'POST', url: path, headers: op, payload: payload as object });
  await post('/v1/persons', person({ personId: 'B-1', surname: 'Хабибуллин', givenNames: 'Артём', dateOfBirth: '2004-07-15', restrictions: [callUp('CU-B1', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'post' })] }));
  await post('/v1/persons', person({ personId: 'B-2', surname: 'Петров', givenNames: 'Пётр', dateOfBirth: '1990-01-01', restrictions: [callUp('CU-B2', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'post', expiresAt: '2025-01-01T00:00:00Z' })] }));

  const borderDir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: borderDir, registerUrl: url, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border' }), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  const head = await reg.store.headSeq();
  await replica.follower.waitFor(head);
  const checkpoint = { authorization: `Bearer ${await issueToken(authSecret(borderDir), { role: 'checkpoint' })}` };
  const screen = async (q: object) => (await replica.app.inject({ method: 'POST', url: '/v1/screenings', headers: checkpoint, payload: q })).json();

  assert.equal((await screen({ surname: 'KHABIBULLIN', givenNames: 'ARTEM', dateOfBirth: '2004-07-15' })).decision, 'hit');
  // A deferment is granted after the notice was served; the notice itself stays at the border.
  const today = new Date().toISOString().slice(0, 10);
  const until = `${new Date().getUTCFullYear() + 2}-06-30`;
  await post('/v1/persons', person({ personId: 'B-1', surname: 'Хабибуллин', givenNames: 'Артём', dateOfBirth: '2004-07-15', deferments: [{ category: 'student', validFrom: today, validTo: until }] }));
  await replica.follower.waitFor(await reg.store.headSeq());
  const cleared = await screen({ surname: 'KHABIBULLIN', givenNames: 'ARTEM', dateOfBirth: '2004-07-15' });
  assert.equal(cleared.decision, 'clear');
  assert.equal(cleared.reasons[0].status, 'deferred');
  assert.match(cleared.reasons[0].detail, new RegExp(`deferment student until ${until}`));

  const expired = await screen({ surname: 'PETROV', givenNames: 'PETR', dateOfBirth: '1990-01-01' });
  assert.equal(expired.decision, 'clear');
  assert.equal(expired.reasons[0].status, 'expired');
});

test('self-check: a person learns their own status and how to contest it; nothing about anyone else; rate-limited', async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const op = { authorization: `Bearer ${await issueToken(authSecret(regDir), { role: 'operator' })}` };
  await reg.app.inject({ method: 'POST', url: '/v1/persons', headers: op, payload: person({ personId: 'S-1', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }], restrictions: [callUp('CU-S1', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'post' })] }) });
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: url, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border' }), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  const check = (payload: object) => replica.app.inject({ method: 'POST', url: '/v1/self-check', payload });

  const mine = (await check({ documentNumber: '751234567', dateOfBirth: '1999-03-04' })).json();
  assert.equal(mine.restricted, true);
  assert.equal(mine.restrictions[0].basis, 'Call-up notice CU-S1, art. 31');
  assert.deepEqual(mine.restrictions[0].office, { id: 'MO-Moscow-12', recorded: false }, 'no record of the office: its code, and no invented details');
  assert.match(mine.restrictions[0].contest.how, /issuing office/);
  assert.match(mine.howToContest, /deferment/);
  const wrongDob = (await check({ documentNumber: '751234567', dateOfBirth: '1999-03-05' })).json();
  const nobody = (await check({ documentNumber: '700000000', dateOfBirth: '1999-03-04' })).json();
  const strip = (x: { checkedAt?: string }) => ({ ...x, checkedAt: undefined });
  assert.deepEqual(strip(wrongDob), strip(nobody), 'a wrong date of birth tells nothing more than an unknown document');
  assert.equal(nobody.restricted, false);
  assert.equal((await check({ documentNumber: '751234567', dateOfBirth: '1999' })).statusCode, 400);
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await check({ documentNumber: '700000000', dateOfBirth: '1999-03-04' })).statusCode);
  assert.ok(statuses.includes(429), `rate-limited: ${statuses.join(',')}`);
});

test('an exemption, like a deferment, keeps a call-up from coming into force, and is named as such', async (t) => {
  const { service, store } = await register(t);
  await service.upsertPerson(person({ personId: 'E-1', deferments: [{ kind: 'exemption', category: 'health', validFrom: '2020-01-01', validTo: '2099-12-31', evidence: 'board 12/2020' }], restrictions: [callUp('CU-E1')] }));
  await assert.rejects(service.recordService('CU-E1', '2024-10-02T10:00:00.000Z', 'post'), /holds an exemption \(health, valid 2020-01-01 to 2099-12-31\)/);
  const view = (await store.batchesAfter(0, 10))[0]!.changes[0]!.body as { deferments: unknown[] };
  assert.deepEqual(view.deferments, [{ kind: 'exemption', category: 'health', validFrom: '2020-01-01', validTo: '2099-12-31' }], 'the evidence stays home');
});
