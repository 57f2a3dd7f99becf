/**
 * ReplicaTrust without a trust file: trust on first use only when asked for (firstUse), never by
 * default; what it pins, a restart trusts. (End to end, with a hostile feed and the command line:
 * test/integration/noSilentTrust.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RegisterKeys } from '../../src/auth/keyRing.js';
import { NO_TRUST_MESSAGE, ReplicaTrust } from '../../src/border/sync/trust.js';
import { tempDir } from '../helpers.js';

test('ReplicaTrust: without keys and without opt-in, the first keys a feed publishes are refused and nothing is pinned', (t) => {
  const dir = tempDir(t);
  const hostile = new RegisterKeys(tempDir(t)).published();
  const trust = new ReplicaTrust(dir);
  assert.equal(trust.canStart, false);
  assert.throws(() => trust.trustOnFirstUse(hostile), (err: Error) => err.message === NO_TRUST_MESSAGE);
  assert.equal(trust.keys, null);
  assert.equal(existsSync(join(dir, 'trusted-keys.json')), false, 'nothing pinned');

  const optedIn = new ReplicaTrust(dir, undefined, { firstUse: true });
  assert.equal(optedIn.canStart, true);
  optedIn.trustOnFirstUse(hostile);
  assert.equal(optedIn.origin, 'first-use');
  assert.deepEqual(new ReplicaTrust(dir).keys!.list().map((k) => k.keyId), hostile.map((k) => k.keyId), 'pinned: a restart trusts them without opt-in');
});
