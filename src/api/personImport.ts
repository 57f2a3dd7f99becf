/**
 * POST /v1/import: a batch of persons loaded in one request, one result per person in order. Each
 * person is validated on its own (persons.ts personSchema) so good lines load even when some are bad;
 * the web console's import page sends a file in such batches and lists every bad line.
 */
import { z } from 'zod';

export const MAX_IMPORT_BATCH = 2000;

/** The batch; each person is checked on its own by the route, so one bad line refuses only itself. */
export const importBody = z.object({
  persons: z.array(z.unknown()).min(1, 'must hold at least one person').max(MAX_IMPORT_BATCH, `must hold at most ${MAX_IMPORT_BATCH} persons`),
});

export const importItemResult = z.union([
  z.object({ ok: z.literal(true), changes: z.number().int() }),
  z.object({ ok: z.literal(false), error: z.string(), field: z.string().optional() }),
]);
export type ImportItemResult = z.infer<typeof importItemResult>;

export const importAnswer = z.object({ results: z.array(importItemResult) });
export type ImportAnswer = z.infer<typeof importAnswer>;
