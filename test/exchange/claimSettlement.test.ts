/**
 * Follower F6: a head claim counts only once the replica holds what it covers, on the same chain. A
 * claim signed with the register's own key (a compromised or forked register, a replayed old claim)
 * can make the replica no more current than what it has applied: a claim naming another chain is
 * refused as 'broken-chain' and counted, and an old claim never moves the data time back.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { signHeadClaim, type HeadClaim } from '../../src/exchange/headClaim.js';
import { createRegister } from '../../src/app/registerServer.js';
import { exportRegisterKeys, person, tempDir } from '../helpers.js';

type Mode = 'honest' | 'fork' | 'old';

async function setup(t: TestContext) {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir, auth: false });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const registerUrl = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const state: { mode: Mode; first: HeadClaim | null } = { mode: 'honest', first: null };
  const proxy = createServer(async (req, res) => {
    const upstream = await fetch(registerUrl + req.url, { headers: { accept: 'application/json' } });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (!req.url!.startsWith('/v1/exchange/changes') || !upstream.ok) return void res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' }).end(body);
    const page = JSON.parse(body.toString('utf8'));
    if (page.headClaim && page.headClaim.registerSeq > 0) state.first ??= page.headClaim;
    if (state.mode === 'fork') page.headClaim = signHeadClaim({ registerSeq: page.after, headHash: 'f'.repeat(64), registerTime: new Date().toISOString() }, reg.keys);
    if (state.mode === 'old') page.headClaim = state.first;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(() => (proxy.closeAllConnections(), proxy.close()));
  await reg.service.upsertPerson(person({ personId: 'CS-0' }));
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, auth: false, trustFile: exportRegisterKeys(regDir), longPollMs: 200, maxStalenessSeconds: 2 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  return { reg, replica, state };
}

async function until<T>(what: string, fn: () => Promise<T | false | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a validly signed claim naming another chain at the cursor is refused as broken-chain and gives no freshness', async (t) => {
  const { replica, state } = await setup(t);
  await until('lag 0', async () => (await replica.freshness()).lagSeconds === 0);
  const before = (await replica.store.state()).dataAsOf!;
  state.mode = 'fork';
  await until('a refused claim', async () => (replica.follower.claims.refused['broken-chain'] ?? 0) > 0);
  assert.match(replica.follower.claims.lastRefusal!.detail, /this replica's chain has/);
  const stale = await until('stale data', async () => {
    const f = await replica.freshness();
    return f.lagSeconds !== null && f.lagSeconds > 2 && f;
  });
  assert.ok(Date.parse(stale.dataAsOf!) <= Date.parse(before) + 1000, `the data time did not move on forked claims (${before} → ${stale.dataAsOf})`);
  state.mode = 'honest';
  await until('lag 0 again', async () => (await replica.freshness()).lagSeconds === 0);
});

test('an old claim replayed never moves the data time back, and makes the replica no more current than it says', async (t) => {
  const { reg, replica, state } = await setup(t);
  Object.assign(state, { first: null }); // (not narrowed: the proxy sets it)
  await until('a claim to replay later', async () => state.first);
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 1; i <= 3; i++) await reg.service.upsertPerson(person({ personId: `CS-${i}` }));
  await replica.follower.waitFor(await reg.store.headSeq());
  await until('lag 0', async () => (await replica.freshness()).lagSeconds === 0);
  const newest = (await replica.store.state()).dataAsOf!;
  assert.ok(state.first && Date.parse(state.first.registerTime) < Date.parse(newest), `first ${JSON.stringify(state.first)} newest ${newest}`);
  state.mode = 'old';
  const stale = await until('stale data', async () => {
    const f = await replica.freshness();
    return f.lagSeconds !== null && f.lagSeconds > 2 && f;
  });
  const kept = (await replica.store.state()).dataAsOf!;
  assert.ok(Date.parse(kept) >= Date.parse(newest), `the data time went back from ${newest} to ${kept}`);
  assert.equal(stale.dataAsOf, kept);
  assert.equal(Object.keys(replica.follower.claims.refused).length, 0, 'an old claim is genuine: not refused, just old');
});
