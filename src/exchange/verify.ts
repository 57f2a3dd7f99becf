/**
 * Checking what arrives from a feed before any of it is applied: the content hashes to the batch's
 * hash, and a trusted key signed that hash. The chain and sequence checks live in exchange/planPage.ts.
 */
import { type TrustedKeys, UntrustedKey } from './keys.js';
import { batchHash, manifestBytes, type SignedBatch, type SnapshotTrailer } from './protocol.js';

export type RejectReason = 'unsigned' | 'tampered' | 'bad-signature' | 'unknown-key' | 'gap' | 'disorder' | 'replayed' | 'broken-chain';

export class BatchRejected extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

export function checkSignature(keys: TrustedKeys, data: Buffer, sig: { keyId?: unknown; signature?: unknown }, what: string): void {
  if (typeof sig.keyId !== 'string' || typeof sig.signature !== 'string' || !sig.keyId || !sig.signature) {
    throw new BatchRejected('unsigned', `${what} carries no signature`);
  }
  try {
    keys.verify(data, { keyId: sig.keyId, signature: sig.signature });
  } catch (err) {
    if (err instanceof UntrustedKey) {
      throw new BatchRejected(keys.has(sig.keyId) && !/retired/.test(err.message) ? 'bad-signature' : 'unknown-key', `${what}: ${err.message}`);
    }
    throw err;
  }
}

export function verifyBatch(batch: SignedBatch, keys: TrustedKeys): void {
  const what = `batch ${batch.firstSeq}–${batch.lastSeq}`;
  if (!Array.isArray(batch.changes) || typeof batch.firstSeq !== 'number' || typeof batch.lastSeq !== 'number') {
    throw new BatchRejected('tampered', `${what} is not a well-formed batch`);
  }
  if (batchHash(batch) !== batch.hash) throw new BatchRejected('tampered', `${what}: content does not match its hash`);
  checkSignature(keys, Buffer.from(batch.hash), batch, what);
}

export function verifyManifest(trailer: SnapshotTrailer, keys: TrustedKeys): void {
  checkSignature(keys, manifestBytes(trailer), trailer, `snapshot manifest as of ${trailer.asOfSeq}`);
}
