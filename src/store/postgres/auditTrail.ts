/**
 * The hash-chained audit trail (audit/chain.ts) on PostgreSQL: the same table, the same entries,
 * the same hashes (`entryHash`), so `verify` and an export read the same on either backend.
 *
 * Appends take a transaction-scoped advisory lock per schema, so concurrent appenders (screenings at
 * many checkpoints) take turns and each names its predecessor's hash; in the register they run inside
 * the write transaction, which commits the entry with the mutation it records. A statement trigger
 * refuses UPDATE, DELETE and TRUNCATE: an accident cannot do what only a forger (with the rights to
 * drop the trigger) could, and `verify` names what a forger did.
 */
import { type AuditEntry, type ChainHead, entryAfter, type NewAuditEntry, nextEntry, prepareEntry, verifyChainStream, type VerifyResult } from '../../audit/chain.js';
import type { AuditTrailStorage } from '../../audit/chainStorage.js';
import { auditEntryOf, type AuditRow } from '../auditRow.js';
import { fetchChunks, inTransaction, type Pool, type PoolClient } from './db.js';

/** Part of a store's first migration. */
export function auditTrailSchema(s: string): string {
  return `
  CREATE TABLE ${s}.audit_trail (
    seq bigint PRIMARY KEY,
    at text COLLATE "C" NOT NULL,
    actor text COLLATE "C" NOT NULL,
    action text COLLATE "C" NOT NULL,
    subject text NOT NULL,
    detail text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE INDEX audit_by_action_time ON ${s}.audit_trail (action, at);
  CREATE INDEX audit_by_action_seq ON ${s}.audit_trail (action, seq);
  CREATE FUNCTION ${s}.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
  CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}.audit_trail
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_append_only();`;
}

export type { ChainHead };



/** The most entries one group commit writes (one INSERT of unnest arrays). */
const APPEND_GROUP_LIMIT = 500;

export class PostgresAuditTrail implements AuditTrailStorage {
  constructor(
    private readonly pool: Pool,
    /** The quoted schema name. */
    private readonly s: string,
    private readonly fetchRows = 1000,
  ) {}

