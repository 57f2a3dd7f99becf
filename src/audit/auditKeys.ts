/**
 * A service's audit key: the Ed25519 key that signs its audit heads, in `<data>/audit-keys.json`
 * (mode 0600), kept by the same code as the register's exchange keys (exchange/keys.ts), so creation,
 * file mode and rotation with endorsement live in one place.
 *
 * Why not the register's exchange key: that key is what every replica trusts to apply changes. A
 * process that signs audit heads (a replica, a checkpoint, a register's periodic timer) must not be able
 * to sign exchange batches, and a replica has no exchange key at all. One dedicated key per service,
 * register and replicas alike, keeps the two duties apart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type PublicKeyInfo } from '../exchange/keys.js';
import { RegisterKeys } from '../auth/keyRing.js';

export const AUDIT_KEY_FILE = 'audit-keys.json';

/** The service's audit key, created on first use. */
export function openAuditKeys(dataDir: string): RegisterKeys {
  return new RegisterKeys(dataDir, AUDIT_KEY_FILE);
}

/** The public half of every audit key the data directory holds, or null when it holds none (nothing is created). */
export function readAuditPublicKeys(dataDir: string): PublicKeyInfo[] | null {
  return existsSync(join(dataDir, AUDIT_KEY_FILE)) ? openAuditKeys(dataDir).all() : null;
}
