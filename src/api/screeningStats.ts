/**
 * GET /v1/console/screening-stats (a border replica's console): screenings per minute by decision,
 * counts only, for the operations charts (console/stats.ts keeps them).
 */
import { z } from 'zod';

/** `keepMinutes`: how many minutes the replica keeps; a longer window is refused. */
export const screeningStatsQuery = (keepMinutes: number) => z.object({ minutes: z.coerce.number().int().min(1).max(keepMinutes).default(60) });

const counts = { clear: z.number().int(), refer: z.number().int(), hit: z.number().int() };

export const screeningStatsAnswer = z.object({
  /** Oldest first, empty minutes included; `at` is the start of the minute. */
  minutes: z.array(z.object({ at: z.string(), ...counts })),
  totalsSinceStart: z.object(counts),
  since: z.string(),
  time: z.string(),
});
export type ScreeningStatsAnswer = z.infer<typeof screeningStatsAnswer>;
