/**
 * The exchange over NATS JetStream, against a real NATS server (natsHelpers.ts: skipped with the
 * reason where NATS is unreachable, failed in CI). The invariants are those of
 * src/transport/nats/publisher.ts (P1–P4) and jetStreamFeedClient.ts (J1–J4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headers as natsHeaders } from 'nats';
import { join } from 'node:path';
import pino from 'pino';
import { Follower } from '../../src/border/sync/follower.js';
import { batchHash, isRelief, type SignedBatch } from '../../src/exchange/protocol.js';
import { ReplicaTrust } from '../../src/border/sync/trust.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { createRegister, type RegisterProcess } from '../../src/app/registerServer.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { HttpFeedClient } from '../../src/transport/http/httpFeedClient.js';
import { parseBusUrl } from '../../src/transport/nats/busConfig.js';
import { JetStreamFeedClient } from '../../src/transport/nats/jetStreamFeedClient.js';
import { BatchPublisher } from '../../src/transport/nats/publisher.js';
import { encodeBatch } from '../../src/transport/nats/wire.js';
import { callUp, person, served, tempDir, testSigner, writeTrustFile } from '../helpers.js';
import { busFor, streamBatches, testConnection, until, withoutNats } from './natsHelpers.js';

const quiet = pino({ level: 'silent' });

async function register(t: { after(fn: () => Promise<unknown>): void }, dir: string, bus?: string): Promise<RegisterProcess & { url: string }> {
  const reg = await createRegister({ dataDir: dir, auth: false, ...(bus ? { bus } : {}) });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(reg, { url: `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}` });
}

function publisher(t: { after(fn: () => Promise<unknown>): void }, url: string, reg: RegisterProcess): BatchPublisher {
  const p = new BatchPublisher({ bus: parseBusUrl(url), source: reg.store, log: quiet, heartbeatMs: 200 });
  p.start();
  t.after(() => p.stop());
  return p;
}

let n = 0;
async function impose(reg: RegisterProcess, tag: string): Promise<string> {
  const id = `CU-${tag}-${++n}`;
  await reg.service.upsertPerson(person({ restrictions: [callUp(id, served)] }));
  return id;
}

function replica(t: { after(fn: () => Promise<unknown>): void }, dir: string, client: JetStreamFeedClient | HttpFeedClient, reg: RegisterProcess) {
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const follower = new Follower({ store, client, trust: new ReplicaTrust(dir, writeTrustFile(reg.keys.published(), join(dir, 'register-keys.json'))), log: quiet, longPollMs: 300, batchSize: 50 });
  t.after(async () => {
    await follower.stop();
    if (client instanceof JetStreamFeedClient) await client.close();
    await store.close();
  });
  return { store, follower };
}

test('P1/P2: every signed batch reaches the stream unchanged, in order, once — across a publisher restart', async (t) => {
  if (await withoutNats(t)) return;
  const { url, stream } = busFor(t);
  const reg = await register(t, tempDir(t));
  const first = publisher(t, url, reg);
  await until('the publisher to sync with the new stream', () => first.status().publishedSeq !== null);
  const lifted = await impose(reg, 'A');
  for (let i = 0; i < 4; i++) await impose(reg, 'A');
  await reg.service.lift(lifted, new Date().toISOString(), 'cancellation');
  await until('the first publisher to publish the head', async () => first.status().publishedSeq === (await reg.store.headSeq()));
  await first.stop();

  // Committed while nobody publishes: the next publisher finds its place from the stream itself.
  for (let i = 0; i < 3; i++) await impose(reg, 'A');
  const head = await reg.store.headSeq();
  const second = publisher(t, url, reg);
  await until('the second publisher to catch up', () => second.status().publishedSeq === head);

  const nc = await testConnection();
  t.after(() => nc.close());
  const got = await streamBatches(nc, stream);
  const expected = await reg.store.batchesAfter(0, 1_000_000);
  assert.equal(expected.at(-1)!.lastSeq, head);
  assert.deepEqual(got.map((g) => g.batch), expected, 'the stream holds exactly the register\'s signed batches, in order, each once');
  for (const { subject, batch } of got) {
    assert.equal(subject, `erx.${stream}.batch.${batch.changes.some(isRelief) ? 'relief' : 'other'}`, `batch ${batch.firstSeq}–${batch.lastSeq} on the subject of its kind`);
  }
  assert.ok(got.some((g) => g.subject.endsWith('.relief')), 'the lift went to the relief lane');
  const info = await (await nc.jetstreamManager()).streams.info(stream);
  assert.equal(info.state.messages, expected.length, 'no duplicate message in the stream');
});

test('a batch larger than a message travels in parts and arrives whole, from any cursor', async (t) => {
  if (await withoutNats(t)) return;
  const { url, stream } = busFor(t);
  const reg = await register(t, tempDir(t));
  const pub = new BatchPublisher({ bus: parseBusUrl(url), source: reg.store, log: quiet, maxPayload: 16 * 1024 });
  pub.start();
  t.after(() => pub.stop());
  await until('sync', () => pub.status().publishedSeq !== null);
  await impose(reg, 'BIG');
  await reg.service.upsertPersons(Array.from({ length: 120 }, () => person({ restrictions: [callUp(`CU-BIG-${++n}`, served)] })));
  await impose(reg, 'BIG');
  const head = await reg.store.headSeq();
  await until('published', () => pub.status().publishedSeq === head);
  const all = await reg.store.batchesAfter(0, 1_000_000);
  const big = all.find((b) => b.changes.length > 100)!;
  assert.ok(Buffer.byteLength(JSON.stringify(big)) > 3 * 16 * 1024, 'the import batch needs several messages');
  const nc = await testConnection();
  t.after(() => nc.close());
  const info = await (await nc.jetstreamManager()).streams.info(stream);
  assert.ok(info.state.messages > all.length, `${info.state.messages} messages for ${all.length} batches`);
  assert.deepEqual((await streamBatches(nc, stream)).map((g) => g.batch), all);
  for (const after of [0, big.firstSeq - 1, big.lastSeq]) {
    const c = new JetStreamFeedClient({ bus: parseBusUrl(url), http: new HttpFeedClient(reg.url), log: quiet });
    t.after(() => c.close());
    const page = await c.changes(after, 1_000_000, 0);
    assert.deepEqual(page.batches, all.filter((b) => b.lastSeq > after).slice(0, page.batches.length));
    assert.ok(page.batches.length > 0);
    assert.deepEqual(c.fallbacks, {}, `after ${after}: from the stream`);
  }
});

test('P3: a publisher never appends to a stream that holds another register\'s history', async (t) => {
  if (await withoutNats(t)) return;
  const { url, stream } = busFor(t);
  const a = await register(t, tempDir(t));
  const pa = publisher(t, url, a);
  await until('sync', () => pa.status().publishedSeq !== null);
  for (let i = 0; i < 3; i++) await impose(a, 'P3a');
  const headA = await a.store.headSeq();
  await until('A published', () => pa.status().publishedSeq === headA);
  await pa.stop();

  const b = await register(t, tempDir(t));
  for (let i = 0; i < 4; i++) await impose(b, 'P3b');
  const pb = publisher(t, url, b);
  const error = await until('B to refuse the stream', () => pb.status().lastError);
  assert.match(error, /refusing to publish/);
  assert.match(error, /another/);
  await impose(b, 'P3b');
  await new Promise((r) => setTimeout(r, 500));
  const nc = await testConnection();
  t.after(() => nc.close());
  assert.deepEqual((await streamBatches(nc, stream)).map((g) => g.batch), await a.store.batchesAfter(0, 1_000_000), 'the stream still holds register A\'s batches only');
});

test('J1/J3/J4: pages from any cursor, the relief lane alone, and the head from the heartbeat', async (t) => {
  if (await withoutNats(t)) return;
  const { url } = busFor(t);
  const reg = await register(t, tempDir(t), url); // publishes through createRegister's own wiring
  // Enough batches for the binary search to have work, one of them relief.
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) ids.push(await impose(reg, 'J'));
  await reg.service.lift(ids[7]!, new Date().toISOString(), 'cancellation');
  for (let i = 0; i < 5; i++) await impose(reg, 'J');
  const head = await reg.store.headSeq();
  const all = await reg.store.batchesAfter(0, 1_000_000);

  const clientAt = () => {
    const c = new JetStreamFeedClient({ bus: parseBusUrl(url), http: new HttpFeedClient(reg.url), log: quiet });
    t.after(() => c.close());
    return c;
  };
  const client = clientAt();
  await until('the stream to reach the head', async () => (await client.changes(head - 1, 10, 0)).batches.at(-1)?.lastSeq === head, 20_000);

  // Each cursor with a client of its own: a replica starting there finds its place in the stream.
  // (Asking one client for an earlier cursor than it already handed out is a re-ask, served over HTTP: J2.)
  for (const after of [0, 1, 2, 33, 57, head - 2]) {
    const c = clientAt();
    const page = await c.changes(after, 6, 0);
    const want = all.filter((b) => b.lastSeq > after);
    assert.ok(page.batches.length > 0);
    assert.deepEqual(page.batches, want.slice(0, page.batches.length), `page after ${after}: the register's batches from there, in order`);
    assert.ok(page.batches.reduce((s, b) => s + b.changes.length, 0) <= 6 || page.batches.length === 1, 'within the limit');
    assert.equal(page.registerSeq, head, 'registerSeq is the head the heartbeat reports');
    assert.equal(c.lane, 'jetstream', `page after ${after} from the stream (fallbacks: ${JSON.stringify(c.fallbacks)})`);
    const next = await c.changes(page.batches.at(-1)!.lastSeq, 1000, 0);
    const rest = all.filter((b) => b.lastSeq > page.batches.at(-1)!.lastSeq);
    assert.equal(next.batches.length > 0, rest.length > 0);
    assert.deepEqual(next.batches, rest.slice(0, next.batches.length), 'the next page continues from the same consumer (as much as has arrived)');
    assert.deepEqual(c.fallbacks, {});
  }
  const reask = await client.changes(0, 4, 0);
  assert.deepEqual(reask.batches, all.slice(0, 2), 'a re-asked range is answered, over HTTP');
  assert.equal(client.lane, 'http');
  assert.equal(client.fallbacks['re-asked'], 1);
  const caughtUp = await client.changes(head, 10, 200);
  assert.deepEqual(caughtUp.batches, [], 'nothing after the head: an empty page after the wait');
  assert.equal(caughtUp.registerSeq, head);
  assert.ok(Date.now() - Date.parse(caughtUp.registerTime) < 10_000, `registerTime is the publisher's recent asOf (${caughtUp.registerTime})`);

  const relief = await client.changes(0, 1000, 0, undefined, { reliefOnly: true });
  assert.deepEqual(relief.batches, all.filter((b) => b.changes.some(isRelief)), 'the relief lane holds the lift alone');
  assert.equal(relief.batches.length, 1);
  assert.deepEqual((await client.changes(relief.batches[0]!.lastSeq, 1000, 0, undefined, { reliefOnly: true })).batches, [], 'no relief after it');
  assert.equal(client.lane, 'jetstream', 'the relief lane reads the stream');
});

test('J2: changes the stream lacks, and a NATS outage, are taken over HTTP — nothing lost, then back to JetStream', async (t) => {
  if (await withoutNats(t)) return;
  const { url } = busFor(t);
  const reg = await register(t, tempDir(t)); // no publisher yet: the stream will start late
  for (let i = 0; i < 3; i++) await impose(reg, 'J2');
  const dir = tempDir(t);
  const client = new JetStreamFeedClient({ bus: parseBusUrl(url), http: new HttpFeedClient(reg.url), log: quiet, staleMs: 1000 });
  const r = replica(t, dir, client, reg);
  r.follower.start();
  await r.follower.waitFor(await reg.store.headSeq());
  await impose(reg, 'J2');
  await r.follower.waitFor(await reg.store.headSeq());
  assert.ok(client.fallbacks.bus! >= 1, 'without a publisher, pages came over HTTP (no heartbeat)');

  // The publisher starts after more commits: the stream begins after them (coverage), then carries the rest.
  await r.follower.stop();
  for (let i = 0; i < 3; i++) await impose(reg, 'J2');
  const pub = publisher(t, url, reg);
  await until('sync', () => pub.status().publishedSeq !== null);
  for (let i = 0; i < 3; i++) await impose(reg, 'J2');
  // The same replica (same store, same cursor) restarted with a new client: it continues from its cursor.
  const client2 = new JetStreamFeedClient({ bus: parseBusUrl(url), http: new HttpFeedClient(reg.url), log: quiet, staleMs: 1000 });
  const cursorBefore = (await r.store.state()).cursor!;
  const again = { store: r.store, follower: new Follower({ store: r.store, client: client2, trust: new ReplicaTrust(dir), log: quiet, longPollMs: 300, batchSize: 50 }) }; // the keys pinned by its first run
  t.after(async () => {
    await again.follower.stop();
    await client2.close();
  });
  again.follower.start();
  await again.follower.waitFor(await reg.store.headSeq());
  assert.ok((client2.fallbacks.coverage ?? 0) >= 1, `changes ${cursorBefore + 1}… predate the stream and came over HTTP (${JSON.stringify(client2.fallbacks)})`);
  await impose(reg, 'J2');
  await again.follower.waitFor(await reg.store.headSeq());
  await until('a page from the stream', () => client2.lane === 'jetstream');

  // Outage: the publisher stops; the heartbeat falls silent and pages come over HTTP.
  await pub.stop();
  await new Promise((res) => setTimeout(res, 1300));
  const during = await impose(reg, 'J2');
  await again.follower.waitFor(await reg.store.headSeq(), 20_000);
  assert.equal(client2.lane, 'http');
  assert.ok((client2.fallbacks.bus ?? 0) >= 1);
  assert.ok((await again.store.restrictionsOf([(await reg.store.getRestriction(during))!.personId])).some((x) => x.restrictionId === during), 'the change committed during the outage is at the replica');

  // Publishing resumes from the stream's end, and the replica returns to the stream.
  const back = publisher(t, url, reg);
  await until('resync', async () => back.status().publishedSeq === (await reg.store.headSeq()));
  await impose(reg, 'J2');
  await again.follower.waitFor(await reg.store.headSeq(), 20_000);
  await until('back on the stream', async () => {
    await impose(reg, 'J2');
    await again.follower.waitFor(await reg.store.headSeq(), 20_000);
    return client2.lane === 'jetstream';
  });
  const s = await again.store.state();
  assert.equal(s.changesApplied, s.cursor! - s.snapshotSeq!, 'every change applied exactly once across the lanes');
  assert.equal(again.follower.counters.bootstraps, 0, 'the replica never bootstrapped again');
  await again.follower.stop();
});

test('a forged batch on the stream is refused by the replica; the register\'s own comes over HTTP and the publisher stops appending', async (t) => {
  if (await withoutNats(t)) return;
  const { url, stream } = busFor(t);
  const reg = await register(t, tempDir(t));
  const pub = publisher(t, url, reg);
  await until('sync', () => pub.status().publishedSeq !== null);
  await impose(reg, 'F');
  const client = new JetStreamFeedClient({ bus: parseBusUrl(url), http: new HttpFeedClient(reg.url), log: quiet, staleMs: 1000 });
  const r = replica(t, tempDir(t), client, reg);
  r.follower.start();
  await impose(reg, 'F');
  const head = await reg.store.headSeq();
  await r.follower.waitFor(head);
  await until('caught up on the stream', () => client.lane === 'jetstream');

  // Someone with publish rights on the subject injects the "next" batch, signed by a key of their own.
  const [last] = (await reg.store.batchesAfter(head - 1, 10)).slice(-1) as SignedBatch[];
  const forger = testSigner();
  const body = { firstSeq: head + 1, lastSeq: head + 1, prevHash: last!.hash, committedAt: new Date().toISOString(), changes: [{ seq: head + 1, at: new Date().toISOString(), entity: 'restriction' as const, key: 'CU-FORGED', body: { restrictionId: 'CU-FORGED', personId: 'P-X', kind: 'court-order' as const, basis: 'forged', office: 'X', inForceFrom: '2024-01-01T00:00:00.000Z' } }] };
  const hash = batchHash(body);
  const forged: SignedBatch = { ...body, hash, ...forger.sign(Buffer.from(hash)) };
  const nc = await testConnection();
  t.after(() => nc.close());
  const js = nc.jetstream();
  for (const part of encodeBatch(forged, parseBusUrl(url).subjects, 1024 * 1024)) {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(part.headers)) h.set(k, v);
    await js.publish(part.subject, part.data, { headers: h });
  }
  await until('the forged page to be refused', () => r.follower.rejected['unknown-key'] + r.follower.rejected['bad-signature'] + r.follower.rejected.tampered > 0);

  const genuine = await impose(reg, 'F');
  const head2 = await reg.store.headSeq();
  await r.follower.waitFor(head2, 20_000);
  const [g] = await reg.store.batchesAfter(head, 10);
  const applied = await r.store.knownBatchHashes([head2]);
  assert.equal(applied.get(head2), g!.hash, 'the replica holds the register\'s batch, not the forged one');
  assert.ok((await r.store.restrictionsOf([(await reg.store.getRestriction(genuine))!.personId])).some((x) => x.restrictionId === genuine));
  assert.equal((await r.store.restrictionsOf(['P-X'])).length, 0, 'nothing of the forged batch was applied');
  assert.match(await until('the publisher to refuse the stream', () => /refusing/.test(pub.status().lastError ?? '') && pub.status().lastError), /another history/);
  const onStream = await streamBatches(nc, stream);
  assert.equal(onStream.at(-1)!.batch.hash, forged.hash, 'the publisher appended nothing after the foreign message');
});

test('J2: a page the heartbeat promises but the consumer does not deliver comes over HTTP, and the consumer is replaced', async (t) => {
  if (await withoutNats(t)) return;
  const { url } = busFor(t);
  const reg = await register(t, tempDir(t));
  const pub = publisher(t, url, reg);
  await until('sync', () => pub.status().publishedSeq !== null);
  await impose(reg, 'L');
  const head = await reg.store.headSeq();
  await until('published', () => pub.status().publishedSeq === head);
  const client = new JetStreamFeedClient({ bus: parseBusUrl(url), http: new HttpFeedClient(reg.url), log: quiet, graceMs: 300 });
  t.after(() => client.close());
  assert.equal((await client.changes(0, 100, 0)).batches.at(-1)!.lastSeq, head);

  // A heartbeat claiming more than the stream holds: what a stuck consumer looks like from the replica.
  // (The real publisher is paused so that its own heartbeats do not correct the claim meanwhile.)
  await pub.stop();
  const nc = await testConnection();
  t.after(() => nc.close());
  const claim = setInterval(() => nc.publish(parseBusUrl(url).subjects.head, JSON.stringify({ publishedSeq: head + 50, asOf: new Date().toISOString() })), 20);
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  const page = await client.changes(head, 100, 10_000);
  clearInterval(claim);
  assert.deepEqual(page.batches, [], 'HTTP had nothing newer either');
  assert.ok(Date.now() - started < 5000, 'the long-poll was cut short by the grace period, then asked of HTTP without waiting');
  assert.equal(client.fallbacks.late, 1);

  // The publisher returns; its heartbeats (every 200 ms here) replace the false claim.
  const back = publisher(t, url, reg);
  await until('resync', () => back.status().publishedSeq === head);
  await new Promise((r) => setTimeout(r, 600));
  await impose(reg, 'L');
  const head2 = await reg.store.headSeq();
  const next = await until('the next page from a fresh consumer', async () => {
    const p = await client.changes(head, 100, 1000);
    return p.batches.length > 0 && p;
  });
  assert.equal(next.batches.at(-1)!.lastSeq, head2);
  assert.equal(client.lane, 'jetstream', `the page came over HTTP; fallbacks: ${JSON.stringify(client.fallbacks)}`);
  // The publisher's next heartbeats replace the false claim: a caught-up long-poll waits again.
  await until('the true head from the heartbeat', async () => (await client.changes(head2, 100, 0)).registerSeq === head2);
  const waitStarted = Date.now();
  const quiet2 = await client.changes(head2, 100, 1500);
  assert.deepEqual(quiet2.batches, []);
  assert.ok(Date.now() - waitStarted >= 1400, 'waited for news instead of being cut short');
  assert.equal(client.fallbacks.late, 1, 'no further fallbacks');
});
