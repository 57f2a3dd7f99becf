/**
 * A replica's trusted register keys, kept in `<data>/trusted-keys.json`.
 *
 * Where trust starts: the keys of a trust file given by the operator (`--trust FILE`, the output of
 * `erx register keys export`), or — when none is given — the keys the feed publishes at first contact
 * (trust on first use), pinned from then on. After that a key is added only when a trusted key endorsed
 * it (a rotation), never because the feed says so.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PublicKeyInfo, TrustedKeys } from './keys.js';

export interface TrustFile {
  keys: PublicKeyInfo[];
}

export function readTrustFile(file: string): PublicKeyInfo[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read trust file ${file}: ${(err as Error).message}`);
  }
  const keys = (parsed as Partial<TrustFile>)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k?.keyId === 'string' && typeof k?.publicKey === 'string')) {
    throw new Error(`trust file ${file} must be {"keys":[{"keyId","publicKey",…}]} as written by \`erx register keys export\``);
  }
  return keys;
}

export class ReplicaTrust {
  private readonly file: string;
  keys: TrustedKeys | null = null;
  /** How trust was established, for status and logs. */
  origin: 'configured' | 'pinned' | 'first-use' | 'none' = 'none';

  constructor(dataDir: string, configuredFile?: string) {
    this.file = join(dataDir, 'trusted-keys.json');
    const configured = configuredFile ? readTrustFile(configuredFile) : [];
    const pinned = existsSync(this.file) ? readTrustFile(this.file) : [];
    if (configured.length > 0) {
      this.keys = new TrustedKeys(configured);
      this.keys.learn(pinned);
      this.origin = 'configured';
      this.save();
    } else if (pinned.length > 0) {
      this.keys = new TrustedKeys(pinned);
      this.origin = 'pinned';
    }
  }

  /** First contact without a configured trust file: accept what the feed publishes, and pin it. */
  trustOnFirstUse(published: PublicKeyInfo[]): void {
    if (this.keys) return;
    if (published.length === 0) throw new Error('the feed publishes no signing keys');
    this.keys = new TrustedKeys(published);
    this.origin = 'first-use';
    this.save();
  }

  /** Takes in endorsed new keys from a published list; returns the ids added. */
  learn(published: PublicKeyInfo[]): string[] {
    if (!this.keys) return [];
    const added = this.keys.learn(published);
    this.save();
    return added;
  }

  private save(): void {
    if (!this.keys) return;
    const tmp = this.file + '.tmp';
    writeFileSync(tmp, JSON.stringify({ keys: this.keys.list() }, null, 2));
    renameSync(tmp, this.file);
  }
}
