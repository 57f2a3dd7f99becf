/**
 * Screenings per minute by decision, for the operations charts. Counted in memory as answers leave the
 * replica (O(1) per screening, nothing read back from the audit on each poll), and seeded at start-up
 * from the newest audited screenings so a restart does not blank the chart.
 */
import { type Decision, DECISIONS } from '../api/decision.js';

export interface MinuteCounts {
  /** Start of the minute (ISO). */
  at: string;
  clear: number;
  refer: number;
  hit: number;
}

const MINUTE = 60_000;
const isDecision = (d: string): d is Decision => (DECISIONS as readonly string[]).includes(d);

export class ScreeningStats {
  private readonly minutes = new Map<number, Record<Decision, number>>();
  readonly totals: Record<Decision, number> = { clear: 0, refer: 0, hit: 0 };
  readonly since: string;

  constructor(
    /** How many minutes are kept. */
    readonly keepMinutes = 180,
    now = new Date(),
  ) {
    this.since = now.toISOString();
  }

  add(decision: string, at: Date = new Date(), countInTotals = true): void {
    if (!isDecision(decision)) return;
    const minute = Math.floor(at.getTime() / MINUTE) * MINUTE;
    let bucket = this.minutes.get(minute);
    if (!bucket) {
      bucket = { clear: 0, refer: 0, hit: 0 };
      this.minutes.set(minute, bucket);
      this.prune(minute);
    }
    bucket[decision]++;
    if (countInTotals) this.totals[decision]++;
  }

  /** The last `count` minutes up to `now`, oldest first, empty minutes included (a chart needs them). */
  series(count: number, now = new Date()): MinuteCounts[] {
    const last = Math.floor(now.getTime() / MINUTE) * MINUTE;
    const out: MinuteCounts[] = [];
    for (let m = last - (Math.min(count, this.keepMinutes) - 1) * MINUTE; m <= last; m += MINUTE) {
      out.push({ at: new Date(m).toISOString(), ...(this.minutes.get(m) ?? { clear: 0, refer: 0, hit: 0 }) });
    }
    return out;
  }

  private prune(newest: number): void {
    const cutoff = newest - this.keepMinutes * MINUTE;
    for (const m of this.minutes.keys()) if (m <= cutoff) this.minutes.delete(m);
  }
}
