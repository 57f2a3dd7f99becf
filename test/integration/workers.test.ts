/**
 * A replica started with --workers 2 (app/border/workers.ts) across real processes: both workers
 * answer on the one port (x-erx-worker names which), a restriction imposed at the register reaches
 * the screenings of both, their screenings form one audit chain that `erx audit verify` passes, GET
 * /metrics sums over both, the writer's routes (audit heads, digest comparison) are answered by the
 * writer whichever worker takes them, a worker killed with -9 is started again, and the primary killed
 * with -9 leaves no worker behind.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ERX_BIN } from '../../src/cli/child.js';
import { WORKER_HEADER } from '../../src/app/border/replicaWorker.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { alive, caughtUp, eventually, startBorder, startRegister, tokenFor, workerPids } from './processes.js';

const run = promisify(execFile);
const traveller = { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04' };

interface Answer {
  status: number;
  worker: string;
  body: string;
  json<T>(): T;
}

/**
 * One request on a connection of its own: the cluster hands each new connection to the next worker,
 * whereas fetch would keep one connection (and so one worker) alive for all of them.
 */
function ask(url: string, options: { method?: string; token?: string; body?: unknown } = {}): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, worker: String(res.headers[WORKER_HEADER] ?? '?'), body, json: <T>() => JSON.parse(body) as T }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function screen(B: string, token: string): Promise<{ worker: string; decision: string; status: number }> {
  const res = await ask(`${B}/v1/screenings`, { method: 'POST', token, body: traveller });
  return { worker: res.worker, decision: res.json<{ decision: string }>().decision, status: res.status };
}

/** Screens until both workers have answered `decision` (each connection goes to the next worker in turn). */
async function bothAnswer(B: string, token: string, decision: string): Promise<number> {
  const seen = new Set<string>();
  let screened = 0;
  await eventually(`both workers answer ${decision}`, async () => {
    const r = await screen(B, token);
    screened++;
    assert.equal(r.status, 200);
    if (r.decision === decision) seen.add(r.worker);
    return seen.has('0') && seen.has('1');
  }, 30_000);
  return screened;
}

