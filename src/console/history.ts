/**
 * A person's full history for the operator console: every audit-trail entry about the person or one of
 * their restrictions (create, update, issue, service, lift, and campaign closes that lifted one), newest
 * first.
 *
 * The register's storage interface has no "entries about these subjects" query yet, so this walks the
 * trail the store keeps (both the SQLite and the PostgreSQL stores expose it as `trail`, with
 * `between(from, to)` in chain order). That is a scan of the whole trail; it is fine for a console
 * request on a register of a few hundred thousand entries, and the right fix is a store method backed
 * by an index on `subject` (reported to the lead, who owns the store files).
 */
import type { AuditEntry } from '../audit/trail.js';
import type { RegisterStore } from '../register/store.js';

interface TrailReader {
  between(from: string, to: string): Iterable<AuditEntry> | AsyncIterable<AuditEntry>;
}

export const HISTORY_LIMIT = 500;

export function trailOf(store: RegisterStore): TrailReader | null {
  const trail = (store as unknown as { trail?: Partial<TrailReader> }).trail;
  return trail && typeof trail.between === 'function' ? (trail as TrailReader) : null;
}

/** Whether an entry is about the person or one of their restrictions. */
export function concerns(entry: AuditEntry, subjects: ReadonlySet<string>): boolean {
  if (subjects.has(entry.subject)) return true;
  if (entry.action === 'campaign.close') {
    const lifted = (entry.detail as { lifted?: unknown } | null)?.lifted;
    return Array.isArray(lifted) && lifted.some((id) => typeof id === 'string' && subjects.has(id));
  }
  return false;
}

export interface History {
  entries: AuditEntry[];
  /** More than HISTORY_LIMIT entries matched; the oldest were left out. */
  truncated: boolean;
}

export async function personHistory(trail: TrailReader, personId: string, restrictionIds: string[], limit = HISTORY_LIMIT): Promise<History> {
  const subjects = new Set([personId, ...restrictionIds]);
  const found: AuditEntry[] = [];
  let truncated = false;
  const keep = (e: AuditEntry) => {
    if (!concerns(e, subjects)) return;
    found.push(e);
    if (found.length > limit) {
      found.shift();
      truncated = true;
    }
  };
  const all = trail.between('0000', '9999');
  // A synchronous (SQLite) cursor is read in one go: awaiting between rows would let another request use
  // the connection while the cursor holds it.
  if (Symbol.iterator in all) for (const e of all) keep(e);
  else for await (const e of all) keep(e);
  return { entries: found.reverse(), truncated };
}
