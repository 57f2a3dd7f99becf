/**
 * A PostgreSQL replica's outcomes of screenings (the reverse channel's outbox, exchange/outcome.ts),
 * beside the screening audit they refer to: numbered densely, one per screening (a unique key), each
 * written with its audit entry in one transaction, and how far the upstream acknowledged them.
 * Numbering takes the audit chain's lock first, so two officers recording at once take turns.
 */
import { OutcomeExists, type SealOutcome } from '../../../border/replicaStore.js';
import type { SignedOutcome } from '../../../exchange/outcome.js';
import type { PostgresAuditTrail } from '../auditTrail.js';
import { inTransaction, type Pool } from '../db.js';

export function outcomeTables(s: string): string {
  return `
  CREATE INDEX IF NOT EXISTS audit_by_subject ON ${s}.audit_trail (subject);
  CREATE TABLE IF NOT EXISTS ${s}.outcomes (n bigint PRIMARY KEY, screening_id text COLLATE "C" NOT NULL UNIQUE, body text NOT NULL);
  CREATE TABLE IF NOT EXISTS ${s}.outcome_ack (id boolean PRIMARY KEY DEFAULT true CHECK (id), n bigint NOT NULL);`;
}

export class PostgresOutcomes {
  constructor(
    private readonly pool: Pool,
    private readonly s: string,
    private readonly trail: PostgresAuditTrail,
  ) {}

  async outcomeOf(screeningId: string): Promise<SignedOutcome | undefined> {
    const row = (await this.pool.query<{ body: string }>(`SELECT body FROM ${this.s}.outcomes WHERE screening_id = $1`, [screeningId])).rows[0];
    return row ? (JSON.parse(row.body) as SignedOutcome) : undefined;
  }

  async record(screeningId: string, seal: SealOutcome): Promise<SignedOutcome> {
    try {
      return await inTransaction(this.pool, 'BEGIN', async (client) => {
        await this.trail.lockHead(client);
        const n = Number((await client.query<{ n: string | null }>(`SELECT max(n) AS n FROM ${this.s}.outcomes`)).rows[0]?.n ?? 0) + 1;
        const { signed, audit } = seal(n);
        await client.query(`INSERT INTO ${this.s}.outcomes (n, screening_id, body) VALUES ($1, $2, $3)`, [n, screeningId, JSON.stringify(signed)]);
        await this.trail.appendIn(client, audit);
        return signed;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        const existing = await this.outcomeOf(screeningId);
        if (existing) throw new OutcomeExists(existing);
      }
      throw err;
    }
  }

  async after(after: number, limit: number): Promise<SignedOutcome[]> {
    return (await this.pool.query<{ body: string }>(`SELECT body FROM ${this.s}.outcomes WHERE n > $1 ORDER BY n LIMIT $2`, [after, limit])).rows.map((r) => JSON.parse(r.body) as SignedOutcome);
  }

  async acknowledged(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>(`SELECT n FROM ${this.s}.outcome_ack`)).rows[0]?.n ?? 0);
  }

  async acknowledge(n: number): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.outcome_ack (id, n) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET n = greatest(${this.s}.outcome_ack.n, excluded.n)`, [n]);
  }
}
