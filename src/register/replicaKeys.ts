/**
 * Which replicas the register takes outcomes of screenings from, and by which keys: `<data>/replica-keys.json`,
 * a map from a replica's name (the subject of the token it follows with, as in its signed audit heads)
 * to the public half of its audit key(s). Deny by default: an outcome from a replica not in the file,
 * or signed by a key not listed for that replica, is refused with the command that trusts it:
 *
 *     erx audit key export --data <replica data>   > cp-1.keys.json    (on the replica)
 *     erx register trust-replica cp-1 --keys cp-1.keys.json --data <register data>
 *
 * Why explicit trust and not trust on first use (as the audit witness does): an outcome changes the
 * register — a confirmed non-match clears a traveller at every checkpoint — so the first report must
 * not be what decides whose reports count. A rotated audit key is learned from an endorsement by a
 * trusted one (exchange/keys.ts), with no operator step. The file is re-read when it changes, so a
 * trust given while the register runs takes effect at once.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf, type PublicKeyInfo, TrustedKeys } from '../exchange/keys.js';

export const REPLICA_KEYS_FILE = 'replica-keys.json';

type Trusted = Record<string, PublicKeyInfo[]>;

export class ReplicaKeys {
  private readonly file: string;
  private loaded: { mtimeMs: number; trusted: Trusted } | null = null;

  constructor(dataDir: string) {
    this.file = join(dataDir, REPLICA_KEYS_FILE);
  }

  private read(): Trusted {
    if (!existsSync(this.file)) return {};
    const mtimeMs = statSync(this.file).mtimeMs;
    if (this.loaded?.mtimeMs !== mtimeMs) this.loaded = { mtimeMs, trusted: JSON.parse(readFileSync(this.file, 'utf8')) as Trusted };
    return this.loaded.trusted;
  }

  /** The keys trusted for `replica`, grown by what `published` endorses; null when the replica is not trusted at all. */
  keysFor(replica: string, published: PublicKeyInfo[] = []): TrustedKeys | null {
    const listed = this.read()[replica];
    if (!listed?.length) return null;
    const keys = new TrustedKeys(listed);
    keys.learn(published);
    return keys;
  }

  /** Trusts `keys` (a replica's exported audit keys) for `replica`, beside those it had. */
  trust(replica: string, keys: PublicKeyInfo[]): string[] {
    if (!/^[^\s]{1,200}$/.test(replica)) throw new Error(`"${replica}" is not a replica name (its token's subject)`);
    if (keys.length === 0) throw new Error('the key file holds no keys: export them with `erx audit key export --data DIR` on the replica');
    for (const k of keys) {
      if (keyIdOf(Buffer.from(k.publicKey, 'base64')) !== k.keyId) throw new Error(`key ${k.keyId} is not the id of the public key given with it`);
    }
    const trusted = this.read();
    const had = trusted[replica] ?? [];
    const merged = [...had, ...keys.filter((k) => !had.some((h) => h.keyId === k.keyId))];
    const tmp = this.file + '.tmp';
    writeFileSync(tmp, JSON.stringify({ ...trusted, [replica]: merged }, null, 2) + '\n');
    renameSync(tmp, this.file);
    return merged.map((k) => k.keyId);
  }
}
