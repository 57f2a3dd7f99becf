/**
 * What the register tells a person, and when (issue #18, "Telling the person"). An event carries only
 * what the person already knows from the decision served on them — the office, the basis, the case
 * number, the dates — never their identity data: it is what a notification may say.
 */
import type { NoticeLanguage } from './types.js';

/**
 * The events a person is told about. `restriction-in-force` and `restriction-lifted` are raised by the
 * register's writes (register/registerService.ts); `contest-answered` and `review-extended` belong to
 * the contest and review use cases, which raise them with `notifyPerson` (register/notifications.ts).
 */
export const NOTICE_KINDS = ['restriction-in-force', 'restriction-lifted', 'contest-answered', 'review-extended'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface NoticeEvent {
  kind: NoticeKind;
  /** Whom it is about; stays in the register (it is never put in a message). */
  personId: string;
  restrictionId?: string;
  caseNumber?: string;
  office: string;
  basis: string;
  /** When it took effect: in force from, lifted at, answered at, extended to. */
  at: string;
  /** A lift's reason (`expiry`, `deferment`, …) or a contest's answer (`upheld`, `rejected`). */
  reason?: string;
}

/** How a notice leaves the register; one outbox row per channel of the person's contact. */
export const NOTICE_CHANNELS = ['email', 'webhook'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

export interface QueuedNotice {
  channel: NoticeChannel;
  /** The e-mail address or the webhook URL. */
  address: string;
  language: NoticeLanguage;
  event: NoticeEvent;
}
