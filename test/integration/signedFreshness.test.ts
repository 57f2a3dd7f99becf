/**
 * Signed freshness (issue #15): a replica is as current as the newest head claim the register signed
 * and the replica has applied — never as current as whatever sits between them says, nor "current"
 * because a request to a hung register is still open. Real processes on ephemeral ports:
 *
 *  - a withholding HTTP proxy in front of a real register (SQLite, and PostgreSQL) answers empty pages
 *    that say "you are current" (registerSeq = cursor, registerTime = now) with the last honest claim
 *    replayed, no claim, the register's current claim (beyond the cursor), or a forged one;
 *  - a frozen register: a TCP proxy that keeps sockets open and forwards nothing;
 *  - the same through a tier (register → centre → checkpoint) and over JetStream, where a rogue
 *    publisher keeps the heartbeat alive while the register is stopped (SIGSTOP).
 *
 * In each case a clear traveller must become `refer` ("replica data too old") and /readyz 503 within
 * the staleness bound, and the replica must be current again once the feed is honest or answers.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { callUp, exportRegisterKeys, personLine, served, tempDir } from '../helpers.js';
import { freshSchema, PG_URL, postgres, unavailableHere } from '../store/backends.js';
import { busFor, testConnection, withoutNats } from '../transport/natsHelpers.js';
import { caughtUp, eventually, get, known, post, startBorder, startRegister, tokenFor, trustArgs } from './processes.js';
import { spawnService } from '../../src/cli/child.js';

/** The staleness bound the replicas here run with (seconds); their long-poll is half of it. */
const BOUND = 3;
const CLEAR = { surname: 'CHISTOV', givenNames: 'ILYA', dateOfBirth: '1980-01-01' };

type Withhold = 'honest' | 'replay' | 'strip' | 'current' | 'forge';

/**
 * An HTTP proxy in front of the register. Honest, it forwards. Withholding, it still forwards each
 * changes request (with no wait) but answers an empty page that claims the replica is current: the
 * unsigned registerSeq/registerTime say so, and the head claim is the last honest one (replay), gone
 * (strip), the register's real one (current: beyond the replica's cursor), or the last honest one
 * with a new time (forge: its signature no longer matches). It holds the answer as long as the
 * replica asked to wait, as a register with nothing new would.
 */
async function withholdingProxy(t: TestContext, target: string): Promise<{ url: string; state: { mode: Withhold } }> {
  const state: { mode: Withhold; lastClaim?: unknown } = { mode: 'honest' };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://proxy');
    const changes = url.pathname === '/v1/exchange/changes';
    const wait = Number(url.searchParams.get('wait') ?? 0);
    if (changes && state.mode !== 'honest') url.searchParams.set('wait', '0');
    const upstream = await fetch(target + url.pathname + url.search, { headers: { accept: req.headers.accept ?? '*/*', authorization: req.headers.authorization ?? '' } }).catch(() => null);
    if (!upstream) return void res.writeHead(502).end();
    if (!changes || !upstream.ok) {
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      return void res.end(Buffer.from(await upstream.arrayBuffer()));
    }
    const page = (await upstream.json()) as Record<string, any>;
    // The mode as the answer leaves: a long-poll opened while honest withholds what arrives after the switch.
    const mode = state.mode;
    if (mode === 'honest') {
      if (page.headClaim) state.lastClaim = page.headClaim;
    } else {
      await new Promise((r) => setTimeout(r, Math.min(Math.max(wait, 250), 1000)));
      page.batches = [];
      page.registerSeq = page.after;
      page.registerTime = new Date().toISOString();
      if (mode === 'replay') page.headClaim = state.lastClaim;
      if (mode === 'strip') delete page.headClaim;
      if (mode === 'forge') page.headClaim = { ...(state.lastClaim as object), registerTime: new Date().toISOString() };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(page));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, state };
}

/**
 * A TCP proxy that can freeze: frozen, it keeps every socket open and forwards nothing (a stopped
 * process, a frozen VM, a black-holed route). A connection that lost data to the freeze stays silent
 * for good, so only a client that gives up on it recovers.
 */
async function freezableRoute(t: TestContext, target: string): Promise<{ url: string; freeze(): void; thaw(): void }> {
  const { hostname, port } = new URL(target);
  let frozen = false;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = tcpConnect({ host: hostname, port: Number(port) });
    sockets.add(client).add(upstream);
    let dead = false;
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (frozen) dead = true;
        if (!dead) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const close = () => (client.destroy(), upstream.destroy(), sockets.delete(client), sockets.delete(upstream));
    client.on('close', close).on('error', close);
    upstream.on('close', () => !dead && close()).on('error', () => !dead && close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, freeze: () => (frozen = true), thaw: () => (frozen = false) };
}

const status = (url: string) => get(`${url}/v1/border/status`);
const screen = async (url: string, traveller = CLEAR) => (await post(`${url}/v1/screenings`, traveller)).body;
const readyz = async (url: string) => (await fetch(`${url}/readyz`)).status;

