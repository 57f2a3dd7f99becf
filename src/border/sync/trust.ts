/**
 * A replica's trusted register keys, kept in `<data>/trusted-keys.json`.
 *
 * Where trust starts: the keys of a trust file given by the operator (`--trust FILE`, the output of
 * `erx register keys export`), or keys already pinned in the data directory by an earlier run. Only
 * when the operator asks for it explicitly (`--trust-on-first-use`) are the keys the feed publishes at
 * first contact taken and pinned: otherwise whoever answered first — an impostor in the network path,
 * a wrong URL — would become the register. After that a key is added only when a trusted key endorsed
 * it (a rotation), never because the feed says so.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PublicKeyInfo, TrustedKeys } from '../../exchange/keys.js';

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

/** Why a replica without trusted keys will not start, and what the operator does about it. */
export const NO_TRUST_MESSAGE =
  'this replica trusts no register keys yet, and will not trust whatever key answers first: ' +
  'export the register\'s keys with `erx register keys export > keys.json` (on the register, with its --data) ' +
  'and start the replica with `--trust keys.json` (ERX_TRUST_FILE); ' +
  'or, knowingly, pin the keys the feed publishes at first contact with --trust-on-first-use (ERX_TRUST_ON_FIRST_USE=yes)';

export interface ReplicaTrustOptions {
  /** Take and pin the keys the feed publishes at first contact when none are configured or pinned. Default false. */
  firstUse?: boolean;
}

export class ReplicaTrust {
  private readonly file: string;
  private readonly firstUse: boolean;
  keys: TrustedKeys | null = null;
  /** How trust was established, for status and logs. */
  origin: 'configured' | 'pinned' | 'first-use' | 'none' = 'none';

  constructor(dataDir: string, configuredFile?: string, options: ReplicaTrustOptions = {}) {
    this.file = join(dataDir, 'trusted-keys.json');
    this.firstUse = options.firstUse ?? false;
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

  /** Whether the replica can verify anything at all, or may start by trusting its first contact. */
  get canStart(): boolean {
    return this.keys !== null || this.firstUse;
  }

  /**
   * First contact without a configured trust file: accept what the feed publishes, and pin it — only
   * when trust on first use was asked for; otherwise refuse (NO_TRUST_MESSAGE).
   */
  trustOnFirstUse(published: PublicKeyInfo[]): void {
    if (this.keys) return;
    if (!this.firstUse) throw new Error(NO_TRUST_MESSAGE);
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
