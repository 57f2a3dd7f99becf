/**
 * GET /v1/exchange/followers (the register's console): who follows the feed — each client's cursor,
 * lag and last contact — and the change log's size. Kept in memory by the register (console/followers.ts).
 */
import { z } from 'zod';

export const followerSchema = z.object({
  /** Token subject and address (`demo-border@127.0.0.1`); the address alone when auth is off. */
  client: z.string(),
  role: z.string().nullable(),
  address: z.string(),
  /** `after` of its newest changes request: the replica holds every change up to here. */
  cursor: z.number().int(),
  lagChanges: z.number().int(),
  firstSeenAt: z.string(),
  lastContactAt: z.string(),
  /** A long-poll of this client is open right now (it is caught up and listening). */
  waiting: z.boolean(),
  requests: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastSnapshotAt: z.string().nullable(),
  lastDigestAt: z.string().nullable(),
});

export const followersAnswer = z.object({
  registerSeq: z.number().int(),
  oldestSeq: z.number().int(),
  logChanges: z.number().int(),
  time: z.string(),
  followers: z.array(followerSchema),
});
export type FollowersAnswer = z.infer<typeof followersAnswer>;
