import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { AuditTrail } from '../../src/store/sqlite/auditTrail.js';
import { ERX_BIN } from '../../src/cli/child.js';
import { RegisterService } from '../../src/register/registerService.js';
import { openRegisterStore } from '../../src/app/registerServer.js';
import { callUp, person, served, tempDir } from '../helpers.js';

const run = promisify(execFile);

function trailWith(t: Parameters<typeof tempDir>[0], n: number) {
  const file = join(tempDir(t), 'audit.db');
  const db = new Database(file);
  const trail = new AuditTrail(db);
  for (let i = 0; i < n; i++) trail.append({ actor: 'checkpoint:a', action: 'screening', subject: `s-${i}`, detail: { decision: i % 2 ? 'hit' : 'clear' } });
  return { db, trail };
}

/** What a forger with the database file would do: drop the guards first. */
function forge(db: Database.Database, sql: string) {
  db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
  db.exec(sql);
}

test('an intact chain verifies', (t) => {
  const { trail } = trailWith(t, 20);
  assert.deepEqual(trail.verify(), { ok: true, entries: 20 });
});

test('an edited entry is named', (t) => {
  const { db, trail } = trailWith(t, 20);
  forge(db, `UPDATE audit_trail SET detail = '{"decision":"clear"}' WHERE seq = 8`);
  assert.deepEqual(trail.verify().firstBad, { seq: 8, reason: 'content does not match its hash (edited)' });
});

test('an edited entry whose hash was recomputed breaks the next link, and that entry is named', (t) => {
  const { db, trail } = trailWith(t, 20);
  forge(db, `UPDATE audit_trail SET actor = 'nobody', hash = 'x' WHERE seq = 8`);
  const r = trail.verify();
  assert.equal(r.ok, false);
  assert.ok(r.firstBad!.seq === 8 || r.firstBad!.seq === 9);
});

test('a deleted entry is named', (t) => {
  const { db, trail } = trailWith(t, 20);
  forge(db, 'DELETE FROM audit_trail WHERE seq = 5');
  assert.deepEqual(trail.verify().firstBad, { seq: 6, reason: 'entries 5–5 are missing (deleted)' });
});

test('an inserted entry is named', (t) => {
  const { db, trail } = trailWith(t, 20);
  forge(db, `UPDATE audit_trail SET seq = seq + 100 WHERE seq > 10;
    INSERT INTO audit_trail VALUES (11, '2026-01-01T00:00:00Z', 'x', 'screening', 'forged', '{}', 'h', 'h');`);
  const r = trail.verify();
  assert.equal(r.firstBad!.seq, 11);
});

test('the guards refuse updates and deletes outright', (t) => {
  const { db } = trailWith(t, 3);
  assert.throws(() => db.prepare("UPDATE audit_trail SET actor = 'x'").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit_trail').run(), /append-only/);
});

test('every register mutation is audited in its own transaction; erx audit verify and export work on the data directory', async (t) => {
  const dir = tempDir(t);
  const store = openRegisterStore(dir);
  const service = new RegisterService(store);
  const p = person({ restrictions: [callUp('CU-A1')] });
  await service.upsertPerson(p, 'office:clerk@MO-Moscow-12');
  await service.recordService('CU-A1', '2024-10-02T10:00:00.000Z', 'portal', 'office:clerk@MO-Moscow-12');
  await service.lift('CU-A1', '2024-11-01T00:00:00.000Z', 'cancellation', 'operator:ana');
  await assert.rejects(service.lift('CU-A1', '2024-12-01T00:00:00.000Z', 'expiry', 'operator:ana'));
  await service.upsertPerson({ ...p, restrictions: [] }, 'office:clerk@MO-Moscow-12'); // nothing changes, nothing audited
  await store.close();

  const ok = await run(process.execPath, [ERX_BIN, 'audit', 'verify', '--data', dir]);
  assert.match(ok.stdout, /3 entries, chain intact/);
  const exported = await run(process.execPath, [ERX_BIN, 'audit', 'export', '--data', dir, '--from', '2000-01-01', '--to', '2100-01-01']);
  const entries = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(entries.map((e) => [e.action, e.actor]), [
    ['person.create', 'office:clerk@MO-Moscow-12'],
    ['restriction.serve', 'office:clerk@MO-Moscow-12'],
    ['restriction.lift', 'operator:ana'],
  ]);
  assert.equal(entries[1].prevHash, entries[0].hash);

  const db = new Database(join(dir, 'register.db'));
  forge(db, "UPDATE audit_trail SET actor = 'someone else' WHERE seq = 2");
  db.close();
  const broken = await run(process.execPath, [ERX_BIN, 'audit', 'verify', '--data', dir]).catch((e) => e);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /BROKEN at entry 2: content does not match its hash/);
});

test('appends of one turn of the event loop share one commit, in call order, each resolved once it is durable', async (t) => {
  const file = join(tempDir(t), 'audit.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const trail = new AuditTrail(db, { sharedByProcesses: true });
  const other = new Database(file, { readonly: true }); // another process's view: counts the commits it sees
  t.after(() => {
    other.close();
    db.close();
  });
  const commitsSeen = () => other.pragma('data_version', { simple: true }) as number;
  const count = () => other.prepare('SELECT count(*) FROM audit_trail').pluck().get() as number;
  const before = commitsSeen();
  const appended = [0, 1, 2, 3].map((i) => trail.appendTogether({ actor: 'checkpoint:a', action: 'screening', subject: `s-${i}`, detail: { i } }));
  assert.equal(count(), 0, 'nothing is written before the turn ends');
  const entries = await Promise.all(appended);
  assert.equal(commitsSeen() - before, 1, 'one commit for the four (one each before)');
  assert.deepEqual(entries.map((e) => [e.seq, e.subject]), [[1, 's-0'], [2, 's-1'], [3, 's-2'], [4, 's-3']]);
  assert.equal(count(), 4);
  assert.deepEqual(trail.verify(), { ok: true, entries: 4 });
});

test('when the shared commit fails, every append of it is refused, and the next turn writes again', async (t) => {
  const file = join(tempDir(t), 'audit.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const trail = new AuditTrail(db, { sharedByProcesses: true });
  t.after(() => db.close());
  const holder = new Database(file);
  holder.exec('BEGIN IMMEDIATE'); // another worker holds the write lock past the timeout
  db.pragma('busy_timeout = 0');
  const refused = [trail.appendTogether({ actor: 'a', action: 'screening', subject: 'x', detail: null }), trail.appendTogether({ actor: 'a', action: 'screening', subject: 'y', detail: null })];
  // writeUnderLock's own timeout is 5 s; the holder lets go only after both are refused.
  const results = await Promise.allSettled(refused);
  holder.exec('ROLLBACK');
  holder.close();
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal((await trail.appendTogether({ actor: 'a', action: 'screening', subject: 'z', detail: null })).seq, 1);
});
