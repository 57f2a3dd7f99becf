/**
 * A person's full history for the operator console: every audit-trail entry about the person or one of
 * their restrictions (create, update, issue, service, lift, and campaign closes that lifted one), newest
 * first — read through the register store's subject index (`auditAbout`), never a scan of the trail —
 * and the values each change replaced (the person's superseded versions).
 */
import type { AuditEntry } from '../audit/chain.js';
import type { Restriction } from '../domain/types.js';
import type { PersonVersion, RegisterStore } from '../register/registerStore.js';

export const HISTORY_LIMIT = 500;

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
  /** The person's superseded versions (identity and deferments as they were), newest first. */
  versions: PersonVersion[];
}

export async function personHistory(store: RegisterStore, personId: string, restrictions: Restriction[], limit = HISTORY_LIMIT): Promise<History> {
  const subjects = new Set([personId, ...restrictions.map((r) => r.restrictionId)]);
  // A campaign close is filed under the campaign: read those too, and keep the ones that lifted one of these.
  const campaigns = [...new Set(restrictions.flatMap((r) => (r.campaign ? [r.campaign] : [])))];
  const entries = (await store.auditAbout([...subjects, ...campaigns], limit + 1)).filter((e) => concerns(e, subjects));
  return { entries: entries.slice(0, limit), truncated: entries.length > limit, versions: await store.personVersions(personId, limit) };
}
