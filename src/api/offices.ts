/**
 * Issuing offices over HTTP (domain/offices.ts): what an operator (or the office itself) states with
 * PUT /v1/offices/{office}, and the records GET /v1/offices answers. The register adds `updatedAt`.
 */
import { z } from 'zod';
import { officeCode, text } from './fields.js';

const optionalText = (max: number) => text(max).optional();

/** PUT /v1/offices/:office — the whole record; a field left out is removed. */
export const officeBodySchema = z.strictObject({
  name: text(200),
  address: text(500),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a telephone number such as +7 495 123-45-67')
    .optional(),
  email: z.string().trim().email('must be an e-mail address such as info@example.org').max(200).optional(),
  web: z
    .string()
    .trim()
    .max(300, 'must be at most 300 characters')
    .url('must be a web address such as https://example.org')
    .refine((s) => /^https?:\/\//i.test(s), 'must start with https:// or http://')
    .optional(),
  hours: optionalText(200),
  howToContest: text(2000),
  contestDays: z.number().int('must be a whole number of days').min(1, 'must be at least 1').max(3650, 'must be at most 3650').optional(),
});
export type OfficeBody = z.output<typeof officeBodySchema>;

export const officeSchema = z.object({
  officeId: z.string(),
  name: z.string(),
  address: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
  web: z.string().optional(),
  hours: z.string().optional(),
  howToContest: z.string(),
  contestDays: z.number().int().optional(),
  updatedAt: z.string(),
});

export const officeWriteAnswer = z.object({ office: officeSchema, changes: z.array(z.number().int()) });
export const officesAnswer = z.object({ offices: z.array(officeSchema) });
export type OfficesAnswer = z.infer<typeof officesAnswer>;

/** The `:office` of /v1/offices/:office: an office code as restrictions name it. */
export const officeParam = z.object({ office: officeCode });
