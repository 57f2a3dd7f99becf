/**
 * The tokens a running service accepts, kept current without a restart: its secret (`auth.key`) and
 * its revocation list (`auth-revocations.json`) are looked at again when either file changes (one stat
 * each, at most once a second). So `erx auth revoke` and `erx auth rotate-key`, run against the
 * service's data directory, take effect within about a second.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Revocations } from './revocations.js';
import type { Principal } from './roles.js';
import { AUTH_KEY_FILE, authSecret, verifyToken } from './tokens.js';

export class ServiceTokens {
  private current: Uint8Array;
  private seen: string;
  private checkedAt = Date.now();
  readonly revocations: Revocations;

  constructor(
    private readonly dataDir: string,
    private readonly recheckMs = 1_000,
  ) {
    this.current = authSecret(dataDir);
    this.seen = this.signature();
    this.revocations = new Revocations(dataDir, recheckMs);
  }

  /** The current token secret (auth.key as it is now). */
  get secret(): Uint8Array {
    const now = Date.now();
    if (now - this.checkedAt >= this.recheckMs) {
      this.checkedAt = now;
      const signature = this.signature();
      if (signature !== this.seen && signature !== 'none') {
        // A key file being replaced is renamed into place whole; an unreadable one keeps the last key.
        const text = readFileSync(join(this.dataDir, AUTH_KEY_FILE), 'utf8').trim();
        const key = Buffer.from(text, 'base64');
        if (key.length >= 32) this.current = key;
        this.seen = signature;
      }
    }
    return this.current;
  }

  verify(token: string): Promise<Principal> {
    return verifyToken(this.secret, token, this.revocations);
  }

  private signature(): string {
    const stat = statSync(join(this.dataDir, AUTH_KEY_FILE), { throwIfNoEntry: false });
    return stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : 'none';
  }
}
