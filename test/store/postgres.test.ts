/**
 * What only the PostgreSQL backend has to prove: several processes writing one register (dense seqs
 * and one chain across them, commits announced to the others by LISTEN/NOTIFY), versioned migrations
 * that refuse a newer or foreign schema, and a bootstrap writer that cannot touch a newer build.
 * Skipped with the reason when PostgreSQL is unreachable — failed instead in CI (CI=true).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { TrustedKeys } from '../../src/exchange/keys.js';
import type { SignedBatch } from '../../src/exchange/protocol.js';
import { verifyBatch } from '../../src/exchange/verify.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { RegisterService } from '../../src/register/registerService.js';
import { postgresLocation } from '../../src/store/postgres/db.js';
import { isPostgresUrl } from '../../src/store/postgres/index.js';
import { PostgresRegisterStore } from '../../src/store/postgres/registerStore.js';
import { PostgresReplicaStore } from '../../src/store/postgres/replicaStore.js';
import { SCHEMA as REGISTER_SCHEMA } from '../../src/store/postgres/register/schema.js';
import { callUp, person, personChange, served, testSigner } from '../helpers.js';
import { freshSchema, PG_URL, pgExec, postgres, unavailableHere } from './backends.js';

const TIMEOUT = { timeout: 120_000 };

function pgTest(name: string, fn: (t: TestContext) => Promise<void>): void {
  test(`postgres: ${name}`, TIMEOUT, async (t) => {
    if (await unavailableHere(t, postgres)) return;
    await fn(t);
  });
}

/** Stores opened by a test, closed before its schema is dropped. */
function closer(t: TestContext) {
  const open: { close(): Promise<void> }[] = [];
  const schema = freshSchema(t, async () => {
    for (const s of open) await s.close().catch(() => undefined);
  });
  return { schema, keep: <S extends { close(): Promise<void> }>(s: S) => (open.push(s), s) };
}

pgTest('two processes on one register schema: writers take turns, seqs stay dense, one chain; each hears the other’s commits', async (t) => {
  const { schema, keep } = closer(t);
  const signer = testSigner();
  const a = keep(await PostgresRegisterStore.open({ connectionString: PG_URL, schema }, signer));
  const b = keep(await PostgresRegisterStore.open({ connectionString: PG_URL, schema }, signer));
  const heardByA: number[] = [];
  a.onCommit((head) => heardByA.push(head));
  // let A's LISTEN connection come up
  for (let i = 0; i < 50 && (await pgExec("SELECT 1 FROM pg_stat_activity WHERE application_name = 'erx-register-listen'")).rowCount === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const sa = new RegisterService(a);
  const sb = new RegisterService(b);
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) => (i % 2 ? sa : sb).upsertPerson(person({ restrictions: i % 3 ? [] : [callUp(`CU-M${i}`, served)] }))),
  );
  const seqs = results.flatMap((r) => r.changes).sort((x, y) => x - y);
  assert.deepEqual(seqs, Array.from({ length: 40 }, (_, i) => i + 1), '30 persons + 10 restrictions, no hole, no repeat');
  const batches: SignedBatch[] = [];
  for (let page = await a.batchesAfter(0, 100); page.length > 0; page = await a.batchesAfter(batches[batches.length - 1]!.lastSeq, 100)) batches.push(...page);
  const keys = new TrustedKeys([signer.info]);
  let prev = '';
  for (const batch of batches) {
    verifyBatch(batch, keys);
    assert.equal(batch.prevHash, prev);
    prev = batch.hash;
  }
  assert.equal(batches.length, 30);
  assert.equal(await b.headSeq(), 40);
  // B's commits reach A's listeners through NOTIFY
  const before = heardByA.length;
  const waited = new Promise<number>((resolve) => a.onCommit((head) => head === 41 && resolve(head)));
  await sb.upsertPerson(person());
  assert.equal(await Promise.race([waited, new Promise((r) => setTimeout(() => r('timeout'), 5000))]), 41);
  assert.ok(heardByA.length > before);
  assert.deepEqual(heardByA, [...heardByA].sort((x, y) => x - y), 'announced in order, each head once');
  assert.equal(new Set(heardByA).size, heardByA.length);
});

