/**
 * What an operations team relies on: metrics that move, readiness that tells the truth, a SIGTERM
 * that loses nothing, and a configuration that refuses bad keys by name.
 */
import { SCHEMA as REGISTER_SCHEMA } from '../../src/store/sqlite/register/schema.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ERX_BIN, spawnService } from '../../src/cli/child.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { borderArgs, caughtUp, eventually, get, known, post, startBorder, startRegister } from './processes.js';

const run = promisify(execFile);

function metric(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : undefined;
}

test('metrics exist and move; readiness flips during bootstrap and on staleness', async (t) => {
  const dir = tempDir(t);
  let register = await startRegister(t, join(dir, 'register'));
  const port = Number(new URL(register.url).port);
  const persons = Array.from({ length: 2000 }, (_, i) => personLine({ personId: `M-${i}`, restrictions: [callUp(`CU-M${i}`, served)] }));
  for (let i = 0; i < persons.length; i += 500) await post(`${register.url}/v1/import`, { persons: persons.slice(i, i + 500) });

  const border = known(await spawnService([...(await borderArgs(register.url, join(dir, 'border'))), '--max-staleness', '2'], { env: { ERX_LOG_LEVEL: 'warn' } }), join(dir, 'border'));
  t.after(() => border.stop('SIGKILL'));
  const first = await fetch(`${border.url}/readyz`);
  assert.equal(first.status, 503, 'not ready before the first bootstrap completes');
  assert.match(((await first.json()) as { reason: string }).reason, /bootstrapping/);
  await caughtUp(border.url, register.url);
  // With several workers (the default) a reader learns the writer's state within the sync view's period
  // (SYNC_VIEW_EVERY_MS, 250 ms): readiness is awaited briefly, not read once from whichever worker answers.
  await eventually('ready at every worker', async () => (await fetch(`${border.url}/readyz`)).status === 200, 2_000);

  const before = await (await fetch(`${border.url}/metrics`)).text();
  await post(`${border.url}/v1/screenings`, { surname: 'NIKTO', givenNames: 'NIKTO', dateOfBirth: '1990-01-01' });
  const after = await (await fetch(`${border.url}/metrics`)).text();
  assert.equal((metric(after, 'erx_replica_screenings_total', 'decision="clear"') ?? 0) - (metric(before, 'erx_replica_screenings_total', 'decision="clear"') ?? 0), 1);
  assert.ok((metric(after, 'erx_replica_seq') ?? 0) > 0);
  assert.ok(after.includes('erx_replica_screening_duration_seconds_bucket'));
  assert.ok(after.includes('erx_replica_batches_rejected_total') || after.includes('# HELP erx_replica_batches_rejected_total'));
  const regMetrics = await (await fetch(`${register.url}/metrics`)).text();
  assert.ok((metric(regMetrics, 'erx_register_head_seq') ?? 0) >= 4000);
  assert.ok(regMetrics.includes('erx_process_resident_memory_bytes'));

  // The register goes away: the lag appears in the metrics, and readiness turns false past the bound.
  await register.stop('SIGKILL');
  const stale = await eventually('not ready when stale', async () => {
    const r = await fetch(`${border.url}/readyz`);
    return r.status === 503 ? ((await r.json()) as { reason: string }) : undefined;
  });
  assert.match(stale.reason, /replica data too old/);
  assert.ok((metric(await (await fetch(`${border.url}/metrics`)).text(), 'erx_replica_lag_seconds') ?? 0) > 2);
  register = await startRegister(t, join(dir, 'register'), port);
  await eventually('ready again', async () => (await fetch(`${border.url}/readyz`)).status === 200);
});

