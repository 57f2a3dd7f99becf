/**
 * The JetStream fan-out end to end, as deployed: `erx register serve --bus`, `erx border serve --bus`
 * (or ERX_BUS), real processes on ephemeral ports and a real NATS server (skipped with the reason
 * where NATS is unreachable; failed in CI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { busFor, withoutNats } from '../transport/natsHelpers.js';
import { caughtUp, eventually, get, post, startBorder, startRegister } from './processes.js';

const TRAVELLER = { surname: 'SWITCHEV', givenNames: 'PAVEL', dateOfBirth: '1988-08-08' };

test('a replica switches from HTTP to JetStream and back with its cursor and state — no re-bootstrap — and a register restart loses nothing', async (t) => {
  if (await withoutNats(t)) return;
  const { url: bus } = busFor(t);
  const dir = tempDir(t);
  const regDir = join(dir, 'register');
  let register = await startRegister(t, regDir, 0, ['--bus', bus]);
  const regPort = Number(new URL(register.url).port);
  const created = await post(`${register.url}/v1/persons`, personLine({ personId: 'SW-1', surname: 'Свитчев', givenNames: 'Павел', dateOfBirth: '1988-08-08', restrictions: [callUp('CU-SW-1', served)] }));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const screen = async (url: string) => (await post(`${url}/v1/screenings`, TRAVELLER)).body.decision as string;

  // 1. Over HTTP.
  const borderDir = join(dir, 'border');
  let border = await startBorder(t, register.url, borderDir);
  const overHttp = await caughtUp(border.url, register.url);
  assert.deepEqual(overHttp.transport, { kind: 'http' });
  assert.equal(overHttp.counters.bootstraps, 1);
  assert.equal(await screen(border.url), 'hit');
  await border.stop();

  // 2. The same data directory, now on the bus (through ERX_BUS): same state, same cursor, no bootstrap.
  border = await startBorder(t, register.url, borderDir, [], { ERX_BUS: bus });
  const onBus = await caughtUp(border.url, register.url);
  assert.equal(onBus.snapshotSeq, overHttp.snapshotSeq, 'still the state of the first bootstrap');
  assert.equal(onBus.replicaSeq, overHttp.replicaSeq);
  assert.equal(onBus.counters.bootstraps, 0, 'no bootstrap after the switch');
  assert.equal(onBus.transport.kind, 'jetstream');
  const lift = await post(`${register.url}/v1/restrictions/CU-SW-1/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' });
  assert.equal(lift.status, 200, JSON.stringify(lift.body));
  const afterLift = await caughtUp(border.url, register.url);
  assert.equal(afterLift.transport.lastPage, 'jetstream', `the lift came from the stream (${JSON.stringify(afterLift.transport)})`);
  assert.deepEqual(afterLift.transport.httpFallbacks, {});
  assert.equal(await screen(border.url), 'clear');

  // 3. The register is killed and comes back: its publisher resumes from the stream's end.
  await register.stop('SIGKILL');
  register = await startRegister(t, regDir, regPort, ['--bus', bus]);
  const again = await post(`${register.url}/v1/restrictions`, { personId: 'SW-1', restrictionId: 'CU-SW-2', kind: 'court-order', basis: 'Court order SW-2', office: 'CT-1', issuedAt: '2024-10-01T09:00:00Z' });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.equal((await post(`${register.url}/v1/restrictions/CU-SW-2/service`, served)).status, 200);
  const afterRestart = await eventually('the new change from the stream', async () => {
    const s = await caughtUp(border.url, register.url);
    return s.transport.lastPage === 'jetstream' && s;
  });
  assert.equal(afterRestart.counters.bootstraps, 0);
  assert.equal(await screen(border.url), 'hit');
  await border.stop();

  // 4. Back to HTTP: still no bootstrap.
  border = await startBorder(t, register.url, borderDir);
  await post(`${register.url}/v1/restrictions/CU-SW-2/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' });
  const back = await caughtUp(border.url, register.url);
  assert.deepEqual(back.transport, { kind: 'http' });
  assert.equal(back.counters.bootstraps, 0);
  assert.equal(back.snapshotSeq, overHttp.snapshotSeq);
  assert.equal(back.changesApplied, back.replicaSeq - back.snapshotSeq, 'every change applied exactly once across both transports');
  assert.equal(await screen(border.url), 'clear');
  const metrics = await (await fetch(`${register.url}/metrics`)).text();
  assert.match(metrics, /erx_register_bus_healthy\{service="register"\} 1/);
  const status = await get(`${register.url}/v1/register/status`);
  assert.match(metrics, new RegExp(`erx_register_bus_published_seq\\{service="register"\\} ${status.registerSeq}`));
});
