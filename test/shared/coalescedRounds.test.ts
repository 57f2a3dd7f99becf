/**
 * The runner behind manifests' re-screening and webhook delivery: rounds never overlap, requests made
 * during a round cost one more round (not one each), a failed round does not stop the next, and a
 * stopped runner starts none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoalescedRounds } from '../../src/shared/coalescedRounds.js';

test('requests during a round are coalesced into exactly one more round, and rounds never overlap', async () => {
  let rounds = 0;
  let inRound = 0;
  let overlapped = false;
  let release!: () => void;
  const runner = new CoalescedRounds(
    async () => {
      rounds++;
      inRound++;
      if (inRound > 1) overlapped = true;
      if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
      inRound--;
    },
    () => assert.fail('no round fails here'),
  );
  const first = runner.request();
  const during = [runner.request(), runner.request(), runner.request()];
  release();
  await Promise.all([first, ...during]);
  assert.equal(rounds, 2, 'the first round, then one more for the three requests made while it ran');
  assert.equal(overlapped, false);
  await runner.request();
  assert.equal(rounds, 3, 'a request after the rounds ended runs a new one');
});

test('a failed round goes to onError and the next request runs again; a stopped runner starts none', async () => {
  const errors: unknown[] = [];
  let rounds = 0;
  let stopped = false;
  const runner = new CoalescedRounds(
    async () => {
      rounds++;
      if (rounds === 1) throw new Error('the store was busy');
    },
    (err) => errors.push(err),
    () => stopped,
  );
  await runner.request();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /the store was busy/);
  await runner.request();
  assert.equal(rounds, 2);
  stopped = true;
  await runner.request();
  await runner.idle();
  assert.equal(rounds, 2, 'no round after stop');
});
