/**
 * A signed audit head: the end of a service's hash chain ({service, seq, hash, at}) signed with the
 * service's Ed25519 audit key. The chain alone proves only that it is self-consistent — whoever can
 * write the database can recompute it, or cut off its tail. A head signed earlier, and kept where the
 * forger cannot reach (a witness, a monitor's copy), pins what the chain held at that moment.
 *
 * The signed text carries a `kind` of its own, so an audit head can never be mistaken for anything else
 * signed with Ed25519 in erx (exchange batches, manifests).
 */
import { z } from 'zod';
import { canonicalJson } from '../shared/canonical.js';
import { type PublicKeyInfo, type Signer, TrustedKeys, UntrustedKey } from '../exchange/keys.js';

import type { ChainHead } from './chain.js';

export interface SignedHead extends ChainHead {
  /** Who keeps the chain: `register`, or a replica's name (its token's subject at its upstream). */
  service: string;
  /** When it was signed (the signer's clock). */
  at: string;
  keyId: string;
  signature: string;
}

const HEAD_KIND = 'erx.audit-head/1';

/** The exact bytes signed. */
export function headText(h: Pick<SignedHead, 'service' | 'seq' | 'hash' | 'at'>): Buffer {
  return Buffer.from(canonicalJson({ kind: HEAD_KIND, service: h.service, seq: h.seq, hash: h.hash, at: h.at }));
}

export function signHead(signer: Signer, service: string, head: ChainHead, at = new Date().toISOString()): SignedHead {
  const unsigned = { service, seq: head.seq, hash: head.hash, at };
  return { ...unsigned, ...signer.sign(headText(unsigned)) };
}

/**
 * Checks a head's signature against `keys` (a service's own audit keys, or those a witness pinned).
 * A key is judged as of the head's own `at`, so a head signed before its key retired stays valid.
 * Returns why it does not hold, or null.
 */
export function headSignatureProblem(head: SignedHead, keys: TrustedKeys | PublicKeyInfo[]): string | null {
  const trusted = keys instanceof TrustedKeys ? keys : new TrustedKeys(keys);
  try {
    trusted.verify(headText(head), head, new Date(head.at));
    return null;
  } catch (err) {
    if (err instanceof UntrustedKey) return err.message;
    return `signature cannot be checked: ${(err as Error).message}`;
  }
}

/** A head as it arrives over the wire or from a file: checked before anything else looks at it. */
export const signedHeadSchema = z.strictObject({
  service: z.string().min(1).max(200),
  seq: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash in lowercase hex'),
  at: z.iso.datetime({ offset: true }),
  keyId: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex digits)'),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64').max(200),
});

/** A public audit key as published (the format of `erx register keys export`). */
export const publicKeySchema = z.object({
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  publicKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200),
  createdAt: z.string().max(40),
  retiresAt: z.string().max(40).nullable(),
  endorsedBy: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  endorsement: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200).optional(),
});
