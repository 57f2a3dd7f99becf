/**
 * The replica's name and document index on SQLite (src/store/sqlite/replicaStore.ts): without an index
 * by person, a person's old keys and documents are recomputed from the stored row and deleted exactly;
 * a stale key left by a hand edit only adds a candidate; older state files lose the by-person indexes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Change, BorderPerson } from '../../src/exchange/protocol.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { STATE_SCHEMA } from '../../src/store/sqlite/replica/schema.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { tempDir } from '../helpers.js';

const at = '2024-10-01T00:00:00.000Z';

function person(id: string, over: Partial<BorderPerson> = {}): BorderPerson {
  return {
    personId: id,
    surname: 'Иванов',
    givenNames: 'Юрий',
    patronymic: 'Сергеевич',
    dateOfBirth: '1980-05-06',
    documents: [{ type: 'passport', number: `7${id.replace(/\D/g, '').padStart(8, '0')}`, country: 'RUS' }],
    deferments: [],
    ...over,
  };
}

const change = (seq: number, body: BorderPerson | null, key = body?.personId ?? ''): Change => ({ seq, at, entity: 'person', key, body }) as Change;

async function replica(t: { after(fn: () => void): void }) {
  const dir = tempDir(t);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  t.after(() => store.close());
  const writer = await store.beginBootstrap();
  await writer.write([{ type: 'person', body: person('P-1') }, { type: 'person', body: person('P-2', { surname: 'Петров' }) }]);
  await writer.finish(2, at, 'h2');
  let cursor = 2;
  const apply = async (...changes: Change[]) => {
    const last = changes[changes.length - 1]!.seq;
    await store.applyBatches(cursor, [{ lastSeq: last, hash: `h${last}`, changes }], last, at);
    cursor = last;
  };
  const sql = <T>(q: string): T[] => {
    const db = new Database(join(dir, 'state.db'), { readonly: true });
    try {
      return db.prepare(q).all() as T[];
    } finally {
      db.close();
    }
  };
  const keysOf = (id: string) => sql<{ key: string }>(`SELECT key FROM name_keys WHERE person_id = '${id}' ORDER BY key`).map((r) => r.key);
  const docsOf = (id: string) => sql<{ number: string }>(`SELECT number FROM documents WHERE person_id = '${id}' ORDER BY number`).map((r) => r.number);
  return { store, dir, apply, sql, keysOf, docsOf };
}

test('replica index: an update replaces exactly the person’s keys and documents; a removal leaves none', async (t) => {
  const r = await replica(t);
  const expected = (p: BorderPerson) => [...defaultMatcher.indexKeys(p)].sort();
  assert.deepEqual(r.keysOf('P-1'), expected(person('P-1')));
  const moved = person('P-1', { surname: 'Сидоров', givenNames: 'Олег', dateOfBirth: '1975-12-01', documents: [{ type: 'passport', number: '799999999', country: 'RUS' }] });
  await r.apply(change(3, moved));
  assert.deepEqual(r.keysOf('P-1'), expected(moved), 'the old name and date keys are gone');
  assert.deepEqual(r.docsOf('P-1'), ['799999999'], 'the old document is gone');
  assert.deepEqual(r.keysOf('P-2'), expected(person('P-2', { surname: 'Петров' })), 'another person’s keys are untouched');
  await r.apply(change(4, null, 'P-1'));
  assert.deepEqual([r.keysOf('P-1'), r.docsOf('P-1')], [[], []]);
  assert.deepEqual(await r.store.byNameKeys(defaultMatcher.indexKeys(moved), 10), []);
});

test('replica index: a stale key or document row left by a hand edit only adds a candidate, scored on the real row', async (t) => {
  const r = await replica(t);
  // Somebody renames P-2 in SQL: its old keys stay behind and its new name has none.
  const db = new Database(join(r.dir, 'state.db'));
  db.prepare("UPDATE persons SET surname = 'Сидоров', documents = '[]' WHERE person_id = 'P-2'").run();
  db.close();
  const stale = await r.store.byNameKeys(defaultMatcher.indexKeys(person('P-2', { surname: 'Петров' })), 10);
  assert.deepEqual(stale.map((p) => p.personId), ['P-2']);
  assert.equal(stale[0]!.surname, 'Сидоров', 'the candidate is the row as it is');
  const matches = await defaultMatcher.match({ surname: 'PETROV', givenNames: 'IURII', dateOfBirth: '1980-05-06' }, r.store);
  assert.ok(matches.every((m) => m.personId !== 'P-2' || m.score < defaultMatcher.thresholds.hit), 'not a hit on a name it no longer has');
  assert.deepEqual(await r.store.byDocument(person('P-2').documents[0]!.number), [], 'a document the row no longer holds finds nobody');
  // The register's next state of P-2 replaces the row and its keys; the stale ones do no harm.
  await r.apply(change(3, person('P-2', { surname: 'Петров' })));
  assert.deepEqual((await r.store.byDocument(person('P-2').documents[0]!.number)).map((p) => p.personId), ['P-2']);
});

test('replica state: no index by person on keys and documents; an older state file loses them on open', async (t) => {
  const r = await replica(t);
  const indexes = () => r.sql<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((x) => x.name);
  assert.deepEqual(indexes(), ['restrictions_by_person']);
  await r.store.close();
  // As an earlier erx left it: the by-person indexes, and the schema version before the step that drops them.
  const db = new Database(join(r.dir, 'state.db'));
  const dropStep = STATE_SCHEMA.findIndex((step: string) => step.includes('DROP INDEX IF EXISTS documents_by_person'));
  db.exec('CREATE INDEX documents_by_person ON documents(person_id); CREATE INDEX name_keys_by_person ON name_keys(person_id);');
  db.pragma(`user_version = ${dropStep}`);
  db.close();
  const reopened = new SqliteReplicaStore({ dataDir: r.dir, matcher: defaultMatcher });
  t.after(() => reopened.close());
  assert.deepEqual(indexes(), ['restrictions_by_person']);
  assert.deepEqual((await reopened.byNameKeys(defaultMatcher.indexKeys(person('P-1')), 10)).map((p) => p.personId), ['P-1']);
});
