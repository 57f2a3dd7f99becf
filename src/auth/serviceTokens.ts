/**
 * The tokens a running service accepts, kept current without a restart: its secret (`auth.key`) and
 * its revocation list (`auth-revocations.json`) are looked at again when either file changes (one stat
 * each, at most once a second). So `erx auth revoke` and `erx auth rotate-key`, run against the
 * service's data directory, take effect within about a second.
 */
import { readFileSync } from 'node:fs';
import { FileChanges } from '../shared/fileChanges.js';
import { join } from 'node:path';
import { Revocations } from './revocations.js';
import type { Principal } from './roles.js';
import { AUTH_KEY_FILE, authSecret, verifyToken } from './tokens.js';

export class ServiceTokens {
  private current: Uint8Array;
  private readonly keyFile: FileChanges;
  readonly revocations: Revocations;

  constructor(
    private readonly dataDir: string,
    recheckMs = 1_000,
  ) {
    this.current = authSecret(dataDir);
    this.keyFile = new FileChanges(join(dataDir, AUTH_KEY_FILE), recheckMs);
    this.revocations = new Revocations(dataDir, recheckMs);
  }

  /** The current token secret (auth.key as it is now). */
  get secret(): Uint8Array {
    const key = this.keyFile.changed();
    if (key.changed && key.state === 'present') {
      // A key file being replaced is renamed into place whole; an unreadable one keeps the last key.
      const text = readFileSync(join(this.dataDir, AUTH_KEY_FILE), 'utf8').trim();
      const bytes = Buffer.from(text, 'base64');
      if (bytes.length >= 32) this.current = bytes;
    }
    return this.current;
  }

  verify(token: string): Promise<Principal> {
    return verifyToken(this.secret, token, this.revocations);
  }
}
