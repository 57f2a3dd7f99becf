/**
 * A screening's answer: `clear`, `refer` or `hit` — declared once here, for the border's screening,
 * its per-minute statistics and the web console (which used to declare it three times).
 */
import { z } from 'zod';

/** In order of strictness: a stricter answer never gives way to a laxer one. */
export const DECISIONS = ['clear', 'refer', 'hit'] as const;
export const decisionSchema = z.enum(DECISIONS);
export type Decision = z.infer<typeof decisionSchema>;
