/**
 * Revoked tokens. A token that leaked (a lost checkpoint laptop, a departed operator) must stop working
 * before it expires: `erx auth revoke` writes `<data>/auth-revocations.json` (mode 0600) — token ids
 * (`jti`) and an optional "everything issued before" instant — and every running service using that
 * data directory picks the file up within a second, without a restart (ServiceTokens re-reads it when
 * it changes). An unreadable or malformed list refuses every token: a broken list must not let a
 * revoked token back in.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FileChanges } from '../shared/fileChanges.js';
import { join } from 'node:path';
import { z } from 'zod';

export const REVOCATIONS_FILE = 'auth-revocations.json';

const listSchema = z.strictObject({
  /** Tokens issued (iat) before this instant are refused. */
  revokedBefore: z.iso.datetime().nullable(),
  /** Revoked token ids, each with when and why. */
  tokens: z.record(z.string().min(1).max(200), z.strictObject({ revokedAt: z.iso.datetime(), reason: z.string().max(500).optional() })),
});
export type RevocationList = z.infer<typeof listSchema>;

const EMPTY: RevocationList = { revokedBefore: null, tokens: {} };

export class RevocationListError extends Error {}

export function readRevocations(dataDir: string): RevocationList {
  const file = join(dataDir, REVOCATIONS_FILE);
  if (!existsSync(file)) return { revokedBefore: null, tokens: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RevocationListError(`${file} is not readable JSON: ${(err as Error).message}`);
  }
  const result = listSchema.safeParse(parsed);
  if (!result.success) throw new RevocationListError(`${file} is malformed at ${result.error.issues[0]!.path.join('.') || '(top)'}: ${result.error.issues[0]!.message}`);
  return result.data;
}

export interface Revocation {
  /** Revoke one token by its id (`jti`). */
  jti?: string;
  /** Revoke every token issued before this instant. */
  before?: Date;
  reason?: string;
}

/** Adds to the list and writes it whole (a temporary file renamed over it, mode 0600). */
export function revoke(dataDir: string, what: Revocation, now = new Date()): RevocationList {
  if (!what.jti && !what.before) throw new Error('name a token id (--jti), a token (--token) or an instant (--before)');
  const list = readRevocations(dataDir);
  if (what.jti) list.tokens[what.jti] = { revokedAt: now.toISOString(), ...(what.reason ? { reason: what.reason } : {}) };
  if (what.before) {
    const before = what.before.toISOString();
    // Only ever moves forward: revoking "before an earlier time" must not un-revoke anything.
    if (list.revokedBefore === null || before > list.revokedBefore) list.revokedBefore = before;
  }
  const file = join(dataDir, REVOCATIONS_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return list;
}

/**
 * The list as a running service holds it: looked at again when the file changed, checked at most
 * every `recheckMs` (one stat), so revocations take effect within that time.
 */
export class Revocations {
  private list: RevocationList = EMPTY;
  private problem: string | null = null;
  private readonly file: FileChanges;

  constructor(
    private readonly dataDir: string,
    recheckMs = 1_000,
  ) {
    this.file = new FileChanges(join(dataDir, REVOCATIONS_FILE), recheckMs, false);
    this.refresh(true);
  }

  /** Why a token with this id, issued at `issuedAt` (seconds), is refused; null when it is not revoked. */
  reasonToRefuse(jti: string, issuedAt: number): string | null {
    this.refresh(false);
    if (this.problem) return `the revocation list cannot be read, so no token is accepted: ${this.problem}`;
    const entry = this.list.tokens[jti];
    if (entry) return `token was revoked at ${entry.revokedAt}${entry.reason ? ` (${entry.reason})` : ''}`;
    if (this.list.revokedBefore !== null && issuedAt * 1000 < Date.parse(this.list.revokedBefore)) {
      return `token was issued before ${this.list.revokedBefore}, when all earlier tokens were revoked`;
    }
    return null;
  }

  private refresh(force: boolean): void {
    if (!this.file.changed(force).changed) return;
    try {
      this.list = readRevocations(this.dataDir);
      this.problem = null;
    } catch (err) {
      this.problem = (err as Error).message;
    }
  }
}
