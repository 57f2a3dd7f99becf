/**
 * The self-check tells nobody anything about anyone else — not by its content, its form or its timing:
 * for a document nobody holds, a document whose holder has another date of birth (a restricted
 * person, not the asker), and an asker listed without any restriction, the answer is the same JSON,
 * key for key and in the same order, and takes about as long. Its 429 says "too many requests".
 */
import { type TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { ANSWER_FLOOR_MS } from '../../src/border/selfCheck.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';

async function replicaWith(t: TestContext) {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person({ personId: 'SC-R', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: '751000001', country: 'RUS' }], restrictions: [callUp('CU-SC', served)] }));
  await reg.service.upsertPerson(person({ personId: 'SC-P', dateOfBirth: '1991-02-02', documents: [{ type: 'passport', number: '751000002', country: 'RUS' }] }));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: url, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border' }), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  return replica;
}

const CASES = {
  absent: { documentNumber: '700000009', dateOfBirth: '1990-01-01' },
  'restricted, not the asker': { documentNumber: '751000001', dateOfBirth: '1990-01-02' },
  'present, no restriction': { documentNumber: '751000002', dateOfBirth: '1991-02-02' },
} as const;

test('self-check: absent, restricted-but-not-the-asker and present-without-restriction answer the same JSON, in the same key order', async (t) => {
  const replica = await replicaWith(t);
  let address = 0;
  const ask = async (payload: object) => {
    const res = await replica.app.inject({ method: 'POST', url: '/v1/self-check', payload, remoteAddress: `10.1.0.${++address}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  };
  const bodies = Object.fromEntries(await Promise.all(Object.entries(CASES).map(async ([name, payload]) => [name, (await ask(payload)).replace(/"checkedAt":"[^"]+"/, '"checkedAt":"…"')] as const)));
  assert.deepEqual(Object.keys(JSON.parse(bodies.absent!)), ['restricted', 'restrictions', 'deferments', 'rules', 'checkedAt', 'howToContest', 'confirmedNonMatch']);
  assert.equal(bodies['restricted, not the asker'], bodies.absent, 'a wrong date of birth: the same bytes as nobody');
  assert.equal(bodies['present, no restriction'], bodies.absent, 'listed without a restriction: the same bytes as nobody');

  // The restricted person themself gets their answer — in the same shape.
  const own = JSON.parse(await ask({ documentNumber: '751000001', dateOfBirth: '1990-01-01' }));
  assert.deepEqual(Object.keys(own), Object.keys(JSON.parse(bodies.absent!)));
  assert.equal(own.restricted, true);
  assert.equal(own.restrictions[0].restrictionId, 'CU-SC');
});

test('self-check: the three cases take about as long (medians within a factor), none answered before the floor', async (t) => {
  const replica = await replicaWith(t);
  let address = 0;
  const timeOne = async (payload: object) => {
    const started = performance.now();
    const res = await replica.app.inject({ method: 'POST', url: '/v1/self-check', payload, remoteAddress: `10.2.${Math.floor(++address / 200)}.${address % 200}` });
    const ms = performance.now() - started;
    assert.equal(res.statusCode, 200, res.body);
    return ms;
  };
  const names = Object.keys(CASES) as (keyof typeof CASES)[];
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < 15; round++) for (const name of names) samples[name]!.push(await timeOne(CASES[name]));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const medians = names.map((n) => median(samples[n]!));
  t.diagnostic(`median ms: ${names.map((n, i) => `${n} ${medians[i]!.toFixed(2)}`).join(', ')}`);
  for (const [i, name] of names.entries()) assert.ok(Math.min(...samples[name]!) >= ANSWER_FLOOR_MS - 1, `${name}: answered before the floor (${Math.min(...samples[name]!).toFixed(2)} ms, floor ${ANSWER_FLOOR_MS} ms; median ${medians[i]!.toFixed(2)})`);
  assert.ok(Math.max(...medians) <= 1.5 * Math.min(...medians), `medians within a factor of 1.5: ${medians.map((m) => m.toFixed(2)).join(', ')}`);
});

test('self-check: the limit answers 429 "too many requests", saying when to retry', async (t) => {
  const replica = await replicaWith(t);
  const statuses: number[] = [];
  let last: Awaited<ReturnType<typeof replica.app.inject>> | undefined;
  for (let i = 0; i < 11; i++) {
    last = await replica.app.inject({ method: 'POST', url: '/v1/self-check', payload: CASES.absent, remoteAddress: '10.3.0.1' });
    statuses.push(last.statusCode);
  }
  assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
  assert.match(last!.json().error, /^too many requests\b/);
  assert.match(last!.json().error, /try again in \d+ s/);
  assert.ok(Number(last!.headers['retry-after']) > 0, `retry-after: ${String(last!.headers['retry-after'])}`);
  assert.equal((await replica.app.inject({ method: 'POST', url: '/v1/self-check', payload: CASES.absent, remoteAddress: '10.3.0.2' })).statusCode, 200, 'another address is not limited');
});
