/**
 * A write transaction on a SQLite file that several processes write (a replica's audit.db and
 * manifests.db, shared by its workers), taken with short waits instead of SQLite's busy handler.
 *
 * Why by hand: SQLite's busy handler sleeps 1, 2, 5, 10, 15, 20, 25 … ms between tries. A manifest's or
 * a screening's write holds the lock for well under a millisecond (or an fsync), so with two workers
 * writing all the time most of the waiting was the handler's oversleeping: measured, two workers did
 * less work together than one alone, each idle half the time. Here a busy lock is tried again after
 * 20 µs, doubling to at most 1 ms, until `timeoutMs`; the wait blocks the thread as the busy handler
 * did (Atomics.wait), so nothing else of this connection runs meanwhile.
 */
import type { Db } from './sqlite.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const FIRST_WAIT_MS = 0.02;
const LONGEST_WAIT_MS = 1;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'));
}

/**
 * Each connection's statements and own busy timeout, prepared and read once. (A PRAGMA is carried out
 * when it is prepared, so the busy timeout is set with `db.pragma` each time rather than a statement.)
 */
const prepared = new WeakMap<Db, ReturnType<typeof statementsOf>>();

function statementsOf(db: Db) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    timeout: db.pragma('busy_timeout', { simple: true }) as number,
  };
}

/**
 * Runs `run` in an IMMEDIATE transaction (the write lock taken at BEGIN, so `run` never meets a busy
 * lock halfway), committed when it returns and rolled back if it throws. Only the BEGIN is tried again;
 * `run` runs once. Inside a transaction already open on `db` it runs as part of it (a savepoint).
 */
export function writeUnderLock<T>(db: Db, run: () => T, timeoutMs = 5000): T {
  if (db.inTransaction) return db.transaction(run)();
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = statementsOf(db)));
  db.pragma('busy_timeout = 0');
  try {
    const deadline = performance.now() + timeoutMs;
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      try {
        s.begin.run();
        break;
      } catch (err) {
        if (!isBusy(err) || performance.now() >= deadline) throw err;
        Atomics.wait(sleeper, 0, 0, wait);
      }
    }
  } finally {
    db.pragma(`busy_timeout = ${s.timeout}`);
  }
  try {
    const result = run();
    s.commit.run();
    return result;
  } catch (err) {
    if (db.inTransaction) s.rollback.run();
    throw err;
  }
}
