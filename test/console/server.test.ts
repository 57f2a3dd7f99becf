/** The console's server side, in process and without a browser: follower registry, stats, history, serving. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { consoleBuilt } from '../../src/console/assets.js';
import { FollowerRegistry } from '../../src/console/followers.js';
import { concerns } from '../../src/console/history.js';
import { consoleLinks } from '../../src/console/links.js';
import { ScreeningStats } from '../../src/console/stats.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, personLine, served, tempDir } from '../helpers.js';

test('follower registry: cursor, waiting while a long-poll is open, bounded, forgets the long silent', () => {
  const reg = new FollowerRegistry(2, 60_000);
  const t0 = new Date('2026-01-01T00:00:00Z');
  reg.started('a@1', 'border', '1', '/v1/exchange/changes', 10, t0);
  assert.deepEqual(
    reg.list(t0).map((f) => [f.client, f.cursor, f.waiting]),
    [['a@1', 10, true]],
  );
  reg.ended('a@1', '/v1/exchange/changes', 200, new Date(t0.getTime() + 1000));
  reg.started('a@1', 'border', '1', '/v1/exchange/snapshot', null, new Date(t0.getTime() + 2000));
  const [a] = reg.list(t0);
  assert.equal(a!.waiting, false);
  assert.equal(a!.cursor, 10, 'a snapshot request does not move the cursor');
  assert.equal(a!.lastSnapshotAt, new Date(t0.getTime() + 2000).toISOString());
  reg.started('b@2', 'border', '2', '/v1/exchange/changes', 5, new Date(t0.getTime() + 3000));
  reg.started('c@3', 'border', '3', '/v1/exchange/changes', 7, new Date(t0.getTime() + 4000));
  assert.deepEqual(reg.list(new Date(t0.getTime() + 5000)).map((f) => f.client), ['c@3', 'b@2'], 'the least recently heard-from was evicted');
  reg.ended('b@2', '/v1/exchange/changes', 200, new Date(t0.getTime() + 3000));
  assert.deepEqual(reg.list(new Date(t0.getTime() + 120_000)).map((f) => f.client), ['c@3'], 'silent for longer than the limit and not waiting: forgotten');
});

test('screening stats: per-minute series with empty minutes, totals, pruning', () => {
  const start = new Date('2026-01-01T10:00:30Z');
  const stats = new ScreeningStats(5, start);
  stats.add('hit', new Date('2026-01-01T10:00:40Z'));
  stats.add('clear', new Date('2026-01-01T10:02:10Z'));
  stats.add('clear', new Date('2026-01-01T10:02:50Z'));
  stats.add('seed-only', new Date('2026-01-01T10:02:50Z'));
  stats.add('refer', new Date('2026-01-01T09:59:00Z'), false);
  const series = stats.series(4, new Date('2026-01-01T10:02:59Z'));
  assert.deepEqual(
    series.map((m) => [m.at.slice(11, 16), m.clear, m.refer, m.hit]),
    [
      ['09:59', 0, 1, 0],
      ['10:00', 0, 0, 1],
      ['10:01', 0, 0, 0],
      ['10:02', 2, 0, 0],
    ],
  );
  assert.deepEqual(stats.totals, { clear: 2, refer: 0, hit: 1 }, 'seeded entries are not counted as since start');
  stats.add('hit', new Date('2026-01-01T10:10:00Z'));
  assert.equal(stats.series(5, new Date('2026-01-01T10:10:00Z')).reduce((a, m) => a + m.clear + m.refer + m.hit, 0), 1, 'minutes older than the window are dropped');
});

test('history: an entry concerns the person, their restrictions, and campaign closes that lifted one', () => {
  const subjects = new Set(['P-1', 'CU-1']);
  const e = (action: string, subject: string, detail: unknown = {}) => ({ seq: 1, at: '', actor: 'x', action, subject, detail, prevHash: '', hash: '' });
  assert.ok(concerns(e('person.create', 'P-1'), subjects));
  assert.ok(concerns(e('restriction.lift', 'CU-1'), subjects));
  assert.ok(!concerns(e('restriction.lift', 'CU-2'), subjects));
  assert.ok(concerns(e('campaign.close', 'CAMP-1', { lifted: ['CU-9', 'CU-1'] }), subjects));
  assert.ok(!concerns(e('campaign.close', 'CAMP-1', { lifted: ['CU-9'] }), subjects));
});

test('console links carry each side its own tokens and the other side’s', () => {
  const links = consoleLinks({ registerUrl: 'http://r:1', borderUrl: 'http://b:2', registerTokens: ['OP'], borderTokens: ['CP', 'AU'] });
  const officer = new URL(links.officer);
  assert.equal(officer.origin + officer.pathname, 'http://b:2/console/officer');
  const f = new URLSearchParams(officer.hash.slice(1));
  assert.deepEqual(f.getAll('token'), ['CP', 'AU']);
  assert.deepEqual(f.getAll('peerToken'), ['OP']);
  assert.equal(f.get('peer'), null, 'where the peer is, each page learns from its own service (its configuration), not from a link');
  assert.equal(new URLSearchParams(new URL(links.operator).hash.slice(1)).getAll('token')[0], 'OP');
  assert.equal(links.selfCheck, 'http://b:2/console/self-check');
});

test('register: followers are recorded from verified feed requests only; a person’s history', async (t) => {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  const bearer = async (role: 'operator' | 'border' | 'auditor', sub?: string) => ({ authorization: `Bearer ${await issueToken(authSecret(dir), { role, ...(sub ? { sub } : {}) })}` });
  const op = await bearer('operator');
  await reg.app.inject({ method: 'POST', url: '/v1/persons', headers: op, payload: personLine({ personId: 'P-1', restrictions: [callUp('CU-1', served)] }) });
  await reg.app.inject({ method: 'POST', url: '/v1/persons', headers: op, payload: personLine({ personId: 'P-2', restrictions: [callUp('CU-2', served)] }) });
  assert.equal((await reg.app.inject({ method: 'POST', url: '/v1/restrictions/CU-1/lift', headers: op, payload: { liftedAt: '2025-01-01T00:00:00Z', liftReason: 'cancellation' } })).statusCode, 200);

  assert.equal((await reg.app.inject({ url: '/v1/exchange/changes?after=1', headers: await bearer('border', 'replica-7') })).statusCode, 200);
  const forged = { authorization: `Bearer ${await issueToken(new Uint8Array(32), { role: 'border', sub: 'intruder' })}` };
  assert.equal((await reg.app.inject({ url: '/v1/exchange/changes?after=0', headers: forged })).statusCode, 401);
  assert.equal((await reg.app.inject({ url: '/v1/exchange/changes?after=0', headers: await bearer('auditor', 'nosy') })).statusCode, 403);
  const res = await reg.app.inject({ url: '/v1/exchange/followers', headers: await bearer('auditor') });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.followers.length, 1, JSON.stringify(body.followers));
  assert.match(body.followers[0].client, /^replica-7@/);
  assert.equal(body.followers[0].cursor, 1);
  assert.equal(body.followers[0].lagChanges, body.registerSeq - 1);
  assert.equal(body.followers[0].waiting, false);
  assert.equal(body.logChanges, body.registerSeq - body.oldestSeq + 1);

  const history = await reg.app.inject({ url: '/v1/persons/P-1/history', headers: op });
  assert.equal(history.statusCode, 200);
  assert.deepEqual(
    history.json().entries.map((e: { action: string; subject: string }) => `${e.action} ${e.subject}`),
    ['restriction.lift CU-1', 'person.create P-1'],
    'newest first, nothing about P-2',
  );
  assert.equal((await reg.app.inject({ url: '/v1/persons/NOBODY/history', headers: op })).statusCode, 404);

  const config = await reg.app.inject({ url: '/v1/console/config' });
  assert.equal(config.json().role, 'register');
  assert.equal(config.headers['access-control-allow-origin'], '*');
  assert.equal((await reg.app.inject({ url: '/v1/register/status' })).headers['access-control-allow-origin'], '*');
  assert.equal((await reg.app.inject({ url: '/v1/persons/P-1', headers: op })).headers['access-control-allow-origin'], undefined, 'nothing behind a token is opened to other origins');
});

test('border: config names the register; pages are served with a CSP; / redirects to the console', async (t) => {
  const dir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: dir, registerUrl: 'http://127.0.0.1:9/', trustFile: exportRegisterKeys(tempDir(t)) });
  t.after(() => replica.close());
  const config = (await replica.app.inject({ url: '/v1/console/config' })).json();
  assert.equal(config.role, 'border');
  assert.equal(config.peerUrl, 'http://127.0.0.1:9');
  assert.equal(config.auth, true);
  const root = await replica.app.inject({ url: '/' });
  assert.equal(root.statusCode, 302);
  assert.equal(root.headers.location, '/console/');
  const page = await replica.app.inject({ url: '/console/officer' });
  if (consoleBuilt()) {
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    assert.match(page.headers['content-security-policy'] as string, /connect-src 'self' http:\/\/127\.0\.0\.1:9;/, 'the page connects to its own origin and its register only');
    assert.match(page.body, /\/console\/assets\/index-/);
    // A mistyped console address gets the console (which says "no page" beside its navigation), not JSON.
    const unknown = await replica.app.inject({ url: '/console/officre' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.headers['content-type'] as string, /text\/html/);
    assert.match(unknown.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    assert.match(unknown.body, /\/console\/assets\/index-/);
    const asset = /\/console\/assets\/index-[^"]+\.js/.exec(page.body)![0];
    assert.equal((await replica.app.inject({ url: asset })).statusCode, 200, 'the assets are still served');
  } else assert.equal(page.statusCode, 503, 'an unbuilt console says how to build it');
  const stats = await replica.app.inject({ url: '/v1/console/screening-stats?minutes=5', headers: { authorization: `Bearer ${await issueToken(authSecret(dir), { role: 'auditor' })}` } });
  assert.equal(stats.statusCode, 200);
  assert.equal(stats.json().minutes.length, 5);
});

/** The connect-src directive of a CSP header, as a list of sources. */
function connectSources(csp: unknown): string[] {
  const directive = String(csp ?? '').split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src '));
  return directive ? directive.split(/\s+/).slice(1) : [];
}

