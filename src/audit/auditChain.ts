/**
 * A service's audit chain as the head signer and `erx audit verify` read it, wherever it is stored
 * (SQLite or PostgreSQL; the implementations are opened in app/auditChainSource.ts).
 */
import type { AuditEntry, ChainHead } from './trail.js';

export type AuditService = 'register' | 'border';

export interface AuditChain {
  /** Where the chain is, for messages: a file, or a PostgreSQL schema. */
  readonly label: string;
  /**
   * The committed end of the chain, made durable first where commits are not synced one by one (a
   * replica's audit.db runs with synchronous=NORMAL), so a signed head never covers entries a power cut
   * could still take away.
   */
  head(): Promise<ChainHead>;
  /** The stored hash of entry `seq`, or null when there is none. */
  hashAt(seq: number): Promise<string | null>;
  /** Every entry in chain order. */
  entries(): AsyncIterable<AuditEntry>;
  /** Entries with `from <= at < to`, in chain order. */
  between(from: string, to: string): AsyncIterable<AuditEntry>;
  close(): Promise<void>;
}
