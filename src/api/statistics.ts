/**
 * GET /v1/statistics (public, on the register): aggregated figures about restrictions and relief, for
 * anyone. Every count is a cell `{n}`; a count under 10 is published as `{n: null, suppressed: true}`,
 * and so is every total that adds up a suppressed cell (a total never reveals a hidden cell by
 * subtraction). Times are suppressed the same way when fewer than 10 samples stand behind them.
 */
import { z } from 'zod';

/** Counts under this are suppressed. */
export const SUPPRESS_UNDER = 10;

export const cellSchema = z.object({ n: z.number().int().nullable(), suppressed: z.literal(true).optional() });
export type Cell = z.infer<typeof cellSchema>;

const restrictionCells = { imposed: cellSchema, lifted: cellSchema, expired: cellSchema };

/** Percentiles of a series of durations (milliseconds), null with `suppressed` under 10 samples. */
export const timesSchema = z.object({
  samples: cellSchema,
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  suppressed: z.literal(true).optional(),
});

export const statisticsAnswer = z.object({
  generatedAt: z.string(),
  suppressUnder: z.number().int(),
  restrictions: z.object({
    byKindAndOffice: z.array(z.object({ kind: z.string(), office: z.string(), ...restrictionCells })),
    byKind: z.array(z.object({ kind: z.string(), ...restrictionCells })),
    total: z.object(restrictionCells),
  }),
  /** Restrictions lifted with reason `expiry` (not reviewed in time, or past their maximum time in force). */
  expiries: cellSchema,
  /** A lift at the register → applied at the following replicas (in memory since `since`: a restart starts again). */
  timeToRelief: z.object({ since: z.string(), perReplica: timesSchema, allReplicas: timesSchema }),
  /** Contests filed through the self-check and how they ended (register/statistics.ts `contestSource`). */
  contests: z.object({ opened: cellSchema, upheld: cellSchema, rejected: cellSchema, overdue: cellSchema }).optional(),
  /** Confirmed non-matches ("not the listed person") recorded at checkpoints, in force. */
  confirmedNonMatches: cellSchema.optional(),
});
export type StatisticsAnswer = z.infer<typeof statisticsAnswer>;
