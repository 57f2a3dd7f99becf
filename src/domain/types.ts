/** The register's own vocabulary. Names are kept in the register's script (Cyrillic). */

export const RESTRICTION_KINDS = ['call-up', 'court-order', 'other'] as const;
export type RestrictionKind = (typeof RESTRICTION_KINDS)[number];

export const SERVICE_CHANNELS = ['in-person', 'post', 'portal'] as const;
export type ServiceChannel = (typeof SERVICE_CHANNELS)[number];

export const LIFT_REASONS = ['deferment', 'exemption', 'cancellation', 'expiry', 'other'] as const;
export type LiftReason = (typeof LIFT_REASONS)[number];

export const DEFERMENT_CATEGORIES = ['student', 'health', 'family', 'occupation', 'other'] as const;
export type DefermentCategory = (typeof DEFERMENT_CATEGORIES)[number];

export interface IdentityDocument {
  type: string;
  number: string;
  /** ICAO three-letter code of the issuing state, e.g. RUS. */
  country: string;
}

export interface Deferment {
  /** A deferment postpones service; an exemption releases from it (e.g. unfit for service). Default: deferment. */
  kind?: 'deferment' | 'exemption';
  category: DefermentCategory;
  /** ISO date, inclusive. */
  validFrom: string;
  /** ISO date, inclusive. */
  validTo: string;
  /** Reference to the evidence (a certificate number, a decision); stays in the register. */
  evidence?: string;
  /**
   * The office that granted it (register/authority.ts decides who may). Absent: granted by the
   * register's operator (or registered before grants were recorded). Stays in the register.
   */
  grantedBy?: string;
  /** The decision and the law it rests on, like a restriction's basis. Stays in the register. */
  basis?: string;
}

/** The languages a notification can be written in (register/notificationTemplates.ts). */
export const NOTICE_LANGUAGES = ['en', 'ru', 'uk'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

/**
 * How the register tells a person about their restrictions (register/notifications.ts). Stays in the
 * register: never in the border view, never in the exchange.
 */
export interface Contact {
  email?: string;
  /** An https:// (or, for tests and local receivers, http://) URL that receives signed JSON. */
  webhook?: string;
  /** The language of the messages; English when absent. */
  language?: NoticeLanguage;
}

export interface Person {
  personId: string;
  surname: string;
  givenNames: string;
  patronymic?: string;
  /** ISO date, possibly partial: `1999`, `1999-03` or `1999-03-04`. */
  dateOfBirth: string;
  sex?: 'M' | 'F' | 'X';
  documents: IdentityDocument[];
  deferments: Deferment[];
  /** Register-only: absent means the person is not notified. */
  contact?: Contact;
}

export interface Restriction {
  restrictionId: string;
  personId: string;
  kind: RestrictionKind;
  basis: string;
  office: string;
  issuedAt: string;
  /** When service was recorded: the signature (in person, post) or the posting (portal). */
  servedAt?: string;
  serviceChannel?: ServiceChannel;
  /** Portal only: when the person opened the notice. */
  deliveredAt?: string;
  /**
   * When it came into force, fixed at service by the service rules then in force (serviceRules.ts),
   * so a later change of rules never moves it retroactively.
   */
  inForceFrom?: string;
  /** After this instant the restriction no longer applies (an expiry, not a lift). */
  expiresAt?: string;
  /** When the issuing office must review it (register-only, informational). */
  reviewAt?: string;
  /** The call-up campaign it belongs to; closing the campaign lifts it. */
  campaign?: string;
  liftedAt?: string;
  liftReason?: LiftReason;
}
