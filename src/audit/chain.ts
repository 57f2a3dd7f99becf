/**
 * The audit chain, pure: what an entry is, how its hash is made, how the next entry follows a head,
 * and how a walk over entries in sequence order finds the first one that does not hold. Each entry
 * holds the hash of the previous one, so editing, inserting or deleting any entry breaks the chain
 * from that point. No I/O here: each backend stores entries (store/sqlite/auditTrail.ts,
 * store/postgres/auditTrail.ts) and feeds its rows to these functions, so both hash and verify alike.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical.js';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: unknown;
  prevHash: string;
  hash: string;
}

/** The end of a chain: its last entry's number and hash ({seq: 0, hash: ''} for an empty chain). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_CHAIN: ChainHead = { seq: 0, hash: '' };

export type NewAuditEntry = Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'detail'> & { at?: string };

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, action, subject, detail, prevHash } = e;
  return createHash('sha256').update(canonicalJson({ seq, at, actor, action, subject, detail, prevHash })).digest('hex');
}

/**
 * The entry that follows `head`: the next number, the head's hash as its predecessor, the detail as
 * JSON would store it (so the hash covers exactly what is read back), `at` now unless given.
 */
export function nextEntry(head: ChainHead, e: NewAuditEntry): AuditEntry {
  return entryAfter(head, prepareEntry(e));
}

/**
 * An entry made ready to follow whatever head it meets: all of it but its number and predecessor, with
 * the canonical JSON entryHash hashes worked out around those two. An append that several processes
 * share reads the head under a write lock (store/sqlite/auditTrail.ts, store/postgres/auditTrail.ts);
 * preparing its entries before taking the lock leaves only the hash and the insert inside it — for a
 * manifest's 300 screenings the canonical JSON was most of the time the lock was held while the other
 * workers waited.
 */
export interface PreparedEntry {
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** The detail as read back from storage (the JSON of `detailJson`). */
  detail: unknown;
  /** JSON.stringify of the detail, as stored. */
  detailJson: string;
  /** canonicalJson of the entry, cut where the predecessor's hash and the number go. */
  canonicalBefore: string;
  canonicalAfter: string;
}

export function prepareEntry(e: NewAuditEntry): PreparedEntry {
  const at = e.at ?? new Date().toISOString();
  const detailJson = JSON.stringify(e.detail ?? null);
  const detail = JSON.parse(detailJson) as unknown;
  const text = (v: string) => JSON.stringify(v);
  // canonicalJson of {seq, at, actor, action, subject, detail, prevHash}: its keys sorted are action,
  // actor, at, detail, prevHash, seq, subject (test/audit/chain.test.ts holds the two equal).
  return {
    at,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    detail,
    detailJson,
    canonicalBefore: `{"action":${text(e.action)},"actor":${text(e.actor)},"at":${text(at)},"detail":${canonicalJson(detail)},"prevHash":`,
    canonicalAfter: `,"subject":${text(e.subject)}}`,
  };
}

/** The prepared entry as the one that follows `head`. */
export function entryAfter(head: ChainHead, p: PreparedEntry): AuditEntry {
  const seq = head.seq + 1;
  const hash = createHash('sha256').update(`${p.canonicalBefore}${JSON.stringify(head.hash)},"seq":${seq}${p.canonicalAfter}`).digest('hex');
  return { seq, at: p.at, actor: p.actor, action: p.action, subject: p.subject, detail: p.detail, prevHash: head.hash, hash };
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** The first entry that does not hold, and why. */
  firstBad?: { seq: number; reason: string };
}

/**
 * Walks a chain in sequence order, one entry at a time. `check` returns the first problem, or null
 * while the chain holds.
 */
export class ChainCheck {
  private expectedSeq = 1;
  private prevHash = '';
  entries = 0;

  check(e: AuditEntry): { seq: number; reason: string } | null {
    this.entries++;
    if (e.seq !== this.expectedSeq) {
      return { seq: e.seq, reason: e.seq > this.expectedSeq ? `entries ${this.expectedSeq}–${e.seq - 1} are missing (deleted)` : 'sequence number repeats (inserted)' };
    }
    if (e.prevHash !== this.prevHash) return { seq: e.seq, reason: 'does not name the previous entry’s hash (an entry was inserted, removed or edited before it)' };
    if (entryHash(e) !== e.hash) return { seq: e.seq, reason: 'content does not match its hash (edited)' };
    this.prevHash = e.hash;
    this.expectedSeq++;
    return null;
  }
}

/** Verifies a whole chain given in sequence order; stops at the first entry that does not hold. */
export function verifyChain(entries: Iterable<AuditEntry>): VerifyResult {
  const chain = new ChainCheck();
  for (const e of entries) {
    const firstBad = chain.check(e);
    if (firstBad) return { ok: false, entries: chain.entries, firstBad };
  }
  return { ok: true, entries: chain.entries };
}

/** verifyChain over entries streamed from a database. */
export async function verifyChainStream(entries: AsyncIterable<AuditEntry>): Promise<VerifyResult> {
  const chain = new ChainCheck();
  for await (const e of entries) {
    const firstBad = chain.check(e);
    if (firstBad) return { ok: false, entries: chain.entries, firstBad };
  }
  return { ok: true, entries: chain.entries };
}
