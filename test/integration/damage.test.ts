/**
 * A damaged or hand-edited replica notices and mends itself (border/replicaHealth.ts): bytes flipped
 * in the pages of a stopped replica's state.db make it not ready, with the reason, referring every
 * traveller, until it has rebuilt its state from the register beside the damaged copy (kept); a file
 * that is no database at all is set aside at start; rows edited by hand while it was stopped are
 * repaired by the digest comparison at start, not an hour later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { ERX_BIN } from '../../src/cli/child.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { checkpoint, damageTablePages } from '../damageFile.js';
import { caughtUp, eventually, get, post, startBorder, startRegister, tokenFor } from './processes.js';

const run = promisify(execFile);
const PERSONS = 300;

const documentOf = (i: number) => String(770_000_000 + i);
/** Person i as a border officer would type them: even persons are IVAN, all hold a served call-up. */
const travellerOf = (i: number) => ({ surname: 'SMIRNOV', givenNames: i % 2 ? 'OLEG' : 'IVAN', dateOfBirth: `19${70 + (i % 30)}-01-0${1 + (i % 9)}`, documentNumber: documentOf(i) });

async function seed(R: string, prefix: string) {
  const persons = Array.from({ length: PERSONS }, (_, i) =>
    personLine({
      personId: `${prefix}-${i}`,
      surname: 'Смирнов',
      givenNames: i % 2 ? 'Олег' : 'Иван',
      dateOfBirth: travellerOf(i).dateOfBirth,
      documents: [{ type: 'passport', number: documentOf(i), country: 'RUS' }],
      restrictions: [callUp(`CU-${prefix}-${i}`, served)],
    }),
  );
  assert.equal((await post(`${R}/v1/import`, { persons })).status, 200);
}

const keptCopies = (dir: string) => readdirSync(dir).filter((f) => /^state\.damaged-.+\.db$/.test(f));

