/**
 * The register's signing keys (Ed25519, node:crypto) and a replica's set of trusted keys.
 *
 * Rotation with overlap: `erx register keys rotate` makes a new key, has the current key *endorse* it
 * (sign its id and public key), and gives the old key a retirement time. The register signs with the
 * newest key at once; replicas that meet an unknown key fetch the published keys and accept the new one
 * only if a key they already trust endorsed it, so a rotation needs no reconfiguration of checkpoints.
 * The old key stays trusted until it retires, so batches signed just before the rotation still verify.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

interface StoredKey extends PublicKeyInfo {
  /** base64 of the PKCS#8 DER encoding. */
  privateKey: string;
}

export interface Signature {
  keyId: string;
  signature: string;
}

/** Whatever signs the register's batches and manifests (RegisterKeys, or a test key). */
export interface Signer {
  sign(data: Buffer): Signature;
}

export function keyIdOf(publicKeyDer: Buffer): string {
  return createHash('sha256').update(publicKeyDer).digest('hex').slice(0, 16);
}

function publicKeyObject(info: Pick<PublicKeyInfo, 'publicKey'>): KeyObject {
  return createPublicKey({ key: Buffer.from(info.publicKey, 'base64'), format: 'der', type: 'spki' });
}

function endorsementText(info: PublicKeyInfo): Buffer {
  return Buffer.from(canonicalJson({ keyId: info.keyId, publicKey: info.publicKey, createdAt: info.createdAt }));
}

function newKey(): StoredKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' });
  return {
    keyId: keyIdOf(pub),
    publicKey: pub.toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    createdAt: new Date().toISOString(),
    retiresAt: null,
  };
}

const publicPart = ({ privateKey: _secret, ...pub }: StoredKey): PublicKeyInfo => pub;

/**
 * The register's key file, `<data>/keys.json` (mode 0600). Created with one key on first use. The same
 * class keeps a service's audit key (`<data>/audit-keys.json`, audit/auditKeys.ts) under another name.
 */
export class RegisterKeys {
  private readonly file: string;
  private keys: StoredKey[] = [];
  private loadedMtime = 0;
  private signingKey: { info: StoredKey; key: KeyObject } | null = null;

  constructor(dataDir: string, fileName = 'keys.json') {
    this.file = join(dataDir, fileName);
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(this.file)) this.save([newKey()]);
    this.load();
  }

  private save(keys: StoredKey[]): void {
    const tmp = this.file + '.tmp';
    writeFileSync(tmp, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  private load(): void {
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { keys: StoredKey[] };
    if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error(`${this.file} holds no keys`);
    this.keys = parsed.keys;
    this.loadedMtime = statSync(this.file).mtimeMs;
    const current = this.keys[this.keys.length - 1]!;
    this.signingKey = { info: current, key: createPrivateKey({ key: Buffer.from(current.privateKey, 'base64'), format: 'der', type: 'pkcs8' }) };
  }

  /** A rotation by another process (the CLI) is picked up on the next signature. */
  private refresh(): void {
    try {
      if (statSync(this.file).mtimeMs !== this.loadedMtime) this.load();
    } catch {
      // keep signing with the key in memory if the file is briefly absent mid-rename
    }
  }

  sign(data: Buffer): Signature {
    this.refresh();
    const { info, key } = this.signingKey!;
    return { keyId: info.keyId, signature: sign(null, data, key).toString('base64') };
  }

  /** Published keys: the current one and those still inside their overlap period. */
  published(now = new Date()): PublicKeyInfo[] {
    this.refresh();
    return this.keys.filter((k) => k.retiresAt === null || Date.parse(k.retiresAt) > now.getTime()).map(publicPart);
  }

  /** Every key this file ever held, retired ones too (to check what they signed while they were current). */
  all(): PublicKeyInfo[] {
    this.refresh();
    return this.keys.map(publicPart);
  }

  rotate(overlapMs: number): { retired: PublicKeyInfo; current: PublicKeyInfo } {
    this.refresh();
    const old = this.keys[this.keys.length - 1]!;
    const next = newKey();
    next.endorsedBy = old.keyId;
    next.endorsement = sign(null, endorsementText(next), createPrivateKey({ key: Buffer.from(old.privateKey, 'base64'), format: 'der', type: 'pkcs8' })).toString('base64');
    old.retiresAt = new Date(Date.now() + overlapMs).toISOString();
    this.save([...this.keys, next]);
    this.load();
    return { retired: publicPart(old), current: publicPart(next) };
  }
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
