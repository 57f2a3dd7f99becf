/**
 * Where an audit chain is kept, as seen by the services and the audit tools: one implementation per
 * backend (store/sqlite/auditTrail.ts and auditChainReader.ts, store/postgres/auditTrail.ts and
 * auditChainReader.ts). The chain itself — hashing, the next entry, verifying — is pure (chain.ts).
 */
import type { AuditEntry, ChainHead, NewAuditEntry, VerifyResult } from './chain.js';

/** A value now (SQLite, whose single connection is synchronous) or later (PostgreSQL). */
export type Eventually<T> = T | Promise<T>;

/**
 * A service's own trail, through the service's own connection.
 *
 *  - `append` is atomic with the transaction it runs in: inside a store's write transaction the entry
 *    commits (or rolls back) with the mutation it records; outside one it commits on its own before
 *    it resolves. Appends are serialised: each entry names its predecessor's hash, numbers are dense.
 *  - The trail is append-only: the database refuses UPDATE and DELETE (triggers), so only a forger
 *    with the rights to drop them could edit it, and `verify` names what a forger did.
 *  - Reads are in chain (sequence) order unless said otherwise; none of them changes anything.
 */
export interface AuditTrailStorage {
  append(e: NewAuditEntry): Eventually<AuditEntry>;
  /** The newest entries of one action, newest first; optionally only those of one requester name (audit/requester.ts). */
  recent(action: string, limit: number, requesterName?: string): Eventually<AuditEntry[]>;
  /** Entries with `from <= at < to`, in chain order, from one consistent read. */
  between(from: string, to: string): Iterable<AuditEntry> | AsyncIterable<AuditEntry>;
  /** Walks the whole chain; names the first entry that does not hold. */
  verify(): Eventually<VerifyResult>;
}

/**
 * A service's chain read through a connection of its own (the head signer, `erx audit verify`): it
 * sees committed entries only, never one that a transaction of the service could still roll back.
 */
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

/** The service whose chain is meant: the register's, or a border replica's screening audit. */
export type AuditService = 'register' | 'border';

/** There is no chain where one was looked for (no file, no table); the message says where. */
export class AuditChainMissing extends Error {}
