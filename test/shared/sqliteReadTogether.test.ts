/**
 * A task's reads as one read transaction (shared/sqliteReadTogether.ts), and the replica store's use of
 * it: one snapshot inside a run; nested and overlapping runs share it and it ends with the last; a run
 * that starts once the shared one is old begins a new one; a failing run still ends it; a write through
 * the replica's own connection during a run is committed at once, not when the run ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/shared/sqlite.js';
import { ReadTogether } from '../../src/shared/sqliteReadTogether.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { tempDir } from '../helpers.js';

function databases(t: { after(fn: () => void): void }) {
  const file = join(tempDir(t), 'shared.db');
  const db = openDatabase(file, { synchronous: 'NORMAL' });
  db.exec('CREATE TABLE t (v TEXT)');
  const other = openDatabase(file, { synchronous: 'NORMAL' });
  t.after(() => {
    db.close();
    other.close();
  });
  const count = () => db.prepare('SELECT count(*) FROM t').pluck().get() as number;
  const insert = (v: string) => other.prepare('INSERT INTO t VALUES (?)').run(v);
  return { db, count, insert };
}

test('reads inside a run see one snapshot: another connection\'s commit is seen after the run, not inside it', async (t) => {
  const { db, count, insert } = databases(t);
  const together = new ReadTogether(() => db);
  const seen = await together.run(async () => {
    const before = count();
    insert('between');
    await Promise.resolve();
    return [before, count()];
  });
  assert.deepEqual(seen, [0, 0], 'one snapshot inside the run');
  assert.equal(db.inTransaction, false, 'the transaction ended with the run');
  assert.equal(count(), 1, 'the commit is seen after it');
  // Outside a run every statement is a snapshot of its own, as before.
  insert('after');
  assert.equal(count(), 2);
});

test('nested and overlapping runs share the transaction, which ends when the last of them does', async (t) => {
  const { db, count, insert } = databases(t);
  const together = new ReadTogether(() => db);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = together.run(async () => {
    count();
    await held;
    return count();
  });
  insert('while the first waits');
  const second = await together.run(async () => together.run(async () => count()));
  assert.equal(second, 0, 'the second run read from the first one\'s snapshot');
  assert.equal(db.inTransaction, true, 'still open while the first run goes on');
  release();
  assert.equal(await first, 0);
  assert.equal(db.inTransaction, false);
  assert.equal(count(), 1);
});

test('a run that starts once the shared transaction is older than the renewal age begins a new snapshot', async (t) => {
  const { db, count, insert } = databases(t);
  const together = new ReadTogether(() => db, 20);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = together.run(async () => {
    count();
    await held;
  });
  insert('meanwhile');
  await sleep(40);
  const later = await together.run(async () => count());
  assert.equal(later, 1, 'a new snapshot: the overlapping runs did not hold the old one for long');
  release();
  await first;
  assert.equal(db.inTransaction, false);
});

test('a run whose reads fail still ends the transaction', async (t) => {
  const { db } = databases(t);
  const together = new ReadTogether(() => db);
  await assert.rejects(
    together.run(async () => {
      db.prepare('SELECT count(*) FROM t').get();
      db.prepare('SELECT * FROM no_such_table').get();
    }),
    /no such table/,
  );
  assert.equal(db.inTransaction, false);
});

test('replica store: a write through its own connection during a screening\'s reads is committed at once', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  t.after(() => store.close());
  const bootstrap = await store.beginBootstrap(); // a replica with a cursor: the contact is written
  await bootstrap.finish(1, new Date().toISOString(), '');
  const outside = openDatabase(join(dir, 'state.db'), { synchronous: 'NORMAL', readonly: true });
  t.after(() => outside.close());
  const contact = () => outside.prepare("SELECT value FROM meta WHERE key = 'registerSeq'").pluck().get();
  await store.readTogether(async () => {
    await store.byNameKeys(['sXXXX000'], 10); // the read transaction is open from here
    await store.noteContact(7, new Date().toISOString(), false);
    // Had the write joined the read transaction, it would be committed only when this run ends.
    assert.equal(contact(), '7', 'another connection sees the write before the run ends');
    assert.deepEqual(await store.byNameKeys(['sXXXX000'], 10), [], 'the run goes on reading');
  });
  assert.equal(contact(), '7');
});

test('a connection closed and replaced under a run: the run reads on from the new one, and the next run begins its transaction there', async (t) => {
  const { db, insert } = databases(t);
  let current = db;
  const together = new ReadTogether(() => current);
  const replacement = openDatabase(db.name, { synchronous: 'NORMAL' });
  t.after(() => replacement.close());
  const count = () => current.prepare('SELECT count(*) FROM t').pluck().get() as number;
  const seen = await together.run(async () => {
    const before = count();
    current = replacement; // the file swapped: the old connection is closed by its owner
    db.close();
    insert('after the swap');
    return [before, count()];
  });
  assert.deepEqual(seen, [0, 1], 'outside a transaction on the new connection, the run sees the commit');
  await together.run(async () => {
    count();
    assert.equal(replacement.inTransaction, true, 'the next run reads the new connection in one transaction');
  });
  assert.equal(replacement.inTransaction, false);
});