  /**
   * Takes the appenders' lock for the rest of the transaction on `client` and returns the end of the
   * chain. Entries built on it with `next` must be written with `insert` in that same transaction.
   */
  async lockHead(client: PoolClient): Promise<ChainHead> {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('erx-audit'), hashtext($1))", [this.s]);
    const prev = (await client.query<Pick<AuditRow, 'seq' | 'hash'>>(`SELECT seq, hash FROM ${this.s}.audit_trail ORDER BY seq DESC LIMIT 1`)).rows[0];
    return { seq: prev?.seq ?? 0, hash: prev?.hash ?? '' };
  }

  /** The entry that follows `head` (pure: audit/chain.ts nextEntry). */
  static next(head: ChainHead, e: NewAuditEntry): AuditEntry {
    return nextEntry(head, e);
  }

  /** Writes built entries, in one statement. */
  async insert(client: PoolClient, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await client.query(
      `INSERT INTO ${this.s}.audit_trail (seq, at, actor, action, subject, detail, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [
        entries.map((e) => e.seq),
        entries.map((e) => e.at),
        entries.map((e) => e.actor),
        entries.map((e) => e.action),
        entries.map((e) => e.subject),
        entries.map((e) => JSON.stringify(e.detail)),
        entries.map((e) => e.prevHash),
        entries.map((e) => e.hash),
      ],
    );
  }

  /** Appends inside the caller's open transaction on `client`; it commits (or not) with it. */
  async appendIn(client: PoolClient, e: NewAuditEntry): Promise<AuditEntry> {
    const entry = PostgresAuditTrail.next(await this.lockHead(client), e);
    await this.insert(client, [entry]);
    return entry;
  }

  /**
   * Appends in a transaction of its own, and resolves once that transaction has committed. Appends are
   * serialised by the chain (each names its predecessor), so each would wait for the one before it to
   * commit — one WAL flush each, a few hundred a second. Entries that arrive while a commit is under
   * way are therefore written together in the next transaction (group commit): an append never waits
   * for a timer, only for the commit that was already running, and each is still answered after its
   * own entry is durable.
   */
  append(e: NewAuditEntry): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      this.queued.push({ entry: e, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Appends several entries in one transaction of their own, consecutive in the chain (a manifest's screenings). */
  async appendAll(es: NewAuditEntry[]): Promise<AuditEntry[]> {
    if (es.length === 0) return [];
    // Prepared before the lock: under it, only each entry's hash (audit/chain.ts prepareEntry).
    const prepared = es.map(prepareEntry);
    return inTransaction(this.pool, 'BEGIN', async (client) => {
      let head = await this.lockHead(client);
      const entries = prepared.map((p) => (head = entryAfter(head, p)));
      await this.insert(client, entries);
      return entries;
    });
  }

  private queued: { entry: NewAuditEntry; resolve: (e: AuditEntry) => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queued.length > 0) {
        const group = this.queued.splice(0, APPEND_GROUP_LIMIT);
        try {
          const written = await this.appendAll(group.map(({ entry }) => entry));
          group.forEach(({ resolve }, i) => resolve(written[i]!));
        } catch (err) {
          for (const { reject } of group) reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The newest entries of one action, newest first; optionally only those of one requester name (audit/requester.ts). */
  async recent(action: string, limit: number, requesterName?: string): Promise<AuditEntry[]> {
    // Exact and case-sensitive (actor is COLLATE "C"): the actor is NAME@ADDRESS, and no `@` follows the name's own.
    const rows = requesterName !== undefined
      ? await this.pool.query<AuditRow>(
          `SELECT * FROM ${this.s}.audit_trail WHERE action = $1 AND left(actor, length($2::text)) = $2::text AND position('@' in substr(actor, length($2::text) + 1)) = 0 ORDER BY seq DESC LIMIT $3`,
          [action, `${requesterName}@`, limit],
        )
      : await this.pool.query<AuditRow>(`SELECT * FROM ${this.s}.audit_trail WHERE action = $1 ORDER BY seq DESC LIMIT $2`, [action, limit]);
    return rows.rows.map(auditEntryOf);
  }

  /** The entry of one action about one subject (the newest, if several), or undefined. */
  async about(action: string, subject: string): Promise<AuditEntry | undefined> {
    const row = (await this.pool.query<AuditRow>(`SELECT * FROM ${this.s}.audit_trail WHERE subject = $1 AND action = $2 ORDER BY seq DESC LIMIT 1`, [subject, action])).rows[0];
    return row ? auditEntryOf(row) : undefined;
  }

  /** Entries with `from <= at < to`, in chain order, streamed from one consistent read. */
  between(from: string, to: string): AsyncGenerator<AuditEntry> {
    return this.streamed('WHERE at >= $1 AND at < $2', [from, to]);
  }

  /** Walks the chain; names the first entry that does not hold (same reasons as the SQLite trail). */
  async verify(): Promise<VerifyResult> {
    return verifyChainStream(this.entries());
  }

  /** The committed end of the chain ({seq: 0, hash: ''} when empty), for signing (audit/headSigner.ts). */
  async head(): Promise<ChainHead> {
    const row = (await this.pool.query<Pick<AuditRow, 'seq' | 'hash'>>(`SELECT seq, hash FROM ${this.s}.audit_trail ORDER BY seq DESC LIMIT 1`)).rows[0];
    return { seq: row?.seq ?? 0, hash: row?.hash ?? '' };
  }

  /** The stored hash of entry `seq`, or null when there is none. */
  async hashAt(seq: number): Promise<string | null> {
    return (await this.pool.query<Pick<AuditRow, 'hash'>>(`SELECT hash FROM ${this.s}.audit_trail WHERE seq = $1`, [seq])).rows[0]?.hash ?? null;
  }

  /** Every entry in chain order, streamed from one consistent read. */
  entries(): AsyncGenerator<AuditEntry> {
    return this.streamed('', []);
  }

  /** The entries `where` selects, in chain order, in chunks from one repeatable-read transaction. */
  private async *streamed(where: string, params: unknown[]): AsyncGenerator<AuditEntry> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for await (const rows of fetchChunks<AuditRow>(client, `SELECT * FROM ${this.s}.audit_trail ${where} ORDER BY seq`, params, this.fetchRows)) {
        for (const row of rows) yield auditEntryOf(row);
      }
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      client.release(broken);
    }
  }
}
