/**
 * GET /v1/restrictions/{id}/reach (the register's console): how far a restriction's newest change — a
 * lift, typically — has reached the border, from the register's view of the replicas following its
 * feed (console/followers.ts): a follower has applied the change once it asks for the changes after
 * its sequence number or later.
 */
import { z } from 'zod';

export const reachQuery = z.object({
  /** The change to follow (a lift's answer names it in `changes`); default: the restriction's newest recorded change. */
  seq: z.coerce.number({ message: 'must be a change sequence number' }).int('must be a whole number').min(1, 'must be 1 or more').optional(),
});

export const reachFollowerSchema = z.object({
  /** Token subject and address (`demo-border@127.0.0.1`); the address alone when auth is off. */
  name: z.string(),
  /** The follower holds every change up to here (its newest `after`). */
  appliedSeq: z.number().int(),
  applied: z.boolean(),
  lastContact: z.string(),
  /** A long-poll of this follower is open right now: it is caught up and listening. */
  waiting: z.boolean(),
});

export const reachAnswer = z.object({
  restrictionId: z.string(),
  /** The change being followed; null when the restriction has no change at the border yet. */
  seq: z.number().int().nullable(),
  registerSeq: z.number().int(),
  followers: z.array(reachFollowerSchema),
  /** How many followers have applied `seq`, of `total`. */
  applied: z.number().int(),
  total: z.number().int(),
  time: z.string(),
});
export type ReachAnswer = z.infer<typeof reachAnswer>;
