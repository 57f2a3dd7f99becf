/**
 * app/border/openReplicaStore.ts and app/register/openRegisterStore.ts: the only places that pick a
 * concrete store. Without a postgres:// URL both keep their database in SQLite in the data directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReplicaStore } from '../../src/app/border/openReplicaStore.js';
import { openRegisterStore } from '../../src/app/register/openRegisterStore.js';
import { registerReadiness } from '../../src/app/register/registerReadiness.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { SqliteRegisterStore } from '../../src/store/sqlite/registerStore.js';

test('stores: no URL means SQLite in the data directory, for a replica and a register', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'erx-app-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const replica = openReplicaStore({ dataDir: join(dir, 'border'), matcher: defaultMatcher });
  assert.ok(replica instanceof SqliteReplicaStore);
  assert.equal((await replica.state()).cursor, null);
  await replica.close();
  const register = openRegisterStore(join(dir, 'register'), undefined, undefined);
  assert.ok(register instanceof SqliteRegisterStore);
  assert.ok(existsSync(join(dir, 'register', 'register.db')));
  assert.deepEqual(await registerReadiness(register), { ready: true });
  await register.close();
});

test('register readiness: a database that does not answer is named as the reason', async () => {
  const answer = await registerReadiness({ headSeq: async () => Promise.reject(new Error('connection refused')) });
  assert.deepEqual(answer, { ready: false, reason: 'database: connection refused' });
});
