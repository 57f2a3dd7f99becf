/**
 * A replica's own watch over its database (border/replicaHealth.ts), on real SQLite files: a read that
 * meets a damaged page marks the replica damaged and answers in words; screening then refers; the
 * digest computed off the main thread equals the one computed on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ReplicaHealth } from '../../src/border/replicaHealth.js';
import { ScreeningService } from '../../src/border/screening.js';
import { borderPersonOf, borderRestrictionOf, type SnapshotRecord } from '../../src/exchange/protocol.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { ErxError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/log.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { damageTablePages } from '../damageFile.js';
import { callUp, person, served, tempDir } from '../helpers.js';

const PERSONS = 400;

/** A replica of PERSONS persons, each with a served call-up, bootstrapped as of seq 7. */
async function replicaWithData(dir: string): Promise<SqliteReplicaStore> {
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const writer = await store.beginBootstrap();
  const records: SnapshotRecord[] = [];
  for (let i = 0; i < PERSONS; i++) {
    const p = person({ personId: `H-${i}`, surname: 'Смирнов', givenNames: 'Иван', dateOfBirth: `19${50 + (i % 50)}-02-03`, restrictions: [callUp(`CU-H-${i}`, served)] });
    records.push({ type: 'person', body: borderPersonOf(p) });
    records.push({ type: 'restriction', body: borderRestrictionOf({ ...p.restrictions[0]!, personId: p.personId })! });
  }
  await writer.write(records);
  await writer.finish(7, new Date().toISOString(), 'h'.repeat(64));
  return store;
}

test('the digest computed off the main thread, on a snapshot, equals the one computed on it', async (t) => {
  const store = await replicaWithData(tempDir(t));
  t.after(() => store.close());
  const off = store.digestOffThread();
  assert.equal(await off.snapshot, 7);
  assert.deepEqual(await off.digests, await store.digest());
});

test('a read that meets a damaged page: the replica is damaged, the caller gets the reason as a 503, screening refers', async (t) => {
  const dir = tempDir(t);
  const built = await replicaWithData(dir);
  await built.close();
  damageTablePages(join(dir, 'state.db'), 'persons', 3);

  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher }); // opens: the damaged pages are not read yet
  t.after(() => store.close());
  const health = new ReplicaHealth({ store, log: createLogger('test'), checkEveryMs: 60_000 });
  const watched = health.watch(store);
  assert.equal(health.damage, null);

  await assert.rejects(watched.digest(), (err: unknown) => {
    assert.ok(err instanceof ErxError, `a 503, not ${String(err)}`);
    assert.equal(err.status, 503);
    assert.match(err.message, /^replica database damaged: database disk image is malformed; it is being rebuilt from the register/);
    return true;
  });
  assert.match(health.damage!.reason, /malformed/);
  assert.match(health.notReadyBecause()!, /replica database damaged/);

  const screening = new ScreeningService({
    store: watched,
    matcher: defaultMatcher,
    freshness: async () => ({ replicaSeq: 7, registerSeq: 7, dataAsOf: new Date().toISOString(), lagSeconds: 0 }),
    damage: () => health.damageNow(),
  });
  const answer = await screening.screen({ surname: 'SMIRNOV', givenNames: 'IVAN', dateOfBirth: '1950-02-03' }, 'cp-1@test');
  assert.equal(answer.decision, 'refer');
  assert.deepEqual(answer.reasons.map((r) => 'kind' in r && r.kind), ['replica-database-damaged']);
  assert.equal((await store.screenings(1))[0]!.decision, 'refer', 'the refer is audited');
});

test('quick_check finds the damaged pages; a sound file passes', async (t) => {
  const dir = tempDir(t);
  const built = await replicaWithData(dir);
  assert.deepEqual((await built.checkIntegrity()).problems, []);
  await built.close();
  damageTablePages(join(dir, 'state.db'), 'restrictions', 1);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  t.after(() => store.close());
  const { problems } = await store.checkIntegrity();
  assert.ok(problems.length > 0);
  assert.match(problems.join('\n'), /malformed|page \d+/);
});
