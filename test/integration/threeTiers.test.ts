/**
 * Three tiers: register → centre (`--serve-feed`) → regional centre (`--serve-feed`, following the
 * centre) → checkpoint. Every tier passes the register's signed snapshot and batches through unchanged,
 * so the checkpoint three hops away still verifies the register's own signatures, and refuses a batch
 * altered at the tier next to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnService } from '../../src/cli/child.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { caughtUp, eventually, get, known, post, startBorder, startRegister, tokenFor, trustArgs } from './processes.js';

const screen = async (url: string, traveller: Record<string, string>) => (await post(`${url}/v1/screenings`, traveller)).body.decision as string;
const FIRST = { surname: 'TRETIAKOV', givenNames: 'ILIA', dateOfBirth: '1988-03-03' };
const SECOND = { surname: 'CHETVERIKOV', givenNames: 'OLEG', dateOfBirth: '1987-04-04' };
const keyIds = (file: string) => (JSON.parse(readFileSync(file, 'utf8')).keys as { keyId: string }[]).map((k) => k.keyId);

test('register → centre → regional centre → checkpoint: the register’s signatures verified three tiers away; a lift arrives; a batch altered at the regional tier is refused', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const first = await post(`${register.url}/v1/persons`, personLine({ personId: 'T3-1', surname: 'Третьяков', givenNames: 'Илья', dateOfBirth: '1988-03-03', restrictions: [callUp('CU-T3-1', served)] }));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal((await post(`${register.url}/v1/persons`, personLine({ personId: 'T3-2', surname: 'Четвериков', givenNames: 'Олег', dateOfBirth: '1987-04-04' }))).status, 200);

  const centre = await startBorder(t, register.url, join(dir, 'centre'), ['--serve-feed']);
  await caughtUp(centre.url, register.url);
  const regionalDir = join(dir, 'regional');
  const regional = await startBorder(t, centre.url, regionalDir, ['--serve-feed'], {}, centre.url);
  const regionalState = await caughtUp(regional.url, register.url);
  assert.equal(regionalState.source, centre.url, 'the regional centre follows the centre');

  const cpDir = join(dir, 'checkpoint');
  const startCheckpoint = async () => {
    const token = await tokenFor(regional.url, 'checkpoint', { sub: 'cp-3' });
    const svc = await spawnService(['border', 'serve', '--register', regional.url, '--token', token, ...trustArgs(regional.url), '--port', '0', '--data', cpDir], { env: { ERX_LOG_LEVEL: 'warn' } });
    t.after(() => svc.stop('SIGKILL'));
    return known(svc, cpDir);
  };
  let cp = await startCheckpoint();
  const cpState = await caughtUp(cp.url, register.url);
  assert.equal(cpState.source, regional.url, 'the checkpoint follows the regional centre');
  assert.equal(await screen(cp.url, FIRST), 'hit', 'bootstrapped from the register’s snapshot, stored and passed on by two tiers');
  assert.deepEqual(keyIds(join(cpDir, 'trusted-keys.json')), keyIds(join(dir, 'register', 'keys.json')), 'the checkpoint pins the register’s keys, not a tier’s');

  // A lift at the register reaches the checkpoint three tiers away.
  await post(`${register.url}/v1/restrictions/CU-T3-1/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' });
  await caughtUp(cp.url, register.url);
  assert.equal(await screen(cp.url, FIRST), 'clear');

  // The checkpoint is away; an impose arrives at the regional centre, and is altered there.
  await cp.stop('SIGKILL');
  assert.equal((await post(`${register.url}/v1/restrictions`, { personId: 'T3-2', restrictionId: 'CU-T3-2', kind: 'court-order', basis: 'Court order T3-2', office: 'CT-1', issuedAt: '2024-10-01T09:00:00Z' })).status, 201);
  const imposed = await post(`${register.url}/v1/restrictions/CU-T3-2/service`, served);
  const imposeSeq = (imposed.body.changes as number[]).at(-1)!;
  await eventually('the regional centre to archive the impose', async () => (await get(`${regional.url}/v1/border/status`)).onwardFeed.headSeq >= imposeSeq);
  const relay = new Database(join(regionalDir, 'relay.db'));
  t.after(() => relay.close());
  const row = relay.prepare('SELECT last_seq, body FROM batches WHERE last_seq >= ? ORDER BY last_seq LIMIT 1').get(imposeSeq) as { last_seq: number; body: string };
  assert.match(row.body, /Court order T3-2/);
  relay.prepare('UPDATE batches SET body = ? WHERE last_seq = ?').run(row.body.replace('Court order T3-2', 'Court order T3-2 (amended by the region)'), row.last_seq);

  cp = await startCheckpoint();
  const refused = await eventually('the checkpoint to refuse the altered batch', async () => {
    const s = await get(`${cp.url}/v1/border/status`);
    return s.integrity.rejected.tampered > 0 && s;
  });
  assert.ok(refused.replicaSeq < imposeSeq, 'nothing of the altered page was applied');
  assert.equal(await screen(cp.url, SECOND), 'clear', 'the checkpoint keeps answering from its last good state');
  assert.equal(await screen(cp.url, FIRST), 'clear', 'including the lift it already had');

  // The genuine bytes back at the regional centre: the checkpoint applies the register's batch.
  relay.prepare('UPDATE batches SET body = ? WHERE last_seq = ?').run(row.body, row.last_seq);
  await caughtUp(cp.url, register.url);
  assert.equal(await screen(cp.url, SECOND), 'hit');
});
