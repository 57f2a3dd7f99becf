/**
 * Keeping issuing offices' records (domain/offices.ts): each write stores the whole record, appends it
 * to the change log as entity `office` and records who did it, with the record it replaced, in the
 * audit trail — all in one transaction (as for rules, categoryRuleService.ts). A record is public
 * contact information, not personal data, so the audit entry may carry it whole.
 */
import type { OfficeBody } from '../api/offices.js';
import type { Office } from '../domain/offices.js';
import { sameValue as same } from '../shared/canonical.js';
import type { RegisterStore } from './registerStore.js';

export interface OfficeWrite {
  office: Office;
  changes: number[];
  created: boolean;
}

/** The fields an office states, without what the register adds. */
function stated(o: Office | OfficeBody): OfficeBody {
  const { name, address, phone, email, web, hours, howToContest, contestDays } = o;
  const out: OfficeBody = { name, address, howToContest };
  if (phone !== undefined) out.phone = phone;
  if (email !== undefined) out.email = email;
  if (web !== undefined) out.web = web;
  if (hours !== undefined) out.hours = hours;
  if (contestDays !== undefined) out.contestDays = contestDays;
  return out;
}

export class OfficeService {
  constructor(
    private readonly store: RegisterStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates or replaces an office's record; the same record again is a no-op (no change, no audit entry). */
  put(officeId: string, input: OfficeBody, actor = 'system'): Promise<OfficeWrite> {
    return this.store.transaction(async (tx) => {
      const existing = await tx.getOffice(officeId);
      if (existing && same(stated(existing), stated(input))) return { office: existing, changes: [], created: false };
      const office: Office = { officeId, ...stated(input), updatedAt: this.now().toISOString() };
      await tx.putOffice(office);
      const seq = await tx.appendChange('office', officeId, office);
      await tx.audit({
        actor,
        action: existing ? 'office.update' : 'office.create',
        subject: officeId,
        detail: { input: stated(input), ...(existing ? { replaced: stated(existing) } : {}), changes: [seq] },
      });
      return { office, changes: [seq], created: !existing };
    });
  }
}
