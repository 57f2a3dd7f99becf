/**
 * Time to relief at the border, as the register sees it: for each lift committed, how long until each
 * following replica's cursor passed its sequence number (a replica asks for changes `after` its cursor
 * only once it has applied everything up to there, so the cursor passing a lift means it is applied).
 *
 * Kept in memory: a restart forgets the samples and the lifts still waiting, and figures start again
 * from the restart (`since`). Only followers the register had heard from before the lift committed
 * are counted (a replica that bootstraps later never waited for it), and only followers over HTTP:
 * JetStream consumers do not ask the register for changes (their figures come from `npm run bench`).
 * A lift not passed by every counted follower within `giveUpMs` is dropped from `allReplicas`.
 */

export interface ReliefFigures {
  since: string;
  /** One sample per (lift, replica): lift committed → that replica's cursor passed it. */
  perReplica: number[];
  /** One sample per lift: lift committed → the last counted replica passed it. */
  allReplicas: number[];
}

interface PendingLift {
  seq: number;
  atMs: number;
  waitingFor: Set<string>;
}

export class ReliefTimes {
  private readonly cursors = new Map<string, number>();
  private readonly pending: PendingLift[] = [];
  private readonly perReplica: number[] = [];
  private readonly allReplicas: number[] = [];
  private readonly since = new Date().toISOString();

  constructor(
    /** Samples kept (the newest), per series. */
    private readonly keep = 10_000,
    private readonly giveUpMs = 3_600_000,
    /** Lifts waiting at once; more and the oldest is dropped (a follower that never comes back). */
    private readonly maxPending = 10_000,
  ) {}

  /** A lift was committed as sequence number `seq` at `atMs` (the batch's commit time). */
  lifted(seq: number, atMs: number): void {
    const waitingFor = new Set([...this.cursors].filter(([, cursor]) => cursor < seq).map(([client]) => client));
    if (waitingFor.size === 0) return;
    this.pending.push({ seq, atMs, waitingFor });
    if (this.pending.length > this.maxPending) this.pending.shift();
  }

  /** A follower asked for changes after `cursor`: it holds everything up to there. */
  cursor(client: string, cursor: number, nowMs = Date.now()): void {
    this.cursors.set(client, cursor);
    if (this.cursors.size > 1000) this.cursors.delete(this.cursors.keys().next().value!);
    for (let i = 0; i < this.pending.length; i++) {
      const lift = this.pending[i]!;
      if (nowMs - lift.atMs > this.giveUpMs) {
        this.pending.splice(i--, 1);
        continue;
      }
      if (lift.seq > cursor || !lift.waitingFor.delete(client)) continue;
      const took = Math.max(0, nowMs - lift.atMs);
      push(this.perReplica, took, this.keep);
      if (lift.waitingFor.size === 0) {
        push(this.allReplicas, took, this.keep);
        this.pending.splice(i--, 1);
      }
    }
  }

  figures(): ReliefFigures {
    return { since: this.since, perReplica: [...this.perReplica], allReplicas: [...this.allReplicas] };
  }
}

function push(series: number[], value: number, keep: number) {
  series.push(value);
  if (series.length > keep) series.shift();
}

/** The lifts among committed changes: restriction bodies that carry a lift. */
export function liftSeqs(changes: readonly { seq: number; entity: string; body: unknown }[]): number[] {
  return changes.filter((c) => c.entity === 'restriction' && c.body !== null && typeof (c.body as { liftedAt?: unknown }).liftedAt === 'string').map((c) => c.seq);
}
