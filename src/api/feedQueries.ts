/**
 * The exchange feed's HTTP requests (exchange/feedRoutes.ts): the long-poll for changes, the
 * snapshot (whole, or some buckets of it), a replica image's file. Their bounds are the API's: a
 * follower that asks for more is refused with the field named.
 */
import { z } from 'zod';

/** The most changes one answer of /v1/exchange/changes carries. */
export const MAX_BATCH = 5000;
/** The longest a long-poll waits for a commit. */
export const MAX_WAIT_MS = 30_000;

/** GET /v1/exchange/changes?after=SEQ&limit=N&wait=MS&relief=1. */
export const changesQuery = z.object({
  after: z.coerce.number().int('must be an integer').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER),
  limit: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_BATCH, `must be at most ${MAX_BATCH}`).default(1000),
  wait: z.coerce.number().int('must be an integer').min(0, 'must be 0 or more').max(MAX_WAIT_MS, `must be at most ${MAX_WAIT_MS} ms`).default(0),
  /** Only batches holding relief (lifts, deferments): the priority lane for a replica that is behind. */
  relief: z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true').default(false),
});

/** GET /v1/exchange/snapshot?buckets=1,2,3: `buckets` is the protocol's bucket count (exchange/digest.ts BUCKETS). */
export const snapshotQuery = (buckets: number) =>
  z.object({
    buckets: z
      .string()
      .regex(/^\d{1,4}(,\d{1,4}){0,4095}$/, 'must be a comma-separated list of bucket numbers')
      .transform((s) => [...new Set(s.split(',').map(Number))])
      .refine((list) => list.every((b) => b < buckets), `bucket numbers must be below ${buckets}`)
      .optional(),
  });

/** GET /v1/exchange/image/:asOfSeq. */
export const imageParams = z.object({ asOfSeq: z.coerce.number().int('must be an integer').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER) });
