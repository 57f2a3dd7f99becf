/**
 * A replica heals itself: anti-entropy repairs hand edits and lost rows; a lost state file is rebuilt;
 * offline it keeps screening and says how old its data is (refer past the staleness bound); it catches
 * up when the register returns; and re-bootstraps by itself when the register compacted past its cursor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { ERX_BIN } from '../../src/cli/child.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { caughtUp, eventually, get, post, startBorder, startRegister, tokenFor } from './processes.js';

const run = promisify(execFile);

async function seed(R: string, n: number, prefix: string) {
  const persons = Array.from({ length: n }, (_, i) =>
    personLine({ personId: `${prefix}-${i}`, surname: 'Смирнов', givenNames: i % 2 ? 'Олег' : 'Иван', dateOfBirth: `19${70 + (i % 30)}-01-0${1 + (i % 9)}`, restrictions: [callUp(`CU-${prefix}-${i}`, served)] }),
  );
  assert.equal((await post(`${R}/v1/import`, { persons })).status, 200);
}

test('anti-entropy: a replica edited by hand converges back, reporting what it fixed', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await seed(register.url, 300, 'AE');
  const borderDir = join(dir, 'border');
  const border = await startBorder(t, register.url, borderDir);
  await caughtUp(border.url, register.url);

  const operator = await tokenFor(border.url);
  const verify = () => run(process.execPath, [ERX_BIN, 'border', 'verify', '--border', border.url, '--token', operator]);
  const clean = await verify();
  assert.match(clean.stdout, /replica matches the register/);

  // Somebody edits the replica's database behind its back.
  const db = new Database(join(borderDir, 'state.db'));
  db.prepare("UPDATE restrictions SET lifted_at = '2025-01-01T00:00:00.000Z', lift_reason = 'cancellation' WHERE restriction_id = 'CU-AE-1'").run();
  db.prepare("DELETE FROM restrictions WHERE restriction_id = 'CU-AE-2'").run();
  db.prepare("UPDATE persons SET surname = 'Подделкин' WHERE person_id = 'AE-3'").run();
  db.prepare("INSERT INTO restrictions VALUES ('CU-FAKE', 'AE-4', 'court-order', 'forged', 'X', '2024-01-01T00:00:00.000Z', NULL, NULL, 0, NULL)").run();
  db.close();

  const { stdout } = await verify();
  const report = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.ok(report.differing.length >= 3 && report.differing.length <= 4, `differing buckets ${report.differing.length}`);
  assert.deepEqual({ inserted: report.repaired.inserted, updated: report.repaired.updated, deleted: report.repaired.deleted }, { inserted: 1, updated: 2, deleted: 1 });
  assert.equal(report.consistent, true);
  assert.match((await verify()).stdout, /replica matches the register/);
  const s = await get(`${border.url}/v1/border/status`);
  assert.equal(s.integrity.lastVerify.differing.length, 0);
});

test('a lost state file is rebuilt from a snapshot on restart', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await seed(register.url, 50, 'LF');
  const borderDir = join(dir, 'border');
  let border = await startBorder(t, register.url, borderDir);
  await caughtUp(border.url, register.url);
  await border.stop('SIGKILL');
  for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) rmSync(join(borderDir, f), { force: true });
  border = await startBorder(t, register.url, borderDir);
  const s = await caughtUp(border.url, register.url);
  assert.equal(s.persons, 50);
  assert.equal(s.restrictions, 50);
});

test('offline: keeps screening with its age shown, refers past the staleness bound, catches up when the register returns', async (t) => {
  const dir = tempDir(t);
  let register = await startRegister(t, join(dir, 'register'));
  const port = new URL(register.url).port;
  await seed(register.url, 20, 'OFF');
  const border = await startBorder(t, register.url, join(dir, 'border'), ['--max-staleness', '2']);
  await caughtUp(border.url, register.url);
  const stranger = { surname: 'NIKTO', givenNames: 'NIKTO', dateOfBirth: '1990-01-01' };
  assert.equal((await post(`${border.url}/v1/screenings`, stranger)).body.decision, 'clear');

  await register.stop('SIGKILL');
  const stale = await eventually('the replica to report stale data', async () => {
    const r = (await post(`${border.url}/v1/screenings`, stranger)).body;
    return r.lagSeconds > 2 ? r : undefined;
  }, 20_000);
  assert.equal(stale.decision, 'refer');
  assert.equal(stale.reasons[0].kind, 'replica-data-too-old');
  assert.match(stale.reasons[0].detail, /replica data too old/);
  const known = (await post(`${border.url}/v1/screenings`, { surname: 'SMIRNOV', givenNames: 'IVAN', dateOfBirth: '1970-01-01' })).body;
  assert.equal(known.decision, 'hit', 'offline, it still screens on its last state');

  register = await startRegister(t, join(dir, 'register'), Number(port));
  await post(`${register.url}/v1/persons`, personLine({ personId: 'OFF-NEW', restrictions: [callUp('CU-OFF-NEW', served)] }));
  await caughtUp(border.url, register.url, 30_000);
  const fresh = (await post(`${border.url}/v1/screenings`, stranger)).body;
  assert.equal(fresh.decision, 'clear');
  assert.ok(fresh.lagSeconds < 2);
});

test('compaction past a stopped replica: it re-bootstraps by itself and answers screenings throughout', async (t) => {
  const dir = tempDir(t);
  let register = await startRegister(t, join(dir, 'register'));
  const port = new URL(register.url).port;
  await seed(register.url, 30, 'CP');
  const borderDir = join(dir, 'border');
  let border = await startBorder(t, register.url, borderDir);
  await caughtUp(border.url, register.url);
  await border.stop('SIGKILL');

  for (let i = 0; i < 5; i++) await post(`${register.url}/v1/persons`, personLine({ personId: `CP-late-${i}`, restrictions: [callUp(`CU-CP-late-${i}`, served)] }));
  await register.stop('SIGTERM');
  const compacted = await run(process.execPath, [ERX_BIN, 'register', 'compact', '--data', join(dir, 'register'), '--retain-changes', '1']);
  assert.match(compacted.stdout, /removed \d+ changes/);
  register = await startRegister(t, join(dir, 'register'), Number(port));
  assert.equal((await fetch(`${register.url}/v1/exchange/changes?after=1`, { headers: { authorization: `Bearer ${await tokenFor(register.url, 'border')}` } })).status, 410);

  border = await startBorder(t, register.url, borderDir);
  const answers: number[] = [];
  const checkpoint = await tokenFor(border.url, 'checkpoint');
  const s = await eventually('re-bootstrap', async () => {
    answers.push((await post(`${border.url}/v1/screenings`, { surname: 'SMIRNOV', givenNames: 'IVAN', dateOfBirth: '1970-01-01' }, checkpoint)).status);
    const st = await get(`${border.url}/v1/border/status`);
    const head = (await get(`${register.url}/v1/register/status`)).registerSeq;
    return st.replicaSeq === head && st.counters.rebootstraps === 1 ? st : undefined;
  }, 30_000);
  assert.equal(s.persons, 35);
  assert.ok(answers.every((status) => status === 200), `screening answered throughout: ${answers.join(',')}`);
});
