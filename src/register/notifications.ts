/**
 * Telling the person (issue #18): which register writes raise a notice, and queuing it in the outbox
 * in the writer's own transaction. A person without a contact is not notified and leaves no row.
 *
 * Adding an event (contest answered, review extended): in the use case's transaction call
 *   `await notifyPerson(tx, { kind: 'contest-answered', personId, caseNumber, office, basis, at, reason: 'upheld' }, contest.contact)`
 * — the contact argument is for a contact given with the request itself (a contest's), otherwise the
 * person's own is used. The message texts are in register/noticeTemplates.ts, one per kind and language.
 */
import type { NoticeEvent } from '../domain/notice.js';
import type { Contact, Restriction } from '../domain/types.js';
import type { RegisterTx } from './registerStore.js';

/** Queues one notice per channel of the contact (the person's own unless `contact` is given). */
export async function notifyPerson(tx: RegisterTx, event: NoticeEvent, contact?: Contact): Promise<number> {
  const to = contact ?? (await tx.getPerson(event.personId))?.contact;
  if (!to) return 0;
  const language = to.language ?? 'en';
  let queued = 0;
  if (to.email) {
    await tx.queueNotice({ channel: 'email', address: to.email, language, event });
    queued++;
  }
  if (to.webhook) {
    await tx.queueNotice({ channel: 'webhook', address: to.webhook, language, event });
    queued++;
  }
  return queued;
}

/**
 * The notice a restriction write owes the person, if any: it came into force (service recorded), or
 * it was lifted (for any reason). A restriction that arrives already lifted, by import, was never
 * announced and is not announced now.
 */
export function noticeFor(before: Restriction | undefined, after: Restriction): NoticeEvent | null {
  const base = { personId: after.personId, restrictionId: after.restrictionId, office: after.office, basis: after.basis };
  if (after.liftedAt) {
    if (!before || before.liftedAt) return null;
    return { kind: 'restriction-lifted', ...base, at: after.liftedAt, ...(after.liftReason ? { reason: after.liftReason } : {}) };
  }
  if (after.inForceFrom && !before?.inForceFrom) return { kind: 'restriction-in-force', ...base, at: after.inForceFrom };
  return null;
}
