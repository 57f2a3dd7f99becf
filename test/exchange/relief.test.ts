/**
 * F5: a lift queued behind a backlog of bans reaches the checkpoint first — the replica applies the
 * relief in its backlog before the rest, and the older changes arriving later cannot undo it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';

test('a lift behind 300 imposes is visible at the border before the imposes are applied, and stays applied', { timeout: 120_000 }, async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir, auth: false });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  await reg.service.upsertPerson(person({ personId: 'F-0', surname: 'Фёдоров', givenNames: 'Семён', dateOfBirth: '1991-02-03', restrictions: [callUp('CU-F0', served)] }));

  const borderDir = tempDir(t);
  const first = await createBorderReplica({ dataDir: borderDir, registerUrl: url, trustFile: exportRegisterKeys(regDir), auth: false, longPollMs: 200 });
  first.follower.start();
  await first.follower.waitFor(await reg.store.headSeq());
  await first.close();

  // While the replica is away: a backlog of bans, then the lift of the first one.
  for (let i = 1; i <= 300; i++) await reg.service.upsertPerson(person({ personId: `F-${i}`, restrictions: [callUp(`CU-F${i}`, served)] }));
  const lift = await reg.service.lift('CU-F0', new Date().toISOString(), 'cancellation');
  const liftSeq = lift.changes[0]!;

  const replica = await createBorderReplica({ dataDir: borderDir, registerUrl: url, auth: false, batchSize: 10, longPollMs: 200 });
  t.after(() => replica.close());
  const screenF0 = async () => (await replica.app.inject({ method: 'POST', url: '/v1/screenings', payload: { surname: 'FEDOROV', givenNames: 'SEMEN', dateOfBirth: '1991-02-03' } })).json();
  const seenAtRelief = new Promise<{ cursor: number; decision: string }>((resolve) => {
    replica.follower.once('relief', async () => {
      const cursor = (await replica.store.state()).cursor!;
      resolve({ cursor, decision: (await screenF0()).decision });
    });
  });
  replica.follower.start();
  const atRelief = await seenAtRelief;
  assert.ok(atRelief.cursor < liftSeq, `the lift (seq ${liftSeq}) applied while the cursor was still at ${atRelief.cursor}`);
  assert.equal(atRelief.decision, 'clear', 'the lifted person is clear before the backlog of bans is applied');

  await replica.follower.waitFor(await reg.store.headSeq(), 60_000);
  const final = await screenF0();
  assert.equal(final.decision, 'clear', 'the older impose of CU-F0, applied in order later, did not undo the lift');
  const s = await replica.store.state();
  assert.equal(s.changesApplied, s.cursor! - s.snapshotSeq!, 'the in-order count is still exact');
  assert.ok(replica.follower.counters.reliefApplied >= 1);
});
