/**
 * The public status of each service: GET /v1/register/status (the change log's head, and the clock)
 * and GET /v1/border/status (a replica's sequence, lag, sync state and integrity). The border's
 * answer is described by the fields the console reads; it carries more (transport, relay, head claims),
 * so its objects admit further keys.
 */
import { z } from 'zod';
import { freshnessFields } from './screening.js';

export const registerStatusAnswer = z.object({
  registerSeq: z.number().int(),
  oldestSeq: z.number().int(),
  time: z.string(),
});
export type RegisterStatusAnswer = z.infer<typeof registerStatusAnswer>;

/** The last comparison of bucket digests with the register (border/antiEntropy.ts). */
export const verifyReportSchema = z.object({
  at: z.string(),
  asOfSeq: z.number().int(),
  bucketsCompared: z.number().int(),
  differing: z.array(z.number().int()),
  consistent: z.boolean(),
  repaired: z.object({ inserted: z.number().int(), updated: z.number().int(), deleted: z.number().int() }).nullable(),
});

export const borderStatusAnswer = z.object({
  ...freshnessFields,
  /** bootstrapping, following, stale, … (the follower's state). */
  sync: z.string(),
  /** Where the replica's batches come from. */
  source: z.string().optional(),
  lastContactAt: z.string().nullable(),
  lastError: z.string().nullable(),
  snapshotSeq: z.number().int().nullable(),
  changesApplied: z.number().int(),
  persons: z.number().int(),
  restrictions: z.number().int(),
  maxStalenessSeconds: z.number(),
  counters: z.record(z.string(), z.number()),
  integrity: z.object({
    /** Pages refused, by reason (a bad signature, a gap, disorder…). */
    rejected: z.record(z.string(), z.number()),
    lastRejection: z.object({ at: z.string(), reason: z.string(), detail: z.string() }).nullable(),
    lastHash: z.string(),
    /** Where the replica's trust in the register's keys comes from. */
    trust: z.string(),
    lastVerify: verifyReportSchema.nullable(),
  }),
});
export type BorderStatusAnswer = z.infer<typeof borderStatusAnswer>;
