/**
 * Write transactions on a SQLite file other processes write (shared/sqliteWriteLock.ts): a lock held
 * elsewhere is waited for and the write goes in as soon as it is released; one held past the timeout
 * fails with SQLite's busy error; a read-then-write is never refused for another's commit in between.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openDatabase } from '../../src/shared/sqlite.js';
import { writeUnderLock } from '../../src/shared/sqliteWriteLock.js';
import { tempDir } from '../helpers.js';

/** Another thread (as good as another process for SQLite's file locks) holding the write lock for `ms`. */
async function holdLock(file: string, ms: number): Promise<Worker> {
  const worker = new Worker(
    `const Database = require(${JSON.stringify(require_('better-sqlite3'))});
     const { parentPort, workerData } = require('node:worker_threads');
     const db = new Database(workerData.file);
     db.exec('BEGIN IMMEDIATE');
     db.prepare('INSERT INTO t VALUES (?)').run('held');
     parentPort.postMessage('locked');
     setTimeout(() => { db.exec('COMMIT'); db.close(); parentPort.postMessage('released'); }, workerData.ms);`,
    { eval: true, workerData: { file, ms } },
  );
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return worker;
}

import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url).resolve;

function database(t: { after(fn: () => void): void }) {
  const file = join(tempDir(t), 'shared.db');
  const db = openDatabase(file, { synchronous: 'NORMAL' });
  db.exec('CREATE TABLE t (v TEXT)');
  t.after(() => db.close());
  return { file, db };
}

test('a write waits for a lock held elsewhere and goes in once it is released, in short steps', async (t) => {
  const { file, db } = database(t);
  const holder = await holdLock(file, 40);
  const t0 = performance.now();
  writeUnderLock(db, () => db.prepare('INSERT INTO t VALUES (?)').run('mine'));
  const waited = performance.now() - t0;
  await holder.terminate();
  assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all(), ['held', 'mine']);
  assert.ok(waited >= 30, `waited for the holder (${waited.toFixed(1)} ms)`);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000, "the connection's own busy timeout is put back");
});

test('a lock held past the timeout fails with SQLite\'s busy error, and nothing is written', async (t) => {
  const { file, db } = database(t);
  const holder = await holdLock(file, 300);
  assert.throws(() => writeUnderLock(db, () => db.prepare('INSERT INTO t VALUES (?)').run('mine'), 50), (err: { code?: string }) => err.code === 'SQLITE_BUSY');
  await new Promise<void>((resolve) => holder.once('message', () => resolve()));
  await holder.terminate();
  assert.deepEqual(db.prepare('SELECT v FROM t').pluck().all(), ['held']);
});

test('a read-then-write is not refused when another connection commits in between (a deferred one would be)', async (t) => {
  const { file, db } = database(t);
  const other = openDatabase(file, { synchronous: 'NORMAL' });
  other.pragma('busy_timeout = 0');
  t.after(() => other.close());
  const readThenWrite = () => {
    const n = db.prepare('SELECT count(*) FROM t').pluck().get() as number;
    other.prepare('INSERT INTO t VALUES (?)').run('between'); // another worker's commit, after the read
    db.prepare('INSERT INTO t VALUES (?)').run(`after ${n}`);
  };
  assert.throws(() => db.transaction(readThenWrite)(), (err: { code?: string }) => err.code === 'SQLITE_BUSY_SNAPSHOT', 'the deferred transaction cannot upgrade');
  // Under the lock the other connection cannot commit in between: it waits (busy) rather than breaking this transaction.
  assert.throws(() => writeUnderLock(db, readThenWrite), (err: { code?: string }) => err.code === 'SQLITE_BUSY');
  assert.equal(db.inTransaction, false, 'rolled back');
  let n = -1;
  writeUnderLock(db, () => {
    n = db.prepare('SELECT count(*) FROM t').pluck().get() as number;
    db.prepare('INSERT INTO t VALUES (?)').run(`after ${n}`);
  });
  assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all(), ['between', `after ${n}`]);
});
