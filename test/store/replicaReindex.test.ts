/**
 * A replica opened with a matcher of another version rebuilds its name index from the persons it holds
 * (issue #20's matcher translit-6): before, the rebuild wrote keys while iterating the persons on the
 * same connection and every such opening failed with "This database connection is busy executing a
 * query".
 */
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { buildReplica } from '../../bench/matching/common.js';
import { generatePersons } from '../../src/demo/synthetic.js';
import { defaultMatcher, type Matcher } from '../../src/matching/index.js';
import type { PersonInput } from '../../src/register/schemas.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';

test('a replica opened with another matcher version rebuilds every person\'s name keys (more than one page of persons)', async () => {
  const count = 25_000;
  const persons = [...generatePersons({ count })] as unknown as PersonInput[];
  const replica = await buildReplica(persons, defaultMatcher, 'erx-reindex-');
  const dir = replica.dir;
  await replica.store.close();
  // The next version stores one more key per person: its own id, to see that every person got it.
  const next: Matcher = { ...defaultMatcher, version: `${defaultMatcher.version}-next`, indexKeys: (p) => [...defaultMatcher.indexKeys(p), `zz${p.personId}`] };
  const progress: number[] = [];
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: next, onReindex: (done) => progress.push(done) });
  try {
    for (const p of [persons[0]!, persons[12_345]!, persons[count - 1]!]) {
      const found = await store.byNameKeys([`zz${p.personId}`], 5);
      assert.deepEqual(found.map((x) => x.personId), [p.personId]);
    }
    assert.deepEqual(progress, [10_000, 20_000]);
    // The old keys are rebuilt too: a person is found by its surname key as before.
    const first = persons[0]!;
    const keys = defaultMatcher.indexKeys({ personId: first.personId, surname: first.surname, givenNames: first.givenNames, patronymic: first.patronymic, dateOfBirth: first.dateOfBirth, documents: [] } as never);
    assert.ok((await store.byNameKeys(keys, 300)).some((x) => x.personId === first.personId));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