pgTest('migrations: idempotent on reopen; a schema newer than the code, or holding the other store, is refused', async (t) => {
  const { schema, keep } = closer(t);
  const signer = testSigner();
  const first = keep(await PostgresRegisterStore.open({ connectionString: PG_URL, schema }, signer));
  await new RegisterService(first).upsertPerson(person());
  await first.close();
  const again = keep(await PostgresRegisterStore.open({ connectionString: PG_URL, schema }, signer));
  assert.equal(await again.headSeq(), 1, 'reopening keeps the data');
  await again.close();
  const version = (await pgExec(`SELECT component, version FROM "${schema}".erx_schema`)).rows;
  assert.deepEqual(version, [{ component: 'register', version: REGISTER_SCHEMA.length }], 'every migration step ran');
  await assert.rejects(PostgresReplicaStore.open({ connectionString: PG_URL, schema, matcher: defaultMatcher }), /holds an erx register, not a replica/);
  await pgExec(`UPDATE "${schema}".erx_schema SET version = 99`);
  await assert.rejects(PostgresRegisterStore.open({ connectionString: PG_URL, schema }, signer), new RegExp(`version 99 .* newer than this erx understands \\(${REGISTER_SCHEMA.length}\\)`));
  // a store built with `new` reports the same error from its first operation
  const lazy = new PostgresRegisterStore({ connectionString: PG_URL, schema }, signer);
  await assert.rejects(lazy.headSeq(), /newer than this erx/);
  await lazy.close();
  // many first starts at once: one migrates, the others wait and find it done
  const { schema: other, keep: keepOther } = closer(t);
  const opened = await Promise.all(Array.from({ length: 4 }, () => PostgresReplicaStore.open({ connectionString: PG_URL, schema: other, matcher: defaultMatcher })));
  for (const s of opened) keepOther(s);
  assert.equal((await opened[0]!.state()).cursor, null);
});

test('schema names are plain identifiers; a store URL names PostgreSQL and may choose the schema', () => {
  assert.throws(() => new PostgresRegisterStore({ connectionString: PG_URL, schema: 'x"; DROP TABLE y; --' }, testSigner()), /schema name/);
  assert.throws(() => new PostgresReplicaStore({ connectionString: PG_URL, schema: 'Upper', matcher: defaultMatcher }), /schema name/);
  assert.deepEqual(postgresLocation('postgres://erx@db:5432/erx?schema=erx_border_2&sslmode=require', 'erx_border'), {
    connectionString: 'postgres://erx@db:5432/erx?sslmode=require',
    schema: 'erx_border_2',
  });
  assert.equal(postgresLocation('postgresql://db/erx', 'erx_register').schema, 'erx_register');
  assert.throws(() => postgresLocation('mysql://db/erx', 'x'), /not a PostgreSQL URL/);
  assert.throws(() => postgresLocation('postgres://db/erx?schema=a-b', 'x'), /schema name/);
  assert.deepEqual(postgresLocation('postgres://db/erx?pool=3&schema=cp_1', 'x'), { connectionString: 'postgres://db/erx', schema: 'cp_1', maxConnections: 3 });
  for (const bad of ['0', '-1', 'ten', '2.5', '']) assert.throws(() => postgresLocation(`postgres://db/erx?pool=${bad}`, 'x'), /pool=.* must be a number of connections/);
  assert.equal(isPostgresUrl('postgres://db/erx'), true);
  assert.equal(isPostgresUrl('POSTGRESQL://db/erx'), true);
  assert.equal(isPostgresUrl('/var/lib/erx'), false);
  assert.equal(isPostgresUrl(undefined), false);
});

