/**
 * Who may do what. Every HTTP route declares the roles it admits (or `public`); the table in the
 * README is generated from the same declarations (see test/auth/routes.test.ts, which walks every
 * route with every role).
 */
export const ROLES = ['office', 'border', 'checkpoint', 'auditor', 'operator', 'person', 'carrier'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  role: Role;
  /** Subject: who the token was issued to (a checkpoint name, an operator's login…). */
  sub: string;
  /** For `office`: the issuing office whose restrictions this token may write. */
  office?: string;
  /** For `person`: the register id of the person whose own status this token may read. */
  personId?: string;
  /** For `carrier`: the carrier (airline, railway, coach operator) whose manifests this token may send and read. */
  carrier?: string;
}

export type Access = 'public' | readonly Role[];

export const ROLE_HELP: Record<Role, string> = {
  office: "an issuing office: creates persons, writes its own office's restrictions, grants deferments as the grant table allows (register/authority.ts)",
  border: "the border service's central database: follows the register's exchange feed",
  checkpoint: 'a checkpoint: screens travellers (and follows a central replica onward)',
  auditor: 'reads persons, restrictions and the screening audit',
  operator: 'administers: everything an office may do for any office, imports, verification',
  person: 'a person checking their own status',
  carrier: 'a carrier (airline, railway, coach operator): sends passenger manifests to a border replica and reads its own (answers only: board, check at the border, do not board)',
};