/** The replica is current: lag 0, and a clear traveller is clear. */
async function current(url: string, what = 'the replica to be current') {
  await eventually(what, async () => (await status(url)).lagSeconds === 0, 30_000);
  assert.equal((await screen(url)).decision, 'clear');
  assert.equal(await readyz(url), 200);
}

/** Within the bound (plus the time to notice), a clear becomes refer for its age, and /readyz fails. */
async function staleWithinBound(url: string, since: number, what: string) {
  const referred = await eventually(`${what}: a clear traveller to be referred for old data`, async () => {
    const r = await screen(url);
    return r.decision === 'refer' && r;
  }, 20_000);
  const took = (Date.now() - since) / 1000;
  assert.ok(took < BOUND + 6, `${what}: stale after ${took} s, bound ${BOUND} s`);
  assert.equal(referred.reasons[0].kind, 'replica-data-too-old');
  assert.match(referred.reasons[0].detail, /replica data too old/);
  assert.ok(referred.lagSeconds > BOUND, `${what}: lag ${referred.lagSeconds} s`);
  assert.equal(await readyz(url), 503, `${what}: /readyz`);
}

/** Runs the withholding scenarios against a register at `R` (whatever its store). */
async function withholdingScenarios(t: TestContext, R: string, dir: string) {
  const proxy = await withholdingProxy(t, R);
  const border = await startBorder(t, proxy.url, join(dir, 'border'), ['--max-staleness', String(BOUND)], {}, R);
  await caughtUp(border.url, R);
  await current(border.url);

  const names = { replay: ['Олег', 'OLEG'], strip: ['Иван', 'IVAN'], current: ['Борис', 'BORIS'], forge: ['Глеб', 'GLEB'] } as const;
  for (const [n, mode] of (['replay', 'strip', 'current', 'forge'] as const).entries()) {
    proxy.state.mode = mode;
    const since = Date.now();
    // A ban issued while the feed withholds it: the replica must not go on calling itself current.
    const id = `WH-${mode}`;
    const dateOfBirth = `1975-05-0${n + 1}`;
    const traveller = { surname: 'ZAPRETOV', givenNames: names[mode][1], dateOfBirth };
    const created = await post(`${R}/v1/persons`, personLine({ personId: id, surname: 'Запретов', givenNames: names[mode][0], dateOfBirth, restrictions: [callUp(`CU-${id}`, served)] }));
    assert.equal(created.status, 200, JSON.stringify(created.body));
    await staleWithinBound(border.url, since, `withholding (${mode})`);
    const held = await status(border.url);
    assert.ok(held.replicaSeq < (await get(`${R}/v1/register/status`)).registerSeq, `${mode}: the ban was withheld`);
    if (mode === 'forge') assert.ok((held.headClaim.refused['bad-signature'] ?? 0) > 0, `a forged claim is refused and counted: ${JSON.stringify(held.headClaim)}`);

    proxy.state.mode = 'honest';
    await caughtUp(border.url, R);
    await current(border.url, `the replica to be current again after ${mode}`);
    assert.equal((await screen(border.url, traveller)).decision, 'hit', `${mode}: the withheld ban is at the border once the feed is honest`);
  }
}

test('a proxy that withholds new batches while saying "current" leaves the replica stale within the bound, never current', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await withholdingScenarios(t, register.url, dir);
});

test('the same with the register on PostgreSQL', async (t) => {
  if (await unavailableHere(t, postgres)) return;
  const dir = tempDir(t);
  const schema = freshSchema(t);
  const store = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const register = await spawnService(['register', 'serve', '--port', '0', '--data', join(dir, 'register')], { env: { ERX_LOG_LEVEL: 'warn', ERX_STORE: store } });
  t.after(() => register.stop('SIGKILL'));
  known(register, join(dir, 'register'), exportRegisterKeys(join(dir, 'register')));
  const page = await get(`${register.url}/v1/exchange/changes?after=0`, await tokenFor(register.url, 'border'));
  assert.equal(page.protocol, 5);
  assert.ok(page.headClaim?.signature, 'the PostgreSQL register signs its head claim too');
  await withholdingScenarios(t, register.url, dir);
});

test('a frozen register (sockets open, nothing answered): stale within the bound, and the hung request is given up', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await post(`${register.url}/v1/persons`, personLine({ personId: 'FZ-1', restrictions: [callUp('CU-FZ-1', served)] }));
  const route = await freezableRoute(t, register.url);
  const border = await startBorder(t, route.url, join(dir, 'border'), ['--max-staleness', String(BOUND)], {}, register.url);
  await caughtUp(border.url, register.url);
  await current(border.url);

  route.freeze();
  await staleWithinBound(border.url, Date.now(), 'frozen register');
  // The changes request stuck on the frozen route fails at its wait plus the margin (15 s), not after minutes.
  await eventually('the stuck changes request to time out', async () => /did not answer a changes request within/.test((await status(border.url)).lastError ?? ''), 30_000);
  assert.equal((await screen(border.url)).decision, 'refer');

  route.thaw();
  await post(`${register.url}/v1/persons`, personLine({ personId: 'FZ-2' }));
  await caughtUp(border.url, register.url, 40_000);
  await current(border.url, 'the replica to be current once the register answers again');
});

