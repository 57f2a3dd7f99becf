/**
 * A person's contact for notifications (domain/types.ts Contact): an e-mail address, a webhook URL and
 * the language of the messages. Part of the register's person on input and on the register's answers;
 * never part of the border view.
 */
import { z } from 'zod';
import { NOTICE_LANGUAGES } from '../domain/types.js';

export const contactSchema = z
  .object({
    // zod's check is the WHATWG-style one browsers use for <input type=email>: enough to refuse typos, not to prove an inbox exists.
    email: z.string().trim().max(254, 'must be at most 254 characters').email('must be an e-mail address such as name@example.org').optional(),
    webhook: z
      .string()
      .trim()
      .max(2000, 'must be at most 2000 characters')
      .url('must be a URL such as https://example.org/erx')
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')
      .optional(),
    language: z.enum(NOTICE_LANGUAGES).optional(),
  })
  .strict();
export type ContactInput = z.infer<typeof contactSchema>;