function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function setUp(t: TestContext) {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  const ivanov = personLine({ personId: 'R-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999-03-04' });
  const put = await fetch(`${R}/v1/persons`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(R)}` }, body: JSON.stringify(ivanov) });
  assert.equal(put.status, 200);
  const borderDir = join(dir, 'border');
  const border = await startBorder(t, R, borderDir, [], {}, R, 2);
  await caughtUp(border.url, R);
  return { R, border, borderDir, token: await tokenFor(border.url, 'operator') };
}

test('two workers answer on one port, see the same register, keep one audit chain and sum their metrics', async (t) => {
  const { R, border, borderDir, token } = await setUp(t);
  const B = border.url;
  assert.equal(workerPids(border).length, 2, 'two worker processes under the primary');

  let screened = await bothAnswer(B, token, 'clear');

  // Impose at the register: the writer applies it, and both workers screen from the database it wrote.
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(R)}` };
  assert.equal((await fetch(`${R}/v1/restrictions`, { method: 'POST', headers: auth, body: JSON.stringify({ personId: 'R-1', ...callUp('CU-W-1') }) })).status, 201);
  assert.equal((await fetch(`${R}/v1/restrictions/CU-W-1/service`, { method: 'POST', headers: auth, body: JSON.stringify(served) })).status, 200);
  screened += await bothAnswer(B, token, 'hit');

  // Status and readiness read alike at either worker: the writer's view comes through the store.
  const statuses = new Map<string, { sync: string; replicaSeq: number; lagSeconds: number | null }>();
  await eventually('status from both workers', async () => {
    const res = await ask(`${B}/v1/border/status`);
    statuses.set(res.worker, res.json<{ sync: string; replicaSeq: number; lagSeconds: number | null }>());
    return statuses.size === 2;
  });
  const [a, b] = [...statuses.values()];
  assert.equal(a!.sync, 'following');
  assert.equal(b!.sync, 'following', 'a reader reports the writer\'s sync state');
  assert.equal(a!.replicaSeq, b!.replicaSeq);
  assert.equal(b!.lagSeconds, 0, 'the reader is fresh by the claim the writer published');
  for (let i = 0; i < 4; i++) assert.equal((await ask(`${B}/readyz`)).status, 200);

  // The writer's routes are the writer's, whichever worker takes the connection.
  for (let i = 0; i < 4; i++) {
    const res = await ask(`${B}/v1/border/verify`, { method: 'POST', token });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.worker, '0');
    assert.equal(res.json<{ consistent: boolean }>().consistent, true);
    const heads = await ask(`${B}/v1/audit/heads`, { token });
    assert.equal(heads.status, 200, heads.body);
    assert.equal(heads.worker, '0');
    const refused = await ask(`${B}/v1/border/verify`, { method: 'POST' });
    assert.equal(refused.status, 401, 'the writer still checks the token of a request passed to it');
  }

  // One sum over both workers, whichever answers /metrics.
  for (let i = 0; i < 2; i++) {
    const text = (await ask(`${B}/metrics`)).body;
    assert.equal(metricSum(text, 'erx_replica_screenings_total'), screened, 'every screening counted once');
    assert.equal(metricSum(text, 'erx_replica_seq'), a!.replicaSeq, "the state's gauges are the writer's alone");
  }

  // Carriers' manifests are screened by whichever worker takes them (not passed to the writer), audited
  // in the one chain, and read back at either worker from the shared manifest store.
  const carrier = await tokenFor(B, 'carrier', { carrier: 'SU' });
  const manifest = { carrier: 'SU', service: 'SU100', departureAt: new Date(Date.now() + 3600_000).toISOString(), from: 'SVO', to: 'IST', travellers: [{ ...traveller, documentNumber: '751234567', nationality: 'RUS' }, { surname: 'SMITH', givenNames: 'ANNA', dateOfBirth: '1990-01-01', documentNumber: 'GB1234567', nationality: 'GBR' }] };
  const byWorker = new Map<string, string>();
  await eventually('a manifest answered by each worker', async () => {
    const res = await ask(`${B}/v1/manifests`, { method: 'POST', token: carrier, body: manifest });
    assert.equal(res.status, 201, res.body);
    const answer = res.json<{ manifestId: string; travellers: { answer: string }[] }>();
    assert.deepEqual(answer.travellers.map((x) => x.answer), ['do-not-board', 'board']);
    byWorker.set(res.worker, answer.manifestId);
    screened += manifest.travellers.length;
    return byWorker.size === 2;
  });
  for (const id of byWorker.values()) {
    for (let i = 0; i < 4; i++) {
      const res = await ask(`${B}/v1/manifests/${id}`, { token: carrier });
      assert.equal(res.status, 200, `manifest ${id} read at worker ${res.worker}: ${res.body}`);
    }
  }

  assert.equal(await border.stop('SIGTERM'), 0, 'SIGTERM stops the workers and then the primary');
  const verified = await run(process.execPath, [ERX_BIN, 'audit', 'verify', '--data', borderDir]);
  const entries = Number(/(\d+) entries, chain intact/.exec(verified.stdout)?.[1]);
  assert.equal(entries, screened, `one chain holds both workers' screenings, manifests' travellers included: ${verified.stdout}`);
});

test('a worker killed with -9 is started again; the primary killed with -9 takes its workers with it', async (t) => {
  const { border, token } = await setUp(t);
  const B = border.url;
  const first = workerPids(border);
  assert.equal(first.length, 2);

  for (const victim of first) {
    process.kill(victim, 'SIGKILL');
    await eventually('the worker is started again', async () => {
      const now = workerPids(border);
      return now.length === 2 && !now.includes(victim);
    });
    await bothAnswer(B, token, 'clear');
  }

  const last = workerPids(border);
  process.kill(border.child.pid!, 'SIGKILL');
  await eventually('no worker outlives its primary', async () => last.every((pid) => !alive(pid)), 10_000);
});
