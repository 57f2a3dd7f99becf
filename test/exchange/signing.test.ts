import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrustedKeys } from '../../src/exchange/keys.js';
import { RegisterKeys } from '../../src/auth/keyRing.js';
import { BatchRejected, verifyBatch } from '../../src/exchange/verify.js';
import { personChange, signedChain, tempDir, testSigner } from '../helpers.js';

const rejects = (fn: () => void, reason: string) =>
  assert.throws(fn, (e: unknown) => e instanceof BatchRejected && e.reason === reason, `expected ${reason}`);

test('an honest batch verifies; tampered, unsigned, foreign-signed or mis-signed batches are refused with their reason', () => {
  const signer = testSigner();
  const trusted = new TrustedKeys([signer.info]);
  const [batch] = signedChain(signer, [3]);
  verifyBatch(batch!, trusted);

  rejects(() => verifyBatch({ ...batch!, changes: [personChange(1, 'P-1', 'Петров'), ...batch!.changes.slice(1)] }, trusted), 'tampered');
  rejects(() => verifyBatch({ ...batch!, signature: '' }, trusted), 'unsigned');
  const stranger = testSigner();
  rejects(() => verifyBatch(signedChain(stranger, [3])[0]!, trusted), 'unknown-key');
  const sig = Buffer.from(batch!.signature, 'base64');
  sig[0] = sig[0]! ^ 0xff;
  rejects(() => verifyBatch({ ...batch!, signature: sig.toString('base64') }, trusted), 'bad-signature');
});

test('rotation: the new key is endorsed by the old; replicas learn it only through that endorsement; the old key retires after the overlap', (t) => {
  const keys = new RegisterKeys(tempDir(t));
  const before = keys.published();
  assert.equal(before.length, 1);
  const trusted = new TrustedKeys(before);

  const { retired, current } = keys.rotate(60_000);
  assert.equal(current.endorsedBy, retired.keyId);
  const signed = keys.sign(Buffer.from('x'));
  assert.equal(signed.keyId, current.keyId, 'the register signs with the new key at once');
  assert.equal(keys.published().length, 2, 'the old key is still published during the overlap');

  assert.throws(() => trusted.verify(Buffer.from('x'), signed), /does not trust/);
  assert.deepEqual(trusted.learn(keys.published()), [current.keyId]);
  trusted.verify(Buffer.from('x'), signed);

  // An unendorsed key, or one endorsed by a key nobody trusts, is not learned.
  const rogue = testSigner().info;
  assert.deepEqual(trusted.learn([rogue]), []);
  const rogueKeys = new RegisterKeys(tempDir(t));
  rogueKeys.rotate(0);
  assert.deepEqual(trusted.learn(rogueKeys.published()), []);

  // Past its retirement the old key no longer verifies.
  const oldSig = { keyId: retired.keyId, signature: 'AAAA' };
  const later = new Date(Date.parse(retired.retiresAt!) + 1);
  assert.throws(() => trusted.verify(Buffer.from('x'), oldSig, later), /retired/);
});

test('a rotation with overlap 0 retires the old key immediately', (t) => {
  const keys = new RegisterKeys(tempDir(t));
  keys.rotate(0);
  assert.equal(keys.published().length, 1);
});
