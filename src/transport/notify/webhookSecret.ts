/**
 * The register's webhook secret: `<data>/notify-webhook.key`, 32 random bytes as hex, created on first
 * use with mode 0600 and kept across restarts (receivers are given it once). A file readable by others
 * is refused, like the register's other secrets.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WEBHOOK_SECRET_FILE = 'notify-webhook.key';

export function loadWebhookSecret(dataDir: string): Buffer {
  const file = join(dataDir, WEBHOOK_SECRET_FILE);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600); // whatever the umask
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it first
    }
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64,}$/i.test(hex)) throw new Error(`${file} must hold at least 32 bytes as hex`);
  return Buffer.from(hex, 'hex');
}
