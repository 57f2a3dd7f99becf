/** exchange/headClaim.ts: the register's signed word about its head, and how a replica checks it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrustedKeys } from '../../src/exchange/keys.js';
import { headClaimer, newerClaim, signHeadClaim, verifyHeadClaim } from '../../src/exchange/headClaim.js';
import type { SignedBatch } from '../../src/exchange/protocol.js';
import { BatchRejected } from '../../src/exchange/verify.js';
import { signedChain, testSigner } from '../helpers.js';

const refused = (fn: () => unknown, reason: string) => assert.throws(fn, (e: unknown) => e instanceof BatchRejected && e.reason === reason, `expected ${reason}`);

test('a claim verifies under the register key; altered, unsigned, foreign or malformed claims are refused with their reason', () => {
  const signer = testSigner();
  const keys = new TrustedKeys([signer.info]);
  const claim = signHeadClaim({ registerSeq: 7, headHash: 'ab'.repeat(32), registerTime: '2026-12-01T12:00:00.000Z' }, signer);
  assert.deepEqual(verifyHeadClaim(claim, keys), claim);
  // Extra fields are dropped: only what is signed comes out.
  assert.deepEqual(verifyHeadClaim({ ...claim, note: 'x' }, keys), claim);

  refused(() => verifyHeadClaim({ ...claim, registerTime: new Date().toISOString() }, keys), 'bad-signature');
  refused(() => verifyHeadClaim({ ...claim, registerSeq: 8 }, keys), 'bad-signature');
  refused(() => verifyHeadClaim({ ...claim, headHash: 'cd'.repeat(32) }, keys), 'bad-signature');
  refused(() => verifyHeadClaim({ ...claim, signature: '' }, keys), 'unsigned');
  refused(() => verifyHeadClaim(signHeadClaim(claim, testSigner()), keys), 'unknown-key');
  refused(() => verifyHeadClaim({ ...claim, registerSeq: -1 }, keys), 'tampered');
  refused(() => verifyHeadClaim({ ...claim, registerTime: 'yesterday' }, keys), 'tampered');
  refused(() => verifyHeadClaim('now', keys), 'tampered');
});

test("a batch's signature cannot be passed off as a claim (the signed bytes are tagged)", () => {
  const signer = testSigner();
  const keys = new TrustedKeys([signer.info]);
  const [batch] = signedChain(signer, [2]);
  refused(() => verifyHeadClaim({ registerSeq: batch!.lastSeq, headHash: batch!.hash, registerTime: batch!.committedAt, keyId: batch!.keyId, signature: batch!.signature }, keys), 'bad-signature');
});

test('the register reads its clock before its head, names the hash of the batch ending there, and signs afresh each time', async () => {
  const signer = testSigner();
  const keys = new TrustedKeys([signer.info]);
  const chain: SignedBatch[] = signedChain(signer, [2, 3]);
  let head = 0;
  const reads: string[] = [];
  let headReadAt = 0;
  const source = {
    headSeq: async () => {
      reads.push('head');
      await new Promise((r) => setTimeout(r, 3));
      headReadAt = Date.now();
      return head;
    },
    batchesAfter: async (after: number) => (reads.push('batch'), chain.filter((b) => b.lastSeq > after).slice(0, 1)),
  };
  const claim = headClaimer(source, signer);

  const empty = verifyHeadClaim(await claim(), keys);
  assert.deepEqual([empty.registerSeq, empty.headHash], [0, ''], 'an empty log: head 0, hash empty');

  head = 2;
  const before = Date.now();
  const first = verifyHeadClaim(await claim(), keys);
  assert.equal(first.registerSeq, 2);
  assert.equal(first.headHash, chain[0]!.hash);
  assert.ok(Date.parse(first.registerTime) >= before - 1, 'made now');
  assert.ok(Date.parse(first.registerTime) < headReadAt, 'the clock is read before the head, so nothing committed before the claim time is above its sequence number');

  head = 5;
  reads.length = 0;
  const second = verifyHeadClaim(await claim(), keys);
  assert.deepEqual([second.registerSeq, second.headHash], [5, chain[1]!.hash]);
  assert.deepEqual(reads, ['head', 'batch']);
  reads.length = 0;
  await new Promise((r) => setTimeout(r, 5));
  const third = verifyHeadClaim(await claim(), keys);
  assert.deepEqual(reads, ['head'], 'the hash is read again only when the head moves');
  assert.ok(Date.parse(third.registerTime) > Date.parse(second.registerTime), 'a fresh time on every claim');

  // The head's batch gone (compacted in a race): no claim rather than a wrong one.
  head = 9;
  assert.equal(await claim(), null);
});

test('the newer of two claims is the later by register time, then the higher sequence number', () => {
  const a = { registerSeq: 5, registerTime: '2026-12-01T12:00:00.000Z' };
  const b = { registerSeq: 4, registerTime: '2026-12-01T12:00:01.000Z' };
  const c = { registerSeq: 6, registerTime: '2026-12-01T12:00:01.000Z' };
  assert.equal(newerClaim(a, b), b);
  assert.equal(newerClaim(b, c), c);
  assert.equal(newerClaim(null, a), a);
  assert.equal(newerClaim(a, null), a);
});
