/**
 * The register's persons over HTTP: what an office or operator sends to create or update a person
 * (with embedded restrictions and deferments), how persons are searched, and what the register
 * answers with — a person, a search hit, a person's history. Each error names its field as a dotted
 * path, e.g. `restrictions.0.servedAt` (shared/fieldError.ts).
 */
import { z } from 'zod';
import { DEFERMENT_CATEGORIES } from '../domain/types.js';
import { contactSchema } from './contact.js';
import { calendarDate, countryCode, identifier, officeCode, partialDate, text } from './fields.js';
import { embeddedRestrictionSchema, restrictionRecordSchema } from './restrictions.js';

/**
 * A personal name as the register holds it. A word that mixes Cyrillic and Latin letters is almost
 * always a look-alike character typed by mistake (Latin "a" in "Ивaнов") or smuggled in, and would
 * silently defeat matching, so it is refused.
 */
const personalName = (max: number) =>
  text(max).refine(
    (s) => !s.split(/[\s-]+/).some((w) => /\p{Script=Cyrillic}/u.test(w) && /\p{Script=Latin}/u.test(w)),
    'mixes Cyrillic and Latin letters in one word (a look-alike character?)',
  );

export const documentSchema = z.object({
  type: text(32),
  number: z
    .string()
    .regex(/^[A-Z0-9]{1,20}$/i, 'must be 1–20 letters or digits')
    .transform((s) => s.toUpperCase()),
  country: countryCode,
});

/**
 * A deferment or exemption. `grantedBy` and `basis` are optional on input: an office's grant is made
 * in its own name (grantedBy defaults to the token's office) and must carry its basis; an operator's
 * may carry both, and without grantedBy it is granted by "the register" (register/authority.ts).
 */
export const defermentSchema = z
  .object({
    kind: z.enum(['deferment', 'exemption']).optional(),
    category: z.enum(DEFERMENT_CATEGORIES),
    validFrom: calendarDate,
    validTo: calendarDate,
    evidence: text(200).optional(),
    grantedBy: officeCode.optional(),
    basis: text(500).optional(),
  })
  .refine((d) => d.validFrom <= d.validTo, { message: 'validTo is before validFrom', path: ['validTo'] });

/** POST /v1/persons, and each line of an import. */
export const personSchema = z.object({
  personId: identifier,
  surname: personalName(100),
  givenNames: personalName(100),
  patronymic: personalName(100).optional(),
  dateOfBirth: partialDate,
  sex: z.enum(['M', 'F', 'X']).optional(),
  documents: z.array(documentSchema).max(20).default([]),
  restrictions: z.array(embeddedRestrictionSchema).max(100).default([]),
  deferments: z.array(defermentSchema).max(50).default([]),
  /** How to notify the person (register only; api/contact.ts). */
  contact: contactSchema.optional(),
});
export type PersonInput = z.infer<typeof personSchema>;

/** GET /v1/persons?q=…: a name in either script, a document number or a person id. */
export const personSearchQuery = z.object({
  q: z.string().trim().min(2, 'must be at least 2 characters').max(200, 'must be at most 200 characters'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

// ---- answers ----

const personFields = {
  personId: z.string(),
  surname: z.string(),
  givenNames: z.string(),
  patronymic: z.string().optional(),
  dateOfBirth: z.string(),
  documents: z.array(z.object({ type: z.string(), number: z.string(), country: z.string() })),
};

export const defermentRecordSchema = z.object({
  kind: z.enum(['deferment', 'exemption']).optional(),
  category: z.enum(DEFERMENT_CATEGORIES),
  validFrom: z.string(),
  validTo: z.string(),
  evidence: z.string().optional(),
  grantedBy: z.string().optional(),
  basis: z.string().optional(),
});

/** A person as the register holds them (domain/types.ts Person). */
export const personRecordSchema = z.object({
  ...personFields,
  sex: z.enum(['M', 'F', 'X']).optional(),
  deferments: z.array(defermentRecordSchema),
  contact: contactSchema.optional(),
});
export type PersonRecord = z.infer<typeof personRecordSchema>;

/** GET /v1/persons/:id: the person with every restriction. */
export const personWithRestrictionsSchema = personRecordSchema.extend({ restrictions: z.array(restrictionRecordSchema) });
export type PersonWithRestrictions = z.infer<typeof personWithRestrictionsSchema>;

/** GET /v1/persons: each hit without sex and deferments, with how many restrictions it has. */
export const personSearchAnswer = z.object({
  persons: z.array(z.object({ ...personFields, restrictions: z.number().int() })),
});
export type PersonSearchAnswer = z.infer<typeof personSearchAnswer>;
export type PersonFound = PersonSearchAnswer['persons'][number];

/** POST /v1/persons: the sequence numbers of the changes it appended to the feed (none when nothing changed). */
export const personWriteAnswer = z.object({ personId: z.string(), changes: z.array(z.number().int()) });

/** A person's superseded state, kept by the register when a write replaced it. */
export const personVersionSchema = z.object({
  version: z.number().int(),
  supersededAt: z.string(),
  supersededBy: z.string(),
  person: personRecordSchema,
});
export type PersonVersion = z.infer<typeof personVersionSchema>;

/** One entry of the register's hash-chained audit trail. */
export const auditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  detail: z.unknown(),
  /** The chain: the previous entry's hash and this one's (audit/trail.ts). */
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntryAnswer = z.infer<typeof auditEntrySchema>;

/** GET /v1/persons/:id/history: audit entries about the person or their restrictions, newest first, and the versions they replaced. */
export const personHistoryAnswer = z.object({
  personId: z.string(),
  entries: z.array(auditEntrySchema),
  /** More entries matched than are returned; the oldest were left out. */
  truncated: z.boolean(),
  versions: z.array(personVersionSchema),
});
export type PersonHistoryAnswer = z.infer<typeof personHistoryAnswer>;
