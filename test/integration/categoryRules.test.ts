/**
 * Category-wide rules end to end: issued, amended and revoked through the register's API, carried by
 * the signed exchange, screened at a replica beside the list — including a revocation made while the
 * checkpoint is offline, and exemptions matched by document or by identity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { localDate } from '../../src/domain/rules.js';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { callUp, exportRegisterKeys, mobilisationRule, person, tempDir } from '../helpers.js';

const ZONE = 'Asia/Vladivostok';

function yearsBefore(day: string, years: number, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y - years, m - 1, d + plusDays));
  return date.toISOString().slice(0, 10);
}

test('a category-wide rule: hit in scope, clear out of scope or exempt, both reasons with the list, versions, revocation while offline', async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const operator = { authorization: `Bearer ${await issueToken(authSecret(regDir), { role: 'operator' })}` };
  const send = (method: 'POST' | 'PUT' | 'GET', path: string, payload?: unknown, headers = operator) =>
    reg.app.inject({ method, url: path, headers, ...(payload ? { payload: payload as object } : {}) });

  const today = localDate(new Date(), ZONE);
  const until = yearsBefore(today, -3);
  await send('POST', '/v1/persons', person({ personId: 'E-1', surname: 'Соколов', givenNames: 'Дмитрий', dateOfBirth: '1990-05-05', documents: [{ type: 'passport', number: '761234567', country: 'RUS' }], deferments: [{ kind: 'exemption', category: 'health', validFrom: '2020-01-01', validTo: until, evidence: 'board 12/2020' }] }));
  await send('POST', '/v1/persons', person({ personId: 'L-1', surname: 'Лебедев', givenNames: 'Олег', dateOfBirth: '1985-01-01', documents: [{ type: 'passport', number: '762000001', country: 'RUS' }], restrictions: [callUp('CU-L1', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'post' })] }));

  const rule = mobilisationRule({ validFrom: '2020-01-01' });
  const issued = await send('POST', '/v1/rules', rule);
  assert.equal(issued.statusCode, 201, issued.body);
  assert.equal(issued.json().rule.version, 1);
  assert.equal((await send('POST', '/v1/rules', rule)).statusCode, 200, 'issuing the same rule again is a no-op');

  // Bad input is refused with the field named; nothing reaches the log.
  const head = await reg.store.headSeq();
  const backwards = await send('POST', '/v1/rules', { ...rule, ruleId: 'R-BAD', scope: { ...rule.scope, ageFrom: 61, ageTo: 18 } });
  assert.equal(backwards.statusCode, 400);
  assert.equal(backwards.json().field, 'scope.ageTo');
  const category = await send('POST', '/v1/rules', { ...rule, ruleId: 'R-BAD', exemptCategories: ['astronaut'] });
  assert.equal(category.statusCode, 400);
  assert.match(category.json().field, /^exemptCategories/);
  const checkpointAtRegister = { authorization: `Bearer ${await issueToken(authSecret(regDir), { role: 'office', office: 'MO-1' })}` };
  assert.equal((await send('POST', '/v1/rules', { ...rule, ruleId: 'R-OFFICE' }, checkpointAtRegister)).statusCode, 403, 'an office does not issue national rules');
  assert.equal(await reg.store.headSeq(), head);

  const borderDir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: borderDir, registerUrl: url, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border' }), longPollMs: 200, timeZone: ZONE });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  const checkpoint = { authorization: `Bearer ${await issueToken(authSecret(borderDir), { role: 'checkpoint' })}` };
  const screen = async (q: object) => {
    const res = await replica.app.inject({ method: 'POST', url: '/v1/screenings', headers: checkpoint, payload: q });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const man = (dateOfBirth: string, more: object = {}) => ({ surname: 'KUZNETSOV', givenNames: 'ANTON', dateOfBirth, nationality: 'RUS', sex: 'M', ...more });

  const hit = await screen(man('1991-02-03'));
  assert.equal(hit.decision, 'hit');
  assert.equal(hit.crossingDate, today);
  assert.equal(hit.timeZone, ZONE);
  assert.deepEqual([hit.reasons[0].source, hit.reasons[0].ruleId, hit.reasons[0].ruleVersion, hit.reasons[0].status], ['rule', 'R-MOB', 1, 'in-scope']);
  assert.equal((await screen(man('1991-02-03', { sex: 'F' }))).decision, 'clear');
  assert.equal((await screen(man('1991-02-03', { nationality: 'KAZ' }))).decision, 'clear');
  assert.equal((await screen(man('1991-02-03', { sex: 'X' }))).decision, 'refer', 'sex unspecified: an officer decides');
  assert.equal((await screen(man(yearsBefore(today, 18, 1)))).decision, 'clear', 'turns 18 tomorrow');
  assert.equal((await screen(man(yearsBefore(today, 18)))).decision, 'hit', '18 today');
  assert.equal((await screen(man(yearsBefore(today, 61, 1)))).decision, 'hit', 'turns 61 tomorrow: still 60');
  assert.equal((await screen(man(yearsBefore(today, 61)))).decision, 'clear', '61 today');

  // Exemptions: by the MRZ (document, name, date of birth) and by identity alone.
  const mrz = td3({ surname: 'Соколов', givenNames: 'Дмитрий', documentNumber: '761234567', country: 'RUS', dateOfBirth: '1990-05-05', sex: 'M', expires: '2031-01-01' });
  const exempt = await screen({ mrz });
  assert.equal(exempt.decision, 'clear');
  assert.deepEqual([exempt.reasons[0].status, exempt.reasons[0].exemption.personId, exempt.reasons[0].exemption.category], ['exempt', 'E-1', 'health']);
  assert.equal((await screen({ surname: 'SOKOLOV', givenNames: 'DMITRII', dateOfBirth: '1990-05-05', nationality: 'RUS', sex: 'M' })).decision, 'clear', 'exempt by identity, no document');

  // The self-check answers rules for anyone (public law) and the person's own exemption.
  const selfCheck = async (payload: object) => (await replica.app.inject({ method: 'POST', url: '/v1/self-check', payload })).json();
  const mine = await selfCheck({ documentNumber: '761234567', dateOfBirth: '1990-05-05', sex: 'M', nationality: 'RUS' });
  assert.equal(mine.restricted, false);
  assert.deepEqual([mine.rules[0].ruleId, mine.rules[0].status], ['R-MOB', 'exempt']);
  const stranger = await selfCheck({ documentNumber: '700000001', dateOfBirth: '1991-02-03', sex: 'M', nationality: 'RUS' });
  assert.equal(stranger.restricted, true);
  assert.equal(stranger.rules[0].status, 'in-scope');
  assert.equal((await selfCheck({ documentNumber: '700000001', dateOfBirth: '1991-02-03' })).rules[0].status, 'scope-unclear', 'without sex and nationality the page cannot say');

  // A listed person in scope: both reasons, list and rule.
  const both = await screen({ surname: 'LEBEDEV', givenNames: 'OLEG', dateOfBirth: '1985-01-01', documentNumber: '762000001', nationality: 'RUS', sex: 'M' });
  assert.equal(both.decision, 'hit');
  assert.deepEqual(both.reasons.map((r: { source: string }) => r.source).sort(), ['list', 'rule']);

  // An amendment is a new version, and the screening names it.
  const amended = await send('PUT', '/v1/rules/R-MOB', { ...rule, ruleId: undefined, scope: { ...rule.scope, ageTo: 50 } });
  assert.equal(amended.statusCode, 200, amended.body);
  assert.equal(amended.json().rule.version, 2);
  await replica.follower.waitFor(await reg.store.headSeq());
  assert.equal((await screen(man('1991-02-03'))).reasons[0].ruleVersion, 2);
  assert.equal((await screen(man(yearsBefore(today, 55)))).decision, 'clear', 'out of the amended range');

  // Revoked while the checkpoint is offline: it keeps the rule until it hears, then the relief arrives.
  await replica.follower.exclusive(async () => {
    const revoked = await send('POST', '/v1/rules/R-MOB/revoke', { revokedAt: new Date().toISOString() });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().rule.version, 3);
    assert.equal((await screen(man('1991-02-03'))).decision, 'hit', 'offline: the replica has not heard');
  });
  await replica.follower.waitFor(await reg.store.headSeq());
  const after = await screen(man('1991-02-03'));
  assert.equal(after.decision, 'clear');
  assert.deepEqual(after.reasons, []);
  assert.equal((await send('PUT', '/v1/rules/R-MOB', { ...rule, ruleId: undefined })).statusCode, 409, 'a revoked rule is not amended');

  const history = (await send('GET', '/v1/rules/R-MOB')).json();
  assert.deepEqual(history.versions.map((v: { version: number }) => v.version), [1, 2, 3]);
  assert.ok(history.revokedAt);
  const audit = (await replica.app.inject({ method: 'GET', url: '/v1/screenings?limit=500', headers: { authorization: `Bearer ${await issueToken(authSecret(borderDir), { role: 'auditor' })}` } })).json();
  assert.ok(
    JSON.stringify(audit).includes('"ruleId":"R-MOB","ruleVersion":2'),
    'the audit records which version of which rule decided',
  );
});