test('logs: one line per request and one per screening, no personal data unless switched on, flushed at exit', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const listed = personLine({ personId: 'L-1', surname: 'Щербаков', givenNames: 'Юрий', dateOfBirth: '1988-07-15', documents: [{ type: 'passport', number: '759876543', country: 'RUS' }], restrictions: [callUp('CU-L1', served)] });
  await post(`${register.url}/v1/import`, { persons: [listed] });
  const traveller = { surname: 'SHCHERBAKOV', givenNames: 'IURII', dateOfBirth: '1988-07-15', documentNumber: '759876543', nationality: 'RUS' };
  const personal = ['SHCHERBAKOV', 'IURII', '1988-07-15', '759876543', 'Щербаков'];
  for (const personalData of [false, true]) {
    const logFile = join(dir, `border-${personalData}.log`);
    const env: Record<string, string> = { ERX_LOG_LEVEL: 'info', ERX_LOG_FILE: logFile, ...(personalData ? { ERX_LOG_PERSONAL_DATA: '1' } : {}) };
    const border = known(await spawnService(await borderArgs(register.url, join(dir, `border-${personalData}`)), { env }), join(dir, `border-${personalData}`));
    await caughtUp(border.url, register.url);
    const answer = await post(`${border.url}/v1/screenings`, traveller);
    assert.equal(answer.body.decision, 'hit');
    assert.equal(await border.stop('SIGTERM'), 0);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofScreening = lines.filter((l) => l.url === '/v1/screenings' || l.msg === 'screened');
    assert.deepEqual(ofScreening.map((l) => l.msg).sort(), ['request completed', 'screened'], 'one access line and one screening line');
    const screened = ofScreening.find((l) => l.msg === 'screened')!;
    assert.equal(screened.screeningId, answer.body.screeningId);
    assert.equal(screened.decision, 'hit');
    const access = ofScreening.find((l) => l.msg === 'request completed')!;
    assert.deepEqual([access.method, access.statusCode, typeof access.ms], ['POST', 200, 'number']);
    assert.equal(access.reqId, screened.reqId, 'both lines carry the request id');
    const text = readFileSync(logFile, 'utf8');
    for (const value of personal) {
      if (personalData) continue;
      assert.ok(!text.includes(value), `the log holds no personal data by default, but has ${value}`);
    }
    if (personalData) assert.ok(text.includes('SHCHERBAKOV') && text.includes('759876543'), 'ERX_LOG_PERSONAL_DATA=1 lifts the redaction');
    else assert.ok(JSON.stringify(screened).includes('[redacted]'));
  }
});

test('SIGTERM during a busy apply: a clean exit, nothing lost, and the restart resumes', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const borderDir = join(dir, 'border');
  let border = await startBorder(t, register.url, borderDir, ['--batch', '20']);
  await caughtUp(border.url, register.url);
  const persons = Array.from({ length: 3000 }, (_, i) => personLine({ personId: `S-${i}`, restrictions: [callUp(`CU-S${i}`, served)] }));
  for (let i = 0; i < persons.length; i += 20) await post(`${register.url}/v1/import`, { persons: persons.slice(i, i + 20) });
  await eventually('applying', async () => (await get(`${border.url}/v1/border/status`)).replicaSeq > 200);
  const code = await border.stop('SIGTERM');
  assert.equal(code, 0, 'exits cleanly');
  border = await startBorder(t, register.url, borderDir);
  const s = await caughtUp(border.url, register.url, 60_000);
  assert.equal(s.persons, 3000);
  assert.equal(s.changesApplied, s.replicaSeq - s.snapshotSeq, 'every change applied exactly once');
});

test('a bad configuration key stops start-up with a message naming it', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'erx.json');
  writeFileSync(file, JSON.stringify({ border: { register: 'http://127.0.0.1:1', maxStalness: 5 } }));
  const bad = await run(process.execPath, [ERX_BIN, 'border', 'serve', '--config', file, '--data', dir]).catch((e) => e);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /maxStalness/);
  const badEnv = await run(process.execPath, [ERX_BIN, 'register', 'serve', '--data', dir], { env: { ...process.env, ERX_PORT: 'eighty' } }).catch((e) => e);
  assert.notEqual(badEnv.code, 0);
  assert.match(badEnv.stderr, /ERX_PORT/);
  const ok = join(dir, 'ok.json');
  writeFileSync(ok, JSON.stringify({ border: { maxStaleness: 42 } }));
  const printed = JSON.parse((await run(process.execPath, [ERX_BIN, 'config', 'print', 'border', '--config', ok, '--register', 'http://127.0.0.1:1', '--token', 'secret-token'])).stdout);
  assert.equal(printed.token.value, '***', 'secrets are masked');
  assert.equal(printed.maxStaleness.value, 42);
  assert.match(printed.maxStaleness.source, /config file/);
  assert.equal(printed.register.source, 'flag');
});

test('migrations: erx migrate applies them; a database newer than the code is refused, at start-up too', async (t) => {
  const dir = tempDir(t);
  assert.match((await run(process.execPath, [ERX_BIN, 'migrate', '--data', dir, '--service', 'register'])).stdout, /current schema/);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'register.db'));
  assert.equal(db.pragma('user_version', { simple: true }), REGISTER_SCHEMA.length, 'tables, the audit trail, service rules and campaigns, relief, rules and search keys, audit by subject, person versions, offices, outcomes and attestations, contests and reviews, contacts and the notification outbox');
  db.pragma(`user_version = ${REGISTER_SCHEMA.length + 1}`);
  db.close();
  const refused = await run(process.execPath, [ERX_BIN, 'register', 'serve', '--port', '0', '--data', dir]).catch((e) => e);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`schema version ${REGISTER_SCHEMA.length + 1} is newer than this erx understands`));
});
