/**
 * NATS down (here: a port nothing listens on) must never stop the exchange: the register commits and
 * serves as usual and stops promptly (publisher.ts), and a replica on the bus takes its changes from
 * the register over HTTP (jetStreamFeedClient.ts, J2). No NATS server needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createRegister } from '../../src/app/registerServer.js';
import { HttpFeedClient } from '../../src/transport/http/httpFeedClient.js';
import { parseBusUrl } from '../../src/transport/nats/busConfig.js';
import { JetStreamFeedClient } from '../../src/transport/nats/jetStreamFeedClient.js';
import { callUp, person, served, tempDir } from '../helpers.js';

const NOWHERE = 'nats://127.0.0.1:1?stream=NOWHERE';

test('with NATS unreachable the register commits and serves as usual, and stops promptly', async (t) => {
  const reg = await createRegister({ dataDir: tempDir(t), auth: false, bus: NOWHERE });
  let closed = false;
  t.after(() => (closed ? undefined : reg.close()));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const written = await reg.service.upsertPerson(person({ restrictions: [callUp('CU-NW-1', served)] }));
  assert.deepEqual(written.changes, [1, 2]);
  const metrics = await reg.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /erx_register_bus_healthy\{service="register"\} 0/, 'the outage shows in the metrics');
  const started = Date.now();
  await reg.close();
  closed = true;
  assert.ok(Date.now() - started < 5000, `stopped in ${Date.now() - started} ms`);
});

test('with NATS unreachable a replica on the bus takes its pages from the register over HTTP', async (t) => {
  const reg = await createRegister({ dataDir: tempDir(t), auth: false });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  await reg.service.upsertPerson(person({ restrictions: [callUp('CU-NW-2', served)] }));
  const client = new JetStreamFeedClient({ bus: parseBusUrl(NOWHERE), http: new HttpFeedClient(url), log: pino({ level: 'silent' }), staleMs: 500 });
  t.after(() => client.close());
  const page = await client.changes(0, 100, 0);
  assert.deepEqual(page.batches, await reg.store.batchesAfter(0, 100));
  assert.equal(client.lane, 'http');
  assert.equal(client.fallbacks.bus, 1);
  const relief = await client.changes(0, 100, 0, undefined, { reliefOnly: true });
  assert.deepEqual(relief.batches, [], 'the relief lane too');
  const started = Date.now();
  const waited = await client.changes(page.registerSeq, 100, 300);
  assert.deepEqual(waited.batches, []);
  assert.ok(Date.now() - started < 3000, 'no extra wait per page once the outage is known');
});
