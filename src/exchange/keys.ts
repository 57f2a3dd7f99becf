/**
 * Signatures of the exchange (Ed25519, node:crypto): what a signer is, key ids, endorsements, and a
 * replica's set of trusted keys. The key files that hold private keys live in auth/keyRing.ts.
 *
 * Rotation with overlap: `erx register keys rotate` makes a new key, has the current key *endorse* it
 * (sign its id and public key), and gives the old key a retirement time. The register signs with the
 * newest key at once; replicas that meet an unknown key fetch the published keys and accept the new one
 * only if a key they already trust endorsed it, so a rotation needs no reconfiguration of checkpoints.
 * The old key stays trusted until it retires, so batches signed just before the rotation still verify.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../shared/canonical.js';

export interface PublicKeyInfo {
  keyId: string;
  /** base64 of the SPKI DER encoding. */
  publicKey: string;
  createdAt: string;
  /** After this instant the key is no longer trusted; null while it is current. */
  retiresAt: string | null;
  /** The key that endorsed this one, and its signature over `endorsementText(this)`. */
  endorsedBy?: string;
  endorsement?: string;
}

export interface Signature {
  keyId: string;
  signature: string;
}

/** Whatever signs the register's batches and manifests (RegisterKeys in auth/keyRing.ts, or a test key). */
export interface Signer {
  sign(data: Buffer): Signature;
}

export function keyIdOf(publicKeyDer: Buffer): string {
  return createHash('sha256').update(publicKeyDer).digest('hex').slice(0, 16);
}

function publicKeyObject(info: Pick<PublicKeyInfo, 'publicKey'>): KeyObject {
  return createPublicKey({ key: Buffer.from(info.publicKey, 'base64'), format: 'der', type: 'spki' });
}

/** What an endorsing key signs about the key it endorses (auth/keyRing.ts signs it, TrustedKeys checks it). */
export function endorsementText(info: PublicKeyInfo): Buffer {
  return Buffer.from(canonicalJson({ keyId: info.keyId, publicKey: info.publicKey, createdAt: info.createdAt }));
}

export class UntrustedKey extends Error {}

/**
 * The keys a replica trusts. Starts from a configured list (or, failing that, the first keys it
 * fetched — trust on first use, pinned to the data directory) and grows only through endorsements.
 */
export class TrustedKeys {
  private readonly keys = new Map<string, { info: PublicKeyInfo; key: KeyObject }>();

  constructor(initial: PublicKeyInfo[]) {
    for (const k of initial) this.keys.set(k.keyId, { info: k, key: publicKeyObject(k) });
  }

  list(): PublicKeyInfo[] {
    return [...this.keys.values()].map((k) => k.info);
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  verify(data: Buffer, sig: Signature, now = new Date()): void {
    const entry = this.keys.get(sig.keyId);
    if (!entry) throw new UntrustedKey(`signed by key ${sig.keyId}, which this replica does not trust`);
    if (entry.info.retiresAt && Date.parse(entry.info.retiresAt) <= now.getTime()) {
      throw new UntrustedKey(`signed by key ${sig.keyId}, retired at ${entry.info.retiresAt}`);
    }
    if (!verify(null, data, entry.key, Buffer.from(sig.signature, 'base64'))) {
      throw new UntrustedKey(`signature by key ${sig.keyId} does not match the content`);
    }
  }

  /**
   * Learns from a published key list: new keys endorsed by a trusted key are added, and retirement
   * times of trusted keys are taken over. Returns the ids of keys added.
   */
  learn(published: PublicKeyInfo[]): string[] {
    const added: string[] = [];
    let progress = true;
    while (progress) {
      progress = false;
      for (const k of published) {
        const known = this.keys.get(k.keyId);
        if (known) {
          // Retirement only ever moves earlier: an unsigned list must not keep an old key alive.
          if (k.retiresAt && (!known.info.retiresAt || Date.parse(k.retiresAt) < Date.parse(known.info.retiresAt))) {
            known.info = { ...known.info, retiresAt: k.retiresAt };
          }
          continue;
        }
        if (!k.endorsedBy || !k.endorsement) continue;
        const endorser = this.keys.get(k.endorsedBy);
        if (!endorser) continue;
        if (keyIdOf(Buffer.from(k.publicKey, 'base64')) !== k.keyId) continue;
        if (!verify(null, endorsementText(k), endorser.key, Buffer.from(k.endorsement, 'base64'))) continue;
        this.keys.set(k.keyId, { info: k, key: publicKeyObject(k) });
        added.push(k.keyId);
        progress = true;
      }
    }
    return added;
  }
}