test('every HTML page — the console and /docs — carries a CSP whose connect-src is its own origin and the configured peer only', async (t) => {
  const borderDir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: borderDir, registerUrl: 'https://register.example:8443/', trustFile: exportRegisterKeys(tempDir(t)) });
  t.after(() => replica.close());
  const named = await createRegister({ dataDir: tempDir(t), consolePeer: 'http://127.0.0.1:8081/' });
  t.after(() => named.close());
  const alone = await createRegister({ dataDir: tempDir(t) });
  t.after(() => alone.close());

  const cases = [
    ['border', replica.app, ["'self'", 'https://register.example:8443']],
    ['register with --console-peer', named.app, ["'self'", 'http://127.0.0.1:8081']],
    ['register without a peer', alone.app, ["'self'"]],
  ] as const;
  for (const [name, app, expected] of cases) {
    for (const url of ['/docs', '/docs/', '/console/', '/console/operations']) {
      const res = await app.inject({ url });
      if (url.startsWith('/console/') && !consoleBuilt()) continue;
      assert.equal(res.statusCode, 200, `${name} ${url}`);
      assert.match(String(res.headers['content-type']), /text\/html/);
      const csp = res.headers['content-security-policy'];
      assert.ok(csp, `${name} ${url}: no Content-Security-Policy`);
      assert.deepEqual(connectSources(csp), expected, `${name} ${url}: ${String(csp)}`);
      assert.match(String(csp), /script-src 'self'(;|$)/);
      assert.match(String(csp), /frame-ancestors 'none'/);
    }
    const config = (await app.inject({ url: '/v1/console/config' })).json();
    assert.equal(config.peerUrl, expected[1]?.replace(/\/$/, '') ?? null, `${name}: the console's peer is the configured one`);
  }
});
