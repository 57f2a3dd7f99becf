/**
 * A border centre's own JetStream fan-out: the register publishes to its stream; the centre follows it
 * (`--bus`), serves the feed onward (`--serve-feed`) and publishes the register's batches, as it holds
 * them, to a stream of its own (`--publish-bus`); checkpoints follow the centre's stream (`--bus`) with
 * the centre as their feed URL. The checkpoint verifies the register's signatures; the register serves
 * one publisher and one centre however many checkpoints there are. Needs NATS (skipped with the reason
 * where it is unreachable; failed in CI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnService } from '../../src/cli/child.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { busFor, withoutNats } from '../transport/natsHelpers.js';
import { caughtUp, eventually, get, known, post, startBorder, startRegister, tokenFor, trustArgs } from './processes.js';

const TRAVELLER = { surname: 'TSENTROV', givenNames: 'GLEB', dateOfBirth: '1985-05-05' };
const keyIds = (file: string) => (JSON.parse(readFileSync(file, 'utf8')).keys as { keyId: string }[]).map((k) => k.keyId);

test('a centre publishes the register’s batches to its own stream; a checkpoint follows it and verifies the register’s signatures', async (t) => {
  if (await withoutNats(t)) return;
  const registerBus = busFor(t, 'REG');
  const centreBus = busFor(t, 'CENTRE');
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'), 0, ['--bus', registerBus.url]);
  const created = await post(`${register.url}/v1/persons`, personLine({ personId: 'CS-1', surname: 'Центров', givenNames: 'Глеб', dateOfBirth: '1985-05-05', restrictions: [callUp('CU-CS-1', served)] }));
  assert.equal(created.status, 200, JSON.stringify(created.body));

  const centre = await startBorder(t, register.url, join(dir, 'centre'), ['--bus', registerBus.url, '--serve-feed', '--publish-bus', centreBus.url]);
  await caughtUp(centre.url, register.url);

  const cpDir = join(dir, 'checkpoint');
  const token = await tokenFor(centre.url, 'checkpoint', { sub: 'cp-stream' });
  const svc = await spawnService(['border', 'serve', '--register', centre.url, '--bus', centreBus.url, '--token', token, ...trustArgs(centre.url), '--port', '0', '--data', cpDir], { env: { ERX_LOG_LEVEL: 'warn' } });
  t.after(() => svc.stop('SIGKILL'));
  const cp = known(svc, cpDir);
  const first = await caughtUp(cp.url, register.url);
  assert.ok(first.source.startsWith(centre.url), `snapshots and keys from the centre (${first.source})`);
  assert.equal(first.transport.kind, 'jetstream');
  assert.equal(first.transport.stream, centreBus.stream, 'changes from the centre’s stream, not the register’s');
  assert.deepEqual(keyIds(join(cpDir, 'trusted-keys.json')), keyIds(join(dir, 'register', 'keys.json')), 'the checkpoint pins the register’s keys');
  assert.equal((await post(`${cp.url}/v1/screenings`, TRAVELLER)).body.decision, 'hit');

  // A lift at the register: register stream → centre → centre stream → checkpoint.
  const lift = await post(`${register.url}/v1/restrictions/CU-CS-1/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' });
  assert.equal(lift.status, 200, JSON.stringify(lift.body));
  const afterLift = await eventually('the lift to reach the checkpoint through the centre’s stream', async () => {
    const s = await caughtUp(cp.url, register.url);
    return s.transport.lastPage === 'jetstream' && s;
  });
  assert.deepEqual(afterLift.transport.httpFallbacks, {}, 'nothing had to be fetched over HTTP');
  assert.equal((await post(`${cp.url}/v1/screenings`, TRAVELLER)).body.decision, 'clear');
  const onward = (await get(`${centre.url}/v1/border/status`)).onwardFeed.stream;
  assert.equal(onward.lastError, null);
  assert.ok(onward.publishedSeq >= afterLift.replicaSeq, JSON.stringify(onward));
  await eventually('the checkpoint to count itself current from the centre’s heartbeat', async () => (await get(`${cp.url}/v1/border/status`)).lagSeconds === 0);
});

test('--publish-bus without --serve-feed, or naming the stream the replica follows, is refused with the reason', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const noFeed = await spawnService(['border', 'serve', '--register', register.url, '--port', '0', '--no-auth', '--data', join(dir, 'a'), '--publish-bus', 'nats://127.0.0.1:4222?stream=ONWARD'], { env: { ERX_LOG_LEVEL: 'warn' } }).then(
    (svc) => (svc.stop('SIGKILL'), null),
    (err: Error) => err,
  );
  assert.ok(noFeed, 'the replica must not start');
  assert.match(noFeed.message, /needs --serve-feed/);
  const same = await spawnService(['border', 'serve', '--register', register.url, '--port', '0', '--no-auth', '--data', join(dir, 'b'), '--serve-feed', '--bus', 'nats://127.0.0.1:4222?stream=SAME', '--publish-bus', 'nats://127.0.0.1:4222?stream=SAME'], { env: { ERX_LOG_LEVEL: 'warn' } }).then(
    (svc) => (svc.stop('SIGKILL'), null),
    (err: Error) => err,
  );
  assert.ok(same, 'the replica must not start');
  assert.match(same.message, /name of its own/);
});
