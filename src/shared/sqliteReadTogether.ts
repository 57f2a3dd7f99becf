/**
 * Reads of one task on a SQLite connection, made one read transaction: the reads inside `run` see one
 * snapshot of the file and pay for one transaction.
 *
 * Why: outside a transaction every statement is a read transaction of its own, and in WAL mode each one
 * takes and drops a shared lock and checks whether the file changed — four system calls (fcntl twice,
 * pread, fstat), about 6–7 µs. A screening runs five to eight statements (document, the name-key stages,
 * restrictions, persons), a carrier's manifest 300 times that: measured on a replica of a million
 * persons, a document lookup cost 7 µs alone and 0.5 µs inside a transaction.
 *
 * Rules, because one connection is shared by every task of the process:
 *  - runs nest and overlap (a manifest's travellers, a screening that starts while another awaits):
 *    they share the transaction, which ends when the last of them does;
 *  - a transaction open longer than `renewAfterMs` is ended and a new one begun when another run starts,
 *    so overlapping runs cannot hold one snapshot (and keep the WAL from being checkpointed) for long;
 *    a run that spans the renewal reads from two snapshots, as reads outside a run always did;
 *  - `end()` ends it at once, for a write on the same connection (which must not become part of a read
 *    transaction and be committed only when the readers finish);
 *  - a connection closed under a run (a bootstrap swapped the file in) needs nothing: closing it ended
 *    its transaction, the run's later reads go to the new connection as they come, and the next run
 *    begins a transaction there.
 * BEGIN is deferred: the snapshot is taken by the first read, not at `run`.
 */
import type { Db } from './sqlite.js';

export const RENEW_READ_AFTER_MS = 200;

export class ReadTogether {
  private depth = 0;
  private open: { db: Db; since: number } | null = null;
  private readonly begun = new WeakMap<Db, { begin: () => void; commit: () => void }>();

  /** `db` is asked each time: the connection may be replaced (a bootstrap swaps the state file in). */
  constructor(
    private readonly db: () => Db,
    private readonly renewAfterMs = RENEW_READ_AFTER_MS,
  ) {}

  async run<T>(reads: () => Promise<T>): Promise<T> {
    this.enter();
    try {
      return await reads();
    } finally {
      if (--this.depth === 0) this.end();
    }
  }

  /** Ends the shared read transaction now; runs still going on read outside one until the next run begins one. */
  end(): void {
    const open = this.open;
    this.open = null;
    if (open && open.db.open && open.db.inTransaction) this.statements(open.db).commit();
  }

  private enter(): void {
    this.depth++;
    const db = this.db();
    if (this.open && (this.open.db !== db || performance.now() - this.open.since > this.renewAfterMs)) this.end();
    // A transaction of someone else's on this connection (a write in progress) is left alone.
    if (this.open || db.inTransaction) return;
    this.statements(db).begin();
    this.open = { db, since: performance.now() };
  }

  private statements(db: Db) {
    let s = this.begun.get(db);
    if (!s) {
      const begin = db.prepare('BEGIN');
      const commit = db.prepare('COMMIT');
      s = { begin: () => void begin.run(), commit: () => void commit.run() };
      this.begun.set(db, s);
    }
    return s;
  }
}