test('bytes flipped in the data pages of a stopped replica: not ready with the reason, refers, rebuilt beside the kept copy, converges, ready', async (t) => {
  const dir = tempDir(t);
  let register = await startRegister(t, join(dir, 'register'));
  const port = Number(new URL(register.url).port);
  await seed(register.url, 'DMG');
  const borderDir = join(dir, 'border');
  let border = await startBorder(t, register.url, borderDir);
  await caughtUp(border.url, register.url);
  const checkpointToken = await tokenFor(border.url, 'checkpoint');
  assert.equal((await post(`${border.url}/v1/screenings`, travellerOf(2), checkpointToken)).body.decision, 'hit');
  await border.stop('SIGTERM');
  // The register is down while the damaged replica starts: what it says about itself can be watched.
  await register.stop('SIGTERM');
  damageTablePages(join(borderDir, 'state.db'), 'persons', 2);

  border = await startBorder(t, register.url, borderDir);
  const notReady = await eventually('the replica to find the damage', async () => {
    const res = await fetch(`${border.url}/readyz`);
    const body = (await res.json()) as { ready: boolean; reason?: string };
    return res.status === 503 && /damaged/.test(body.reason ?? '') ? body : undefined;
  });
  assert.match(notReady.reason!, /replica database damaged: SQLite quick_check found .*; it is being rebuilt from the register/);
  const status = await get(`${border.url}/v1/border/status`);
  assert.equal(status.integrity.database.state, 'damaged');
  assert.match(status.integrity.database.damage.reason, /quick_check/);
  const kept = await eventually('the damaged copy to be set aside', async () => keptCopies(borderDir)[0]);

  // Every screening is a refer with a reason an officer understands: never a 500, never a clear.
  for (const traveller of [travellerOf(2), { surname: 'NIKTO', givenNames: 'NIKTO', dateOfBirth: '1990-01-01' }]) {
    const answer = await post(`${border.url}/v1/screenings`, traveller, checkpointToken);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.decision, 'refer');
    assert.equal(answer.body.reasons[0].kind, 'replica-database-damaged');
    assert.match(answer.body.reasons[0].detail, /copy of the register is damaged and is being rebuilt.*check the traveller by hand/);
  }

  // `erx border verify` says what is wrong, not "internal error".
  const verify = await run(process.execPath, [ERX_BIN, 'border', 'verify', '--border', border.url, '--token', await tokenFor(border.url)]).then(
    () => assert.fail('verify succeeded on a damaged replica'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(verify.code, 1);
  assert.match(verify.stderr, /verification failed: replica database damaged: SQLite quick_check found .*; it is being rebuilt from the register \(the damaged copy is kept as state\.damaged-/);
  assert.doesNotMatch(verify.stderr, /internal error/);

  // The register returns: the replica rebuilds from it and is ready again, in step and whole.
  register = await startRegister(t, join(dir, 'register'), port);
  await eventually('the replica to be ready again', async () => (await fetch(`${border.url}/readyz`)).status === 200, 30_000);
  const healed = await caughtUp(border.url, register.url);
  assert.equal(healed.persons, PERSONS);
  assert.equal(healed.restrictions, PERSONS);
  assert.equal(healed.integrity.database.state, 'ok');
  assert.match(healed.integrity.database.lastRebuild.reason, /quick_check/);
  assert.equal(healed.integrity.database.lastRebuild.keptAs, join(borderDir, kept));
  assert.deepEqual(keptCopies(borderDir), [kept], 'the damaged copy is kept, not deleted');
  assert.equal((await post(`${border.url}/v1/screenings`, travellerOf(2), checkpointToken)).body.decision, 'hit');
  const verified = await run(process.execPath, [ERX_BIN, 'border', 'verify', '--border', border.url, '--token', await tokenFor(border.url)]);
  assert.match(verified.stdout, /replica matches the register/);
});

test('a state file that is no database at all: set aside at start, rebuilt, and the replica serves', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await seed(register.url, 'NDB');
  const borderDir = join(dir, 'border');
  let border = await startBorder(t, register.url, borderDir);
  await caughtUp(border.url, register.url);
  await border.stop('SIGTERM');
  const stateFile = join(borderDir, 'state.db');
  checkpoint(stateFile);
  const fd = openSync(stateFile, 'r+');
  writeSync(fd, Buffer.alloc(100, 0xa5), 0, 100, 0); // the file header: "SQLite format 3", page size, …
  closeSync(fd);

  border = await startBorder(t, register.url, borderDir);
  const s = await eventually('the rebuilt replica', async () => {
    const st = await get(`${border.url}/v1/border/status`);
    return st.integrity.database.lastRebuild && st.persons === PERSONS ? st : undefined;
  }, 30_000);
  assert.match(s.integrity.database.lastRebuild.reason, /not a database/);
  assert.equal(keptCopies(borderDir).length, 1);
  assert.equal((await fetch(`${border.url}/readyz`)).status, 200);
  assert.equal((await post(`${border.url}/v1/screenings`, travellerOf(4), await tokenFor(border.url, 'checkpoint'))).body.decision, 'hit');
});

test('rows edited by hand in a stopped replica are repaired within seconds of its start', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await seed(register.url, 'HE');
  const borderDir = join(dir, 'border');
  let border = await startBorder(t, register.url, borderDir);
  await caughtUp(border.url, register.url);
  await border.stop('SIGTERM');

  // Somebody lifts a ban and deletes another in the stopped replica's database.
  const db = new Database(join(borderDir, 'state.db'));
  db.prepare("UPDATE restrictions SET lifted_at = '2025-01-01T00:00:00.000Z', lift_reason = 'cancellation' WHERE restriction_id = 'CU-HE-6'").run();
  db.prepare("DELETE FROM restrictions WHERE restriction_id = 'CU-HE-8'").run();
  db.close();

  const started = Date.now();
  border = await startBorder(t, register.url, borderDir);
  const checkpointToken = await tokenFor(border.url, 'checkpoint');
  const s = await eventually('the hand edits to be repaired', async () => {
    const st = await get(`${border.url}/v1/border/status`);
    return st.integrity.lastVerify?.repaired ? st : undefined;
  }, 10_000);
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 10, `repaired ${seconds} s after start`);
  assert.deepEqual({ inserted: s.integrity.lastVerify.repaired.inserted, updated: s.integrity.lastVerify.repaired.updated }, { inserted: 1, updated: 1 });
  assert.equal(s.integrity.lastVerify.consistent, true);
  for (const i of [6, 8]) assert.equal((await post(`${border.url}/v1/screenings`, travellerOf(i), checkpointToken)).body.decision, 'hit', `person ${i} is stopped again`);
});
