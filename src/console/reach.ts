/**
 * Whether a restriction's change has reached the border, as the register sees it: the change's
 * sequence number against each following replica's cursor (console/followers.ts). The change is the
 * one asked for, or else the newest one the audit trail records for the restriction (each lift,
 * service and issue entry names the changes it appended).
 */
import type { ReachAnswer } from '../api/reach.js';
import type { RegisterStore } from '../register/registerStore.js';
import type { FollowerView } from './followers.js';

/** Enough to pass over a restriction's own history (issue, service, lift, a few more). */
const HISTORY = 50;

/** The newest change sequence number an audit entry about the restriction names, or null. */
export async function newestChangeOf(store: RegisterStore, restrictionId: string): Promise<number | null> {
  let newest: number | null = null;
  for (const entry of await store.auditAbout([restrictionId], HISTORY)) {
    const changes = (entry.detail as { changes?: unknown } | null)?.changes;
    if (!Array.isArray(changes)) continue;
    for (const seq of changes) if (typeof seq === 'number' && (newest === null || seq > newest)) newest = seq;
  }
  return newest;
}

/** A replica follows the feed; an operator reading it by hand does not count. */
const isReplica = (f: FollowerView) => f.role !== 'operator';

export function reachOf(restrictionId: string, seq: number | null, registerSeq: number, followers: FollowerView[], now = new Date()): ReachAnswer {
  const rows = followers.filter(isReplica).map((f) => ({
    name: f.client,
    appliedSeq: f.cursor,
    applied: seq !== null && f.cursor >= seq,
    lastContact: f.lastContactAt,
    waiting: f.waiting,
  }));
  return { restrictionId, seq, registerSeq, followers: rows, applied: rows.filter((r) => r.applied).length, total: rows.length, time: now.toISOString() };
}
