/**
 * Telling a damaged database from any other failure. A replica that reads or writes a damaged file
 * must stop trusting it (border/replicaHealth.ts) instead of answering "internal error" for ever:
 * SQLite says so with SQLITE_CORRUPT (and its extended codes) or SQLITE_NOTADB ("file is not a
 * database"); PostgreSQL with the SQLSTATEs of class XX: data_corrupted (XX001) and index_corrupted
 * (XX002).
 */

/** The error, or anything in its `cause` chain, says the database's own files are damaged. */
export function isDatabaseDamage(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) return true;
    if (code === 'XX001' || code === 'XX002') return true;
  }
  return false;
}

/** Words for an operator (and a log line): what the database said, without the driver's code names. */
export function describeDamage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^SqliteError:\s*/, '');
}
