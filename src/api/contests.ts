/**
 * Contests over HTTP (register/contestService.ts; a border replica forwards the public two upstream):
 *
 *   POST /v1/contests                     public, rate-limited: a person contests a restriction they hold
 *   GET  /v1/contests/{caseNumber}        public, rate-limited: the person follows the case, identified by
 *                                         the headers Erx-Document-Number and Erx-Date-Of-Birth (never in
 *                                         the URL, which access logs keep)
 *   GET  /v1/contests                     office, operator, auditor: the contests (an office sees its own)
 *   POST /v1/contests/{caseNumber}/answer office, operator: upheld (the restriction is lifted) or rejected
 */
import { z } from 'zod';
import { CONTEST_DECISIONS, CONTEST_STATES } from '../domain/contest.js';
import { RESTRICTION_KINDS } from '../domain/types.js';
import { calendarDate, identifier, text } from './fields.js';

export const DOCUMENT_HEADER = 'erx-document-number';
export const BIRTH_DATE_HEADER = 'erx-date-of-birth';

const documentNumber = z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'must be 1–20 letters or digits');

/** The person as the self-check identifies them: both must match one listed person exactly. */
export const contestIdentification = z.object({ documentNumber, dateOfBirth: calendarDate });

export const contestRequestSchema = z.strictObject({
  documentNumber,
  dateOfBirth: calendarDate,
  /** Which restriction; may be left out when the person holds only one. */
  restrictionId: identifier.optional(),
  /** An e-mail address or a phone number, to hear of the answer. */
  contact: z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .regex(/^([^\s@]+@[^\s@]+\.[^\s@]+|\+?[0-9][0-9 ()-]{5,30})$/, 'must be an e-mail address or a phone number'),
  reason: text(4000),
});
export type ContestRequest = z.infer<typeof contestRequestSchema>;

export const caseNumberParam = z.object({ caseNumber: z.string().regex(/^C-\d{4}-[A-Z2-7]{16}$/, 'must be a case number such as C-2026-ABCDEFGHJKLMNPQR') });

/** What the person sees of their case: its state and the answer, nothing of anyone else. */
export const contestCaseAnswer = z.object({
  caseNumber: z.string(),
  state: z.enum(CONTEST_STATES),
  restrictionId: z.string(),
  office: z.string(),
  filedAt: z.string(),
  /** The office answers by then. */
  deadline: z.string(),
  answeredAt: z.string().optional(),
  decision: z.enum(CONTEST_DECISIONS).optional(),
  reasons: z.string().optional(),
});
export type ContestCase = z.infer<typeof contestCaseAnswer>;

/** The register's whole record, for the issuing office. */
export const contestRecordSchema = z.object({
  caseNumber: z.string(),
  restrictionId: z.string(),
  personId: z.string(),
  office: z.string(),
  kind: z.enum(RESTRICTION_KINDS).optional(),
  contact: z.string(),
  reason: z.string(),
  filedAt: z.string(),
  deadline: z.string(),
  state: z.enum(CONTEST_STATES),
  overdue: z.boolean(),
  answeredAt: z.string().optional(),
  answer: z.object({ decision: z.enum(CONTEST_DECISIONS), reasons: z.string(), answeredBy: z.string() }).optional(),
});

export const contestListQuery = z.object({
  state: z.enum(CONTEST_STATES).optional(),
  overdue: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const contestListAnswer = z.object({ contests: z.array(contestRecordSchema), open: z.number().int(), overdue: z.number().int() });

export const contestAnswerBody = z.strictObject({ decision: z.enum(CONTEST_DECISIONS, { message: 'must be upheld or rejected' }), reasons: text(4000) });
export type ContestAnswerBody = z.infer<typeof contestAnswerBody>;
