/**
 * GET /v1/restrictions/{id}/reach: the lift's change against each following replica's cursor, from the
 * register's view of its feed (console/reach.ts). The pure count first, then the route: who may ask, a
 * restriction that is not there, and the newest change taken from the audit trail when none is named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createRegister } from '../../src/app/registerServer.js';
import type { FollowerView } from '../../src/console/followers.js';
import { reachOf } from '../../src/console/reach.js';
import { callUp, person, served, tempDir } from '../helpers.js';

const follower = (client: string, cursor: number, role: string | null = 'border'): FollowerView => ({
  client,
  role,
  address: '10.0.0.1',
  cursor,
  firstSeenAt: '2026-12-07T10:00:00.000Z',
  lastContactAt: '2026-12-07T10:00:05.000Z',
  waiting: true,
  requests: 3,
  lastStatus: 200,
  lastSnapshotAt: null,
  lastDigestAt: null,
});

test('reach: a follower has applied the change once its cursor is at or past it; an operator reading the feed is no replica', () => {
  const followers = [follower('east@10.0.0.1', 7), follower('west@10.0.0.2', 6), follower('north@10.0.0.3', 9), follower('ana@10.0.0.9', 9, 'operator')];
  const reach = reachOf('CU-1', 7, 9, followers, new Date('2026-12-07T10:00:06.000Z'));
  assert.deepEqual(
    reach.followers.map((f) => [f.name, f.appliedSeq, f.applied]),
    [
      ['east@10.0.0.1', 7, true],
      ['west@10.0.0.2', 6, false],
      ['north@10.0.0.3', 9, true],
    ],
  );
  assert.deepEqual([reach.applied, reach.total, reach.seq, reach.registerSeq], [2, 3, 7, 9]);
  assert.deepEqual([reachOf('CU-1', null, 9, followers).applied, reachOf('CU-1', null, 9, followers).total], [0, 3], 'no change at the border yet: nobody has applied it');
  assert.deepEqual([reachOf('CU-1', 1, 9, []).applied, reachOf('CU-1', 1, 9, []).total], [0, 0]);
});

test('reach: the route answers office, operator and auditor; the newest change of the restriction by default; 404 for an unknown one; a bad seq is a 400', async (t) => {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person({ personId: 'RC-1', restrictions: [callUp('CU-RC-1', served)] }));
  const lifted = await reg.service.lift('CU-RC-1', '2026-01-01T00:00:00.000Z', 'cancellation');
  const as = async (role: 'operator' | 'office' | 'auditor' | 'checkpoint', url: string) =>
    reg.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await issueToken(authSecret(dir), { role, office: 'MO-Other-1' })}` } });
  for (const role of ['operator', 'office', 'auditor'] as const) {
    const res = await as(role, '/v1/restrictions/CU-RC-1/reach');
    assert.equal(res.statusCode, 200, `${role}: ${res.body}`);
    assert.deepEqual([res.json().seq, res.json().applied, res.json().total], [lifted.changes[0], 0, 0], 'the lift is the newest change; no replica follows');
  }
  assert.equal((await as('checkpoint', '/v1/restrictions/CU-RC-1/reach')).statusCode, 403);
  assert.equal((await as('operator', '/v1/restrictions/CU-RC-1/reach?seq=1')).json().seq, 1, 'a change may be named');
  const unknown = await as('operator', '/v1/restrictions/CU-NONE/reach');
  assert.deepEqual([unknown.statusCode, unknown.json().field], [404, 'id']);
  const bad = await as('operator', '/v1/restrictions/CU-RC-1/reach?seq=abc');
  assert.deepEqual([bad.statusCode, bad.json().field], [400, 'seq']);
});
