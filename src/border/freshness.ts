/**
 * How current a replica's data is — computed only from what the register signed.
 *
 * Why a function of its own: freshness decides whether a `clear` stands or becomes `refer`, and
 * whether /readyz answers 503. It used to trust the unsigned `registerTime` of a page and count an
 * open long-poll as "current" however long it had been open, so a proxy that withheld pages, or a
 * register frozen with its socket open, left a replica at lag 0 for ever. Here the only inputs that
 * can make data look recent are:
 *
 *  - `dataAsOf`: the register time of the newest signed head claim (exchange/headClaim.ts) the replica
 *    has fully applied (cursor ≥ claim.registerSeq, and its chain has claim.headHash there), or of the
 *    signed snapshot/image manifest it bootstrapped from. The follower records it with the cursor.
 *  - `latestClaim`: the newest verified claim the replica has received, when it arrived, and whether
 *    the replica has applied everything it covers.
 *
 * The caught-up window: a replica that holds everything the newest verified claim covers, received
 * that claim at most `liveWindowMs` ago, *and* whose claim was made at most `liveWindowMs` ago by the
 * register's clock, reports lag 0. Claims arrive once per long-poll (or sooner), so a healthy idle
 * replica would otherwise show a lag that climbs to the long-poll period and drops back — noise to an
 * officer. Both times bound the window: "received" alone could be kept fresh by a proxy replaying an
 * old claim, "made" alone by a clock running ahead. The window is the long-poll period plus a few
 * seconds for transit and clock skew, and never more than the staleness bound (app/borderServer.ts), so
 * it can hide at most that much and never turns a stale replica into a fresh one. Outside it, the lag
 * is the honest age of `dataAsOf`.
 */

/** How current the replica's data is, as a screening answer and /readyz report it. */
export interface Freshness {
  replicaSeq: number;
  registerSeq: number;
  /** Register time of the newest signed claim (or manifest) the replica has fully applied; null before a bootstrap. */
  dataAsOf: string | null;
  /** Seconds the data may be behind the register; 0 inside the caught-up window; null before a bootstrap. */
  lagSeconds: number | null;
}

/** Freshness before anything is known (no bootstrap, or the replica's state cannot be read). */
export const UNKNOWN_FRESHNESS: Freshness = Object.freeze({ replicaSeq: 0, registerSeq: 0, dataAsOf: null, lagSeconds: null });

export interface LatestClaim {
  /** The claim's register time (ISO). */
  registerTime: string;
  /** When the replica received it (ms since the epoch, the replica's clock). */
  receivedAt: number;
  /** The replica has applied everything up to the claim's sequence number, on the claimed chain. */
  applied: boolean;
}

export interface FreshnessInput {
  /** The replica's clock (ms since the epoch). */
  now: number;
  /** Last change applied; null before the first bootstrap completes. */
  cursor: number | null;
  /** The register's newest sequence number as last vouched for by a signed claim. */
  registerSeq: number;
  /** Register time of the newest signed claim (or manifest) the replica has fully applied (ISO); null before a bootstrap. */
  dataAsOf: string | null;
  latestClaim: LatestClaim | null;
  /** The caught-up window (ms); 0 turns it off. */
  liveWindowMs: number;
}

export function freshnessOf(input: FreshnessInput): Freshness {
  const { now, cursor, registerSeq, latestClaim, liveWindowMs } = input;
  const replicaSeq = cursor ?? 0;
  if (cursor === null || input.dataAsOf === null || Number.isNaN(Date.parse(input.dataAsOf))) {
    return { replicaSeq, registerSeq, dataAsOf: null, lagSeconds: null };
  }
  const live =
    latestClaim !== null &&
    latestClaim.applied &&
    now - latestClaim.receivedAt <= liveWindowMs &&
    now - Date.parse(latestClaim.registerTime) <= liveWindowMs;
  if (live) return { replicaSeq, registerSeq, dataAsOf: new Date(now).toISOString(), lagSeconds: 0 };
  const lagMs = Math.max(0, now - Date.parse(input.dataAsOf));
  return { replicaSeq, registerSeq, dataAsOf: input.dataAsOf, lagSeconds: Math.round(lagMs / 100) / 10 };
}

/** Seconds of transit and clock skew the caught-up window allows beyond the long-poll period. */
export const LIVE_MARGIN_MS = 5_000;

/** The caught-up window for a replica whose requests wait `longPollMs`, under a staleness bound. */
export function liveWindowMs(longPollMs: number, maxStalenessSeconds: number): number {
  return Math.min(longPollMs + LIVE_MARGIN_MS, maxStalenessSeconds * 1000);
}

/**
 * Whether data this old may still answer `clear` (S5, border/decide.ts): not when its lag is unknown or
 * above the staleness bound — a ban issued since may be missing. (A `hit` stands whatever the lag: a
 * lift the replica missed can only have made it stricter than the register, never laxer.)
 */
export function tooStaleToClear(lagSeconds: number | null, maxStalenessSeconds: number): boolean {
  return lagSeconds === null || lagSeconds > maxStalenessSeconds;
}
