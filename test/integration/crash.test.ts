/**
 * Crash safety of the replica: kill -9 it at random moments and inside batches (by fault injection),
 * while the register keeps writing; restart; check the replica converges to exactly the register's state
 * with no change lost or applied twice. Bounded: a fixed number of rounds, each with a deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { ERX_BIN, spawnService } from '../../src/cli/child.js';
import { canonicalJson } from '../../src/shared/canonical.js';
import { type ReplicaPersonRow, replicaPersonOf } from '../../src/store/rows.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { alive, borderArgs, caughtUp, eventually, get, known, post, startRegister, tokenFor, workerPids } from './processes.js';

const ROUNDS = 8;

function replicaRows(dir: string) {
  const db = new Database(join(dir, 'state.db'), { readonly: true });
  // Read back through the store's own row mapping (names and documents are kept in compact forms).
  const persons = (db.prepare('SELECT * FROM persons ORDER BY person_id').all() as ReplicaPersonRow[]).map(replicaPersonOf);
  const restrictions = db.prepare('SELECT restriction_id, person_id, kind, basis, office, in_force_from, lifted_at, lift_reason FROM restrictions ORDER BY restriction_id').all();
  const meta = Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  db.close();
  return { persons, restrictions, meta };
}

async function registerRows(url: string) {
  const text = await (await fetch(`${url}/v1/exchange/snapshot`, { headers: { authorization: `Bearer ${await tokenFor(url)}` } })).text();
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  const persons = lines.filter((l) => l.type === 'person').map(({ body }) => body);
  const restrictions = lines.filter((l) => l.type === 'restriction').map(({ body: r }) => ({
    restriction_id: r.restrictionId, person_id: r.personId, kind: r.kind, basis: r.basis, office: r.office,
    in_force_from: r.inForceFrom, lifted_at: r.liftedAt ?? null, lift_reason: r.liftReason ?? null,
  }));
  return { persons, restrictions, asOfSeq: lines[0].asOfSeq as number };
}

let written = 0;
async function writeSome(R: string, n: number) {
  const persons = Array.from({ length: n }, () => {
    written++;
    return personLine({ personId: `C-${written}`, restrictions: [callUp(`CU-C${written}`, written % 3 ? served : {})] });
  });
  const res = await post(`${R}/v1/import`, { persons });
  assert.equal(res.status, 200);
  // lift some older ones, so changes also rewrite rows the replica already holds
  for (let i = Math.max(1, written - n - 20); i < written - n; i += 7) {
    await post(`${R}/v1/restrictions/CU-C${i}/lift`, { liftedAt: '2025-01-01T00:00:00Z', liftReason: 'cancellation' });
  }
}

test('replica killed at random moments and inside batches converges exactly, nothing lost or doubled', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  await writeSome(R, 1500);
  const borderDir = join(dir, 'border');
  let killedInBatch = 0;

  for (let round = 0; round < ROUNDS; round++) {
    const inBatch = round % 2 === 1;
    const env: Record<string, string> = { ERX_LOG_LEVEL: 'error' };
    if (inBatch) env.ERX_FAULT_KILL_IN_BATCH = String(1 + (round % 3));
    const border = await spawnService([...(await borderArgs(R, borderDir)), '--batch', '40'], { env }).catch(() => null);
    const writing = writeSome(R, 150);
    if (border) {
      if (inBatch) {
        const exit = await Promise.race([
          new Promise<string>((r) => border.child.once('exit', (_c, sig) => r(String(sig)))),
          new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000)),
        ]);
        if (exit === 'SIGKILL') killedInBatch++;
        await border.stop('SIGKILL');
      } else {
        await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 400)));
        await border.stop('SIGKILL');
      }
    }
    await writing;
    const after = replicaRows(borderDir);
    if (after.meta.cursor !== undefined) {
      // Invariant after every crash: the counter that commits with the cursor matches it exactly.
      assert.equal(Number(after.meta.changesApplied), Number(after.meta.cursor) - Number(after.meta.snapshotSeq), `round ${round}: no change applied twice or lost`);
    }
  }
  assert.ok(killedInBatch >= 2, `the replica was killed inside a batch (${killedInBatch} times)`);

  const border = known(await spawnService(await borderArgs(R, borderDir), { env: { ERX_LOG_LEVEL: 'error' } }), borderDir);
  t.after(() => border.stop('SIGKILL'));
  const status = await caughtUp(border.url, R, 60_000);
  await border.stop('SIGTERM');
  const replica = replicaRows(borderDir);
  const truth = await registerRows(R);
  assert.equal(Number(replica.meta.cursor), truth.asOfSeq);
  assert.equal(replica.persons.length, truth.persons.length);
  assert.equal(canonicalJson(replica.persons), canonicalJson(truth.persons), 'persons identical to the register');
  assert.equal(canonicalJson(replica.restrictions), canonicalJson(truth.restrictions), 'restrictions identical to the register');
  assert.equal(Number(replica.meta.changesApplied), Number(replica.meta.cursor) - Number(replica.meta.snapshotSeq));
  assert.equal(status.replicaSeq, truth.asOfSeq);
  assert.ok((await get(`${R}/v1/register/status`)).registerSeq === truth.asOfSeq);
});

test('replica with 2 workers: its writer killed inside batches, a worker and the primary killed at random moments; it converges exactly, leaves no orphan, and its audit chain verifies', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  await writeSome(R, 1500);
  const borderDir = join(dir, 'border');
  let killedInBatch = 0;
  const random = (ms: number) => new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * ms)));

  for (let round = 0; round < ROUNDS; round++) {
    const inBatch = round % 2 === 1;
    const env: Record<string, string> = { ERX_LOG_LEVEL: 'error' };
    if (inBatch) env.ERX_FAULT_KILL_IN_BATCH = String(1 + (round % 3));
    const border = await spawnService([...(await borderArgs(R, borderDir, R, 2)), '--batch', '40'], { env }).catch(() => null);
    const writing = writeSome(R, 150);
    if (border) {
      const pids = workerPids(border);
      if (inBatch) {
        // The writer (worker 0) kills itself inside a batch; the primary says so, and starts it again.
        const killed = await eventually('the writer killed inside a batch', async () => /worker 0\b.*exited \(SIGKILL\)/.test(border.stderr()), 15_000).catch(() => false);
        if (killed) killedInBatch++;
      } else {
        await random(400);
        const victim = pids[Math.floor(Math.random() * pids.length)];
        if (victim !== undefined) process.kill(victim, 'SIGKILL');
        await random(400);
      }
      await border.stop('SIGKILL'); // the primary, at a random moment: its workers must go with it
      const all = [...new Set([...pids, ...workerPids(border)])];
      await eventually(`round ${round}: no worker outlives the primary`, async () => all.every((pid) => !alive(pid)), 10_000);
    }
    await writing;
    const after = replicaRows(borderDir);
    if (after.meta.cursor !== undefined) {
      assert.equal(Number(after.meta.changesApplied), Number(after.meta.cursor) - Number(after.meta.snapshotSeq), `round ${round}: no change applied twice or lost`);
    }
  }
  assert.ok(killedInBatch >= 2, `the writer was killed inside a batch (${killedInBatch} times)`);

  const border = known(await spawnService(await borderArgs(R, borderDir, R, 2), { env: { ERX_LOG_LEVEL: 'error' } }), borderDir);
  t.after(() => border.stop('SIGKILL'));
  const status = await caughtUp(border.url, R, 60_000);
  for (let i = 0; i < 6; i++) assert.equal((await post(`${border.url}/v1/screenings`, { surname: 'NOBODY', givenNames: 'AT ALL', dateOfBirth: '1970-01-01' }, await tokenFor(border.url))).status, 200);
  assert.equal(await border.stop('SIGTERM'), 0);
  const replica = replicaRows(borderDir);
  const truth = await registerRows(R);
  assert.equal(Number(replica.meta.cursor), truth.asOfSeq);
  assert.equal(canonicalJson(replica.persons), canonicalJson(truth.persons), 'persons identical to the register');
  assert.equal(canonicalJson(replica.restrictions), canonicalJson(truth.restrictions), 'restrictions identical to the register');
  assert.equal(Number(replica.meta.changesApplied), Number(replica.meta.cursor) - Number(replica.meta.snapshotSeq));
  assert.equal(status.replicaSeq, truth.asOfSeq);
  const verified = await promisify(execFile)(process.execPath, [ERX_BIN, 'audit', 'verify', '--data', borderDir]);
  assert.match(verified.stdout, /\d+ entries, chain intact/);
});

test('register and replica killed at random moments during import, snapshot, apply and verify: the replica converges exactly', async (t) => {
  const { writeFileSync } = await import('node:fs');
  const { spawn } = await import('node:child_process');
  const { ERX_BIN } = await import('../../src/cli/child.js');
  const dir = tempDir(t);
  const registerDir = join(dir, 'register');
  const borderDir = join(dir, 'border');
  const file = join(dir, 'people.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < 4000; i++) {
    lines.push(JSON.stringify(personLine({ personId: `K-${i}`, restrictions: [callUp(`CU-K${i}`, i % 4 ? served : {})] })));
  }
  writeFileSync(file, lines.join('\n') + '\n');

  let register = await startRegister(t, registerDir);
  const port = Number(new URL(register.url).port);
  const R = register.url;
  const operator = await tokenFor(R);
  let border = known(await spawnService([...(await borderArgs(R, borderDir)), '--batch', '200'], { env: { ERX_LOG_LEVEL: 'error' } }), borderDir);
  const importOnce = () =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [ERX_BIN, 'register', 'import', file, '--register', R, '--batch', '250', '--token', operator], { stdio: 'ignore' });
      child.on('exit', (code) => resolve(code));
    });

  for (let round = 0; round < 6; round++) {
    const importing = importOnce();
    const verifying = post(`${border.url}/v1/border/verify`, {}).catch(() => null);
    await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 600)));
    if (round % 2 === 0) {
      await register.stop('SIGKILL'); // mid-import, mid-snapshot or mid-feed
      await importing;
      register = await startRegister(t, registerDir, port);
    } else {
      await border.stop('SIGKILL'); // mid-apply or mid-verify
      await importing;
      border = known(await spawnService([...(await borderArgs(R, borderDir)), '--batch', '200'], { env: { ERX_LOG_LEVEL: 'error' } }), borderDir);
    }
    await verifying;
    const meta = replicaRows(borderDir).meta;
    if (meta.cursor !== undefined) {
      assert.equal(Number(meta.changesApplied), Number(meta.cursor) - Number(meta.snapshotSeq), `round ${round}: nothing doubled or lost`);
    }
  }
  assert.equal(await importOnce(), 0, 'a last import completes (idempotent: it only fills in what the killed ones missed)');
  t.after(() => border.stop('SIGKILL'));
  await caughtUp(border.url, R, 60_000);
  const verify = (await post(`${border.url}/v1/border/verify`, {})).body as { differing: number[] };
  assert.deepEqual(verify.differing, [], 'anti-entropy finds nothing to repair');
  await border.stop('SIGTERM');
  const replica = replicaRows(borderDir);
  const truth = await registerRows(R);
  assert.equal(truth.persons.length, 4000);
  assert.equal(canonicalJson(replica.persons), canonicalJson(truth.persons));
  assert.equal(canonicalJson(replica.restrictions), canonicalJson(truth.restrictions));
  assert.equal(Number(replica.meta.cursor), truth.asOfSeq);
});