pgTest('replica: a writer of an abandoned bootstrap cannot touch the newer build; counts survive hand edits and TRUNCATE', async (t) => {
  const { schema, keep } = closer(t);
  const store = keep(await PostgresReplicaStore.open({ connectionString: PG_URL, schema, matcher: defaultMatcher }));
  const old = await store.beginBootstrap();
  await old.write([{ type: 'person', body: personChange(1, 'OLD').body as never }]);
  const current = await store.beginBootstrap();
  await assert.rejects(old.write([{ type: 'person', body: personChange(2, 'STALE').body as never }]), /newer bootstrap/);
  await assert.rejects(old.finish(2, '2024-10-01T00:00:00.000Z', 'h'), /newer bootstrap/);
  await current.write([{ type: 'person', body: personChange(3, 'NEW').body as never }]);
  await current.finish(3, '2024-10-01T00:00:00.000Z', 'h3');
  assert.deepEqual([(await store.state()).persons, (await store.state()).cursor], [1, 3]);
  assert.equal(await store.getPerson('OLD'), undefined);
  // the swap left no next_* tables behind, and live names only
  const tables = (await pgExec('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema])).rows.map((r) => r.tablename);
  assert.deepEqual(tables, ['applied_batches', 'attestations', 'audit_trail', 'counts', 'documents', 'erx_schema', 'meta', 'name_keys', 'offices', 'outcome_ack', 'outcomes', 'persons', 'restrictions', 'rules']);
  const persistence = (await pgExec(`SELECT relname, relpersistence FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r' AND relpersistence <> 'p'`, [schema])).rows;
  assert.deepEqual(persistence, [], 'no table is left unlogged');
  // The counts are kept by triggers, so edits behind the store's back are counted too (state() itself
  // is read anew after the store's next write: it keeps what it read between its own writes).
  const counted = async () => Number((await pgExec(`SELECT n FROM "${schema}".counts WHERE name = 'persons'`)).rows[0].n);
  await pgExec(`INSERT INTO "${schema}".persons (person_id, surname, given_names, date_of_birth, documents, deferments, seq) VALUES ('X', 'a', 'b', '1990', '[]', '[]', 0)`);
  assert.equal(await counted(), 2);
  await store.noteContact(3, '2024-10-01T00:00:01.000Z', true);
  assert.equal((await store.state()).persons, 2, 'the next write reads the state anew');
  await pgExec(`TRUNCATE "${schema}".persons`);
  assert.equal(await counted(), 0);
});

pgTest('the audit trail: an export reads a period in chain order; a forger who drops the guard is named by verify', async (t) => {
  const { schema, keep } = closer(t);
  // one connection: a leaked one would hang the next operation
  const store = keep(await PostgresRegisterStore.open({ connectionString: PG_URL, schema, maxConnections: 1 }, testSigner()));
  for (let i = 0; i < 6; i++) await store.trail.append({ at: `2024-10-0${i + 1}T00:00:00.000Z`, actor: 'operator:ana', action: 'note', subject: `n-${i}`, detail: { i } });
  const period: string[] = [];
  for await (const e of store.trail.between('2024-10-02', '2024-10-05')) period.push(e.subject);
  assert.deepEqual(period, ['n-1', 'n-2', 'n-3']);
  for await (const e of store.trail.between('2024-10-01', '2024-12-01')) if (e.seq === 2) break; // an export stopped early frees its connection
  assert.deepEqual(await store.trail.verify(), { ok: true, entries: 6 });
  await assert.rejects(pgExec(`TRUNCATE "${schema}".audit_trail`), /append-only/);
  await pgExec(`DROP TRIGGER audit_append_only ON "${schema}".audit_trail`);
  await pgExec(`UPDATE "${schema}".audit_trail SET detail = '{"i":99}' WHERE seq = 3`);
  assert.deepEqual((await store.trail.verify()).firstBad, { seq: 3, reason: 'content does not match its hash (edited)' });
  await pgExec(`DELETE FROM "${schema}".audit_trail WHERE seq = 3`);
  assert.deepEqual((await store.trail.verify()).firstBad, { seq: 4, reason: 'entries 3–3 are missing (deleted)' });
});