test('through a tier: a checkpoint behind a centre whose register froze goes stale within the bound', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await post(`${register.url}/v1/persons`, personLine({ personId: 'TZ-1', restrictions: [callUp('CU-TZ-1', served)] }));
  const route = await freezableRoute(t, register.url);
  const centre = await startBorder(t, route.url, join(dir, 'centre'), ['--serve-feed', '--max-staleness', String(BOUND)], {}, register.url);
  await caughtUp(centre.url, register.url);
  const token = await tokenFor(centre.url, 'checkpoint', { sub: 'cp-frozen' });
  const svc = await spawnService(['border', 'serve', '--register', centre.url, '--token', token, ...trustArgs(centre.url), '--port', '0', '--data', join(dir, 'cp'), '--max-staleness', String(BOUND)], { env: { ERX_LOG_LEVEL: 'warn' } });
  t.after(() => svc.stop('SIGKILL'));
  const cp = known(svc, join(dir, 'cp'));
  await caughtUp(cp.url, register.url);
  // Current through the centre on the register's claims, passed on unchanged.
  await current(cp.url, 'the checkpoint to be current through the centre');
  const claimAtCentre = (await get(`${centre.url}/v1/exchange/changes?after=${(await status(centre.url)).onwardFeed.headSeq}`, token)).headClaim;
  assert.ok(claimAtCentre?.signature, 'the centre serves a register-signed head claim');

  route.freeze();
  const since = Date.now();
  await staleWithinBound(centre.url, since, 'the centre');
  await staleWithinBound(cp.url, since, 'the checkpoint behind it');

  route.thaw();
  await post(`${register.url}/v1/persons`, personLine({ personId: 'TZ-2' }));
  await caughtUp(cp.url, register.url, 45_000);
  await current(cp.url, 'the checkpoint to be current again');
});

test('over JetStream: a heartbeat kept alive by someone else while the register is stopped gives no freshness', async (t) => {
  if (await withoutNats(t)) return;
  const bus = busFor(t, 'FRESH');
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'), 0, ['--bus', bus.url]);
  t.after(() => void register.child.kill('SIGCONT'));
  await post(`${register.url}/v1/persons`, personLine({ personId: 'JS-1', restrictions: [callUp('CU-JS-1', served)] }));
  const border = await startBorder(t, register.url, join(dir, 'border'), ['--bus', bus.url, '--max-staleness', String(BOUND)]);
  await caughtUp(border.url, register.url);
  await current(border.url);
  await eventually('pages from the stream', async () => (await status(border.url)).transport.lastPage === 'jetstream');

  // Listen to the register's heartbeat, then stop the register and keep "its" heartbeat going: the
  // stream's reach and the last real claim, replayed, with the unsigned time saying "now".
  const nc = await testConnection();
  t.after(() => nc.close());
  const head = `erx.${bus.stream}.head`;
  const heard: { last: { publishedSeq: number; claim?: unknown } | null } = { last: null };
  nc.subscribe(head, { callback: (_err, msg) => (heard.last = JSON.parse(Buffer.from(msg.data).toString('utf8'))) });
  await eventually('a heartbeat with a claim', async () => heard.last?.claim !== undefined);
  register.child.kill('SIGSTOP');
  const since = Date.now();
  const last = heard.last!;
  const rogue = setInterval(() => nc.publish(head, JSON.stringify({ publishedSeq: last.publishedSeq, asOf: new Date().toISOString(), claim: last.claim })), 300);
  t.after(() => clearInterval(rogue));
  await staleWithinBound(border.url, since, 'JetStream with a replayed heartbeat');
  assert.equal((await status(border.url)).transport.lastPage, 'jetstream', 'the replayed heartbeat kept the replica on the stream');

  // Heartbeat silent too: the replica falls back to HTTP, to a register that does not answer; still stale.
  clearInterval(rogue);
  await eventually('the fallback to HTTP', async () => (await status(border.url)).transport.lastPage === 'http' || Object.keys((await status(border.url)).transport.httpFallbacks).length > 0, 20_000);
  assert.equal((await screen(border.url)).decision, 'refer');
  assert.equal(await readyz(border.url), 503);

  register.child.kill('SIGCONT');
  await post(`${register.url}/v1/persons`, personLine({ personId: 'JS-2' }));
  await caughtUp(border.url, register.url, 40_000);
  await current(border.url, 'the replica to be current once the register runs again');
});
