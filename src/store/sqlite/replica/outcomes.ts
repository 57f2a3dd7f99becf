/**
 * A SQLite replica's outcomes of screenings (the reverse channel's outbox, exchange/outcome.ts), in
 * audit.db beside the screening audit they refer to: numbered densely, one per screening (a unique
 * key), each written with its audit entry in one transaction, and how far the upstream acknowledged them.
 */
import { OutcomeExists, type SealOutcome } from '../../../border/replicaStore.js';
import type { SignedOutcome } from '../../../exchange/outcome.js';
import type { Db } from '../../../shared/sqlite.js';
import { writeUnderLock } from '../../../shared/sqliteWriteLock.js';
import type { AuditTrail } from '../auditTrail.js';

export const OUTCOME_TABLES = `
  CREATE TABLE IF NOT EXISTS outcomes (n INTEGER PRIMARY KEY, screening_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS outcome_ack (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);`;

export class SqliteOutcomes {
  constructor(
    private readonly db: Db,
    private readonly trail: AuditTrail,
  ) {}

  outcomeOf(screeningId: string): SignedOutcome | undefined {
    const row = this.db.prepare<[string], { body: string }>('SELECT body FROM outcomes WHERE screening_id = ?').get(screeningId);
    return row ? (JSON.parse(row.body) as SignedOutcome) : undefined;
  }

  record(screeningId: string, seal: SealOutcome): SignedOutcome {
    try {
      // IMMEDIATE: it reads the last number and then writes, while the other workers append screenings.
      return writeUnderLock(this.db, () => {
        const n = (this.db.prepare<[], { n: number | null }>('SELECT max(n) AS n FROM outcomes').get()?.n ?? 0) + 1;
        const { signed, audit } = seal(n);
        this.db.prepare('INSERT INTO outcomes VALUES (?, ?, ?)').run(n, screeningId, JSON.stringify(signed));
        this.trail.append(audit);
        return signed;
      });
    } catch (err) {
      this.trail.invalidate();
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const existing = this.outcomeOf(screeningId);
        if (existing) throw new OutcomeExists(existing);
      }
      throw err;
    }
  }

  after(after: number, limit: number): SignedOutcome[] {
    return this.db.prepare<[number, number], { body: string }>('SELECT body FROM outcomes WHERE n > ? ORDER BY n LIMIT ?').all(after, limit).map((r) => JSON.parse(r.body) as SignedOutcome);
  }

  acknowledged(): number {
    return this.db.prepare<[], { n: number }>('SELECT n FROM outcome_ack WHERE id = 1').get()?.n ?? 0;
  }

  acknowledge(n: number): void {
    this.db.prepare('INSERT INTO outcome_ack VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET n = max(n, excluded.n)').run(n);
  }
}
