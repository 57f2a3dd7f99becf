/**
 * A service's key ring on disk: Ed25519 private keys in one file (mode 0600), the newest signing, with
 * rotation by endorsement (exchange/keys.ts says what an endorsement is and how a replica checks it).
 * The register keeps its exchange keys here (`<data>/keys.json`), and each service its audit key
 * (`<data>/audit-keys.json`, audit/auditKeys.ts). Private keys never leave this file.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endorsementText, keyIdOf, type PublicKeyInfo, type Signature } from '../exchange/keys.js';

interface StoredKey extends PublicKeyInfo {
  /** base64 of the PKCS#8 DER encoding. */
  privateKey: string;
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
