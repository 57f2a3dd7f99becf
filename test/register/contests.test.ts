/**
 * Contests and reviews over the register's HTTP API: the public routes (rate-limited per address,
 * one 404 for any wrong identification), the office's answer (its own office only, once), reviews,
 * and bad input answered 400 with the field named.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRegister } from '../../src/app/registerServer.js';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { callUp, tempDir } from '../helpers.js';

const ID = { documentNumber: '751234567', dateOfBirth: '1999-03-04' };
const follow = (caseNumber: string, who: { documentNumber: string; dateOfBirth: string } = ID) => ({
  method: 'GET' as const,
  url: `/v1/contests/${caseNumber}`,
  headers: { 'erx-document-number': who.documentNumber, 'erx-date-of-birth': who.dateOfBirth },
});

async function registerWithPerson(t: TestContext, rules?: object) {
  const dir = tempDir(t);
  if (rules) writeFileSync(join(dir, 'due-process.json'), JSON.stringify(rules));
  const reg = await createRegister({ dataDir: dir, expiryEveryMs: 3_600_000 });
  t.after(() => reg.close());
  const bearer = async (claims: Parameters<typeof issueToken>[1]) => ({ authorization: `Bearer ${await issueToken(authSecret(dir), claims)}` });
  const headers = {
    operator: await bearer({ role: 'operator', sub: 'root' }),
    a: await bearer({ role: 'office', office: 'MO-A', sub: 'clerk-a' }),
    b: await bearer({ role: 'office', office: 'MO-B', sub: 'clerk-b' }),
    border: await bearer({ role: 'border', sub: 'centre' }),
  };
  const as = (who: keyof typeof headers, method: 'GET' | 'POST', url: string, payload?: object) => reg.app.inject({ method, url, headers: headers[who], ...(payload ? { payload } : {}) });
  const personRes = await as('operator', 'POST', '/v1/persons', {
    personId: 'P-1',
    surname: 'Иванов',
    givenNames: 'Юрий',
    dateOfBirth: ID.dateOfBirth,
    documents: [{ type: 'passport', number: ID.documentNumber, country: 'RUS' }],
    restrictions: [callUp('CU-A1', { office: 'MO-A', servedAt: '2026-11-01T10:00:00Z', serviceChannel: 'in-person' })],
  });
  assert.equal(personRes.statusCode, 200, personRes.body);
  return { reg, as, headers };
}

const filing = (over: object = {}) => ({ ...ID, contact: 'ivanov@example.org', reason: 'The notice was served on my namesake.', ...over });

test('a person files a contest, follows it, the office answers upheld: the restriction is lifted; a second answer is 409', async (t) => {
  const { reg, as } = await registerWithPerson(t);
  const filed = await reg.app.inject({ method: 'POST', url: '/v1/contests', payload: filing() });
  assert.equal(filed.statusCode, 201, filed.body);
  const { caseNumber, state, deadline, office } = filed.json();
  assert.match(caseNumber, /^C-\d{4}-[A-Z2-7]{16}$/);
  assert.deepEqual([state, office], ['open', 'MO-A']);
  assert.ok(Date.parse(deadline) - Date.now() > 6.9 * 86_400_000, 'the default deadline: 7 days');
  assert.equal((await reg.app.inject(follow(caseNumber))).json().state, 'open');

  const list = await as('a', 'GET', '/v1/contests?state=open');
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json().contests.map((c: { caseNumber: string; contact: string }) => [c.caseNumber, c.contact]), [[caseNumber, 'ivanov@example.org']]);
  assert.equal(list.json().open, 1);
  assert.deepEqual((await as('b', 'GET', '/v1/contests')).json().contests, [], "office B does not see office A's contests");

  const byB = await as('b', 'POST', `/v1/contests/${caseNumber}/answer`, { decision: 'rejected', reasons: 'no' });
  assert.equal(byB.statusCode, 403);
  assert.match(byB.json().error, /office MO-B may not answer contests of restrictions of office MO-A/);
  const upheld = await as('a', 'POST', `/v1/contests/${caseNumber}/answer`, { decision: 'upheld', reasons: 'Served on a namesake; cancelled.' });
  assert.equal(upheld.statusCode, 200, upheld.body);
  assert.equal(upheld.json().state, 'upheld');
  const r = (await as('a', 'GET', '/v1/restrictions/CU-A1')).json();
  assert.equal(r.liftReason, 'cancellation');
  const again = await as('operator', 'POST', `/v1/contests/${caseNumber}/answer`, { decision: 'rejected', reasons: 'changed my mind' });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().field, 'caseNumber');
  const seen = (await reg.app.inject(follow(caseNumber))).json();
  assert.deepEqual([seen.state, seen.decision, seen.reasons], ['upheld', 'upheld', 'Served on a namesake; cancelled.']);
  assert.equal(seen.contact, undefined, 'the public answer carries nothing beyond the case');
  // Lifted: nothing open is left to contest, answered like an unknown person.
  const none = await reg.app.inject({ method: 'POST', url: '/v1/contests', payload: filing() });
  assert.equal(none.statusCode, 404);
});

test('a wrong identification is the one 404, whatever is wrong; filing reveals no more than the self-check', async (t) => {
  const { reg } = await registerWithPerson(t);
  const { caseNumber } = (await reg.app.inject({ method: 'POST', url: '/v1/contests', payload: filing() })).json();
  const wrong = [
    follow(caseNumber, { ...ID, dateOfBirth: '1999-03-05' }),
    follow(caseNumber, { ...ID, documentNumber: '751234568' }),
    follow('C-2026-AAAAAAAAAAAAAAAA'),
  ];
  const answers = await Promise.all(wrong.map((req) => reg.app.inject(req)));
  for (const res of answers) assert.equal(res.statusCode, 404);
  assert.equal(new Set(answers.map((r) => r.body)).size, 1, 'the same words for each');
  const files = await Promise.all([filing({ dateOfBirth: '1999-03-05' }), filing({ documentNumber: '111' }), filing({ restrictionId: 'CU-OTHER' })].map((payload) => reg.app.inject({ method: 'POST', url: '/v1/contests', payload })));
  for (const res of files) assert.equal(res.statusCode, 404);
  assert.equal(new Set(files.map((r) => r.body)).size, 1);
});

test('bad input is 400 naming the field; the identification of a follow is read from headers', async (t) => {
  const { reg, as } = await registerWithPerson(t);
  const cases: [object, string][] = [
    [filing({ dateOfBirth: '1999-02-30' }), 'dateOfBirth'],
    [filing({ dateOfBirth: '1999' }), 'dateOfBirth'],
    [filing({ documentNumber: '75 12' }), 'documentNumber'],
    [filing({ contact: 'nobody' }), 'contact'],
    [filing({ reason: '   ' }), 'reason'],
    [filing({ extra: 1 }), 'extra'],
    [{ ...ID, reason: 'x' }, 'contact'],
  ];
  for (const [payload, field] of cases) {
    const res = await reg.app.inject({ method: 'POST', url: '/v1/contests', payload });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal(res.json().field, field, JSON.stringify(payload));
  }
  const noHeaders = await reg.app.inject({ method: 'GET', url: '/v1/contests/C-2026-AAAAAAAAAAAAAAAA' });
  assert.equal(noHeaders.statusCode, 400);
  assert.equal(noHeaders.json().field, 'documentNumber');
  assert.match(noHeaders.json().error, /Erx-Document-Number/);
  assert.equal((await reg.app.inject({ method: 'GET', url: '/v1/contests/12345', headers: follow('x').headers })).json().field, 'caseNumber');
  const { caseNumber } = (await reg.app.inject({ method: 'POST', url: '/v1/contests', payload: filing() })).json();
  const badAnswer = await as('a', 'POST', `/v1/contests/${caseNumber}/answer`, { decision: 'maybe', reasons: 'x' });
  assert.equal(badAnswer.statusCode, 400);
  assert.equal(badAnswer.json().field, 'decision');
  assert.equal((await as('a', 'POST', `/v1/contests/${caseNumber}/answer`, { decision: 'rejected' })).json().field, 'reasons');
  const badReview = await as('a', 'POST', '/v1/restrictions/CU-A1/review', { note: 'ok', extendUntil: 'next year' });
  assert.equal(badReview.statusCode, 400);
  assert.equal(badReview.json().field, 'extendUntil');
  assert.equal((await as('a', 'GET', '/v1/reviews/due?withinDays=-1')).json().field, 'withinDays');
});

test('the public routes are rate-limited per address; a replica forwarding with its token is not counted', async (t) => {
  const { reg, headers } = await registerWithPerson(t);
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await reg.app.inject({ ...follow('C-2026-AAAAAAAAAAAAAAAA'), remoteAddress: '10.9.9.9' })).statusCode);
  assert.deepEqual(statuses, [...Array(10).fill(404), 429]);
  const limited = await reg.app.inject({ method: 'POST', url: '/v1/contests', payload: filing(), remoteAddress: '10.9.9.9' });
  assert.equal(limited.statusCode, 201, 'filing has a limit of its own');
  const other = await reg.app.inject({ ...follow('C-2026-AAAAAAAAAAAAAAAA'), remoteAddress: '10.9.9.8' });
  assert.equal(other.statusCode, 404, 'another address is not held back');
  for (let i = 0; i < 12; i++) {
    const forwarded = await reg.app.inject({ ...follow('C-2026-AAAAAAAAAAAAAAAA'), headers: { ...follow('x').headers, ...headers.border }, remoteAddress: '10.9.9.7' });
    assert.equal(forwarded.statusCode, 404, `forwarded request ${i + 1}`);
  }
  const over = await reg.app.inject({ ...follow('C-2026-AAAAAAAAAAAAAAAA'), remoteAddress: '10.9.9.9' });
  assert.equal(over.statusCode, 429);
  assert.match(over.json().error, /at most 10 contest look-ups a minute/);
});

test('reviews: due list per office, an office reviews its own only, the review moves the deadline and is audited', async (t) => {
  const { as } = await registerWithPerson(t, { reviewIntervalDays: { 'call-up': 45 }, reviewNoticeDays: 30 });
  // Served 2026-11-01: due 45 days on (2026-12-16), within the 30-day notice from today.
  const due = await as('a', 'GET', '/v1/reviews/due');
  assert.equal(due.statusCode, 200);
  assert.deepEqual(due.json().restrictions.map((d: { restriction: { restrictionId: string }; reviewDeadline: string }) => [d.restriction.restrictionId, d.reviewDeadline]), [['CU-A1', '2026-12-16T10:00:00.000Z']]);
  assert.deepEqual((await as('b', 'GET', '/v1/reviews/due')).json().restrictions, []);
  assert.equal((await as('b', 'POST', '/v1/restrictions/CU-A1/review', { note: 'mine now' })).statusCode, 403);
  const reviewed = await as('a', 'POST', '/v1/restrictions/CU-A1/review', { note: 'Court hearing pending', extendUntil: '2027-01-15T00:00:00Z' });
  assert.equal(reviewed.statusCode, 200, reviewed.body);
  assert.equal(reviewed.json().restriction.reviewAt, '2027-01-15T00:00:00.000Z');
  assert.equal(reviewed.json().review.reviewedBy, 'office:clerk-a@MO-A');
  assert.equal((await as('a', 'GET', '/v1/reviews/due?withinDays=10')).json().restrictions.length, 0, 'no longer due within 10 days');
  assert.equal((await as('a', 'POST', '/v1/restrictions/NOPE/review', { note: 'x' })).statusCode, 404);
  const metrics = await as('operator', 'GET', '/metrics');
  assert.match(metrics.body, /erx_register_contests_open\{[^}]*\} 0\n/);
  assert.match(metrics.body, /erx_register_contests_overdue\{[^}]*\} 0\n/);
  assert.match(metrics.body, /erx_register_restrictions_due_for_review\{[^}]*\} 0\n/);
});

test('a bad due-process rules file stops the register with the file and field named', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'due-process.json'), JSON.stringify({ contestDeadlineDays: { 'call-up': 'seven' } }));
  await assert.rejects(createRegister({ dataDir: dir }), /due-process\.json: contestDeadlineDays\.call-up:/);
});
