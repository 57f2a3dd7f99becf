/**
 * A replica that watches its own database, so that damage on disk or rows edited by hand are noticed
 * and mended by the replica, not found by a traveller.
 *
 *  H1  At start and on an interval the state file gets a structural check (SQLite `PRAGMA
 *      quick_check`, off the main thread); the replica is not ready until the start check has passed.
 *  H2  Any store call that fails because the database is damaged (SQLite: corrupt page, "file is not a
 *      database"; PostgreSQL: data or index corrupted) marks the replica damaged, and so does a failed
 *      check. Damaged, it is not ready (/readyz 503 with the reason), every screening answers `refer`
 *      with the reason (decide.ts S7), and every other call that meets the damage answers 503 with it.
 *  H3  A damaged SQLite state is moved aside under a new name (kept for inspection, never deleted); the
 *      follower finds no state and rebuilds one beside it from an image or a snapshot, swaps it in, and
 *      the replica is ready again. PostgreSQL checks its own pages and a replica there cannot rebuild
 *      itself: it stays not ready and says so, for an operator to restore it.
 *  H4  The digest comparison with the register (anti-entropy, antiEntropy.ts) runs at start, as soon
 *      as the feed answers and the backlog is applied (relief first, F5; on its last state meanwhile,
 *      under the usual staleness rules), then again
 *      every `verifyEveryMs` — but never so often that comparisons take more than 1/COST_SHARE of the
 *      time: a comparison reads every row, so a small replica compares every minute and a large one
 *      spaces them out by itself.
 */
import { basename } from 'node:path';
import type { Follower } from './sync/follower.js';
import { ErxError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { describeDamage, isDatabaseDamage } from '../shared/databaseDamage.js';
import type { VerifyReport } from './antiEntropy.js';
import type { ReplicaStore } from './replicaStore.js';

/** Comparisons may take at most 1/COST_SHARE of the replica's time (5 %). */
const COST_SHARE = 20;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export interface DatabaseDamage {
  /** What was found, in the database's words. */
  reason: string;
  detectedAt: string;
  /** Where the damaged state was moved (kept for inspection); null until moved, or where it cannot be. */
  keptAs: string | null;
}

export interface HealthOptions {
  /** The store itself (not watch()'s wrapper): the health checks must see its errors first-hand. */
  store: ReplicaStore;
  log: Logger;
  /** Structural check of the database this often (ms). */
  checkEveryMs: number;
  /** Digest comparison at most this often (ms); undefined: only at start. */
  verifyEveryMs?: number;
  /**
   * A worker beside the replica's writer (app/border/workers.ts): the writer runs the checks and the
   * rebuild; this one only notices damage in its own reads and says so through `onDamage`.
   */
  checkedElsewhere?: boolean;
  /** Called once per damage this process notices (H2). */
  onDamage?: (reason: string) => void;
}

export class ReplicaHealth {
  damage: DatabaseDamage | null = null;
  lastCheck: { at: string; ok: boolean; problems: string[]; seconds: number } | null = null;
  lastRebuild: (DatabaseDamage & { rebuiltAt: string }) | null = null;
  /** When the next digest comparison is due (ISO), for the status page. */
  nextComparisonAt: string | null = null;
  /** The structural check at start has run (or there is none for this store). */
  private startChecked: boolean;
  /** Counts state files swapped in: a check that began on an older file says nothing about the current one. */
  private generation = 0;
  private readonly stop = new AbortController();
  private checkTimer: NodeJS.Timeout | null = null;
  /** Known from start() on: the follower that rebuilds a state set aside, and the comparison it runs. */
  private follower: Follower | null = null;
  private verify: (() => Promise<VerifyReport>) | null = null;

  constructor(private readonly options: HealthOptions) {
    this.startChecked = options.checkedElsewhere === true || !options.store.checkIntegrity;
    const opened = options.store.damagedAtOpen;
    if (opened) {
      this.damage = { reason: opened.reason, detectedAt: new Date().toISOString(), keptAs: opened.keptAs };
      options.log.error({ reason: opened.reason, keptAs: opened.keptAs }, 'replica database damaged: set aside; not ready and referring every screening until it is rebuilt from the register');
    }
  }

  /**
   * Begins the start checks (H1, H4) and their intervals, given the follower (which rebuilds a state
   * set aside) and one digest comparison with the register, repairing what differs (shared with
   * POST /v1/border/verify).
   */
  start(follower: Follower, verify: () => Promise<VerifyReport>): void {
    const { store } = this.options;
    this.follower = follower;
    this.verify = verify;
    follower.on('bootstrapped', () => this.generation++);
    if (this.damage) {
      if (this.damage.keptAs) void this.awaitRebuild(this.damage);
      else void this.setAsideAndRebuild(this.damage); // met before the follower existed
    }
    void this.checkDatabase().then(() => this.compareForever());
    if (store.checkIntegrity) {
      this.checkTimer = setInterval(() => void this.checkDatabase(), this.options.checkEveryMs);
      this.checkTimer.unref();
    }
  }

  close(): void {
    this.stop.abort();
    if (this.checkTimer) clearInterval(this.checkTimer);
  }

  /** Why the replica must not be sent travellers now, or null. */
  notReadyBecause(): string | null {
    if (this.damage) return this.damageMessage(this.damage);
    if (!this.startChecked) return 'checking the replica database at start';
    return null;
  }

  /** The damage, in words for an officer or operator; null while the database is sound. */
  damageNow(): string | null {
    return this.damage ? this.damageMessage(this.damage) : null;
  }

  status() {
    return {
      state: this.damage ? 'damaged' : this.startChecked ? 'ok' : 'checking',
      damage: this.damage,
      lastCheck: this.lastCheck,
      lastRebuild: this.lastRebuild,
      nextComparisonAt: this.nextComparisonAt,
    };
  }

  /**
   * The store, with every call watched (H2): an error that says the database is damaged marks the
   * replica damaged and comes out as a 503 naming the damage; other errors pass unchanged.
   */
  watch(store: ReplicaStore): ReplicaStore {
    const translate = (err: unknown) => this.noticed(err);
    return new Proxy(store, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          try {
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(translate(err))) : result;
          } catch (err) {
            throw translate(err);
          }
        };
      },
    });
  }

  /** An error that says the database is damaged marks the replica damaged and becomes a 503 naming the damage; others are returned unchanged. */
  noticed(err: unknown): unknown {
    if (!isDatabaseDamage(err)) return err;
    this.markDamaged(describeDamage(err));
    return new ErxError(503, this.damageMessage(this.damage!));
  }

  /** H2, H3: from now on not ready and referring; the state is set aside and rebuilt. Once per damage. */
  markDamaged(reason: string): void {
    if (this.damage) return;
    const damage: DatabaseDamage = { reason, detectedAt: new Date().toISOString(), keptAs: null };
    this.damage = damage;
    this.options.log.error({ reason }, 'replica database damaged: not ready and referring every screening until it is rebuilt from the register');
    this.options.onDamage?.(reason);
    if (this.follower) void this.setAsideAndRebuild(damage);
  }

  private damageMessage(d: DatabaseDamage): string {
    const rebuilding = this.options.store.setAsideDamaged
      ? `it is being rebuilt from the register${d.keptAs ? ` (the damaged copy is kept as ${basename(d.keptAs)})` : ''}`
      : 'this store cannot rebuild itself: restore the database, or empty it so the replica bootstraps again';
    return `replica database damaged: ${d.reason}; ${rebuilding}`;
  }

  private async setAsideAndRebuild(damage: DatabaseDamage): Promise<void> {
    const { store, log } = this.options;
    const follower = this.follower!;
    if (!store.setAsideDamaged) return;
    try {
      const rebuilt = this.awaitRebuild(damage);
      // A bootstrap under way builds a new file anyway; otherwise the follower is paused while the files move.
      damage.keptAs = follower.state === 'bootstrapping' ? await store.setAsideDamaged() : await follower.exclusive(() => store.setAsideDamaged!());
      log.warn({ keptAs: damage.keptAs }, 'damaged replica state moved aside; rebuilding from the register');
      await rebuilt;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not set the damaged replica state aside; restart the replica');
    }
  }

  /** Waits for the follower to bootstrap a new state (a damaged one was set aside), then clears the damage. */
  private async awaitRebuild(damage: DatabaseDamage): Promise<void> {
    await new Promise<void>((resolve) => this.follower!.once('bootstrapped', () => resolve()));
    this.lastRebuild = { ...damage, rebuiltAt: new Date().toISOString() };
    if (this.damage === damage) this.damage = null;
    this.options.log.warn({ reason: damage.reason, keptAs: damage.keptAs }, 'replica database rebuilt from the register; ready again');
  }

  /** H1: the structural check; problems mark the replica damaged. */
  private async checkDatabase(): Promise<void> {
    const { store, log } = this.options;
    try {
      if (!store.checkIntegrity || this.damage) return;
      const generation = this.generation;
      const result = await store.checkIntegrity();
      if (generation !== this.generation) return; // the file was replaced while it was read
      this.lastCheck = { at: new Date().toISOString(), ok: result.problems.length === 0, problems: result.problems, seconds: result.seconds };
      if (result.problems.length > 0) this.markDamaged(`SQLite quick_check found ${result.problems.length === 1 ? 'a problem' : `${result.problems.length} problems`}: ${result.problems.slice(0, 3).join('; ')}`);
      else log.info({ seconds: result.seconds }, 'replica database check: ok');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not check the replica database; trying again at the next check');
    } finally {
      this.startChecked = true;
    }
  }

  /**
   * H4: a comparison as soon as there is a state to compare and the feed answers (retrying with a
   * growing pause while it does not), then one every verifyEveryMs, spaced by what they cost.
   */
  private async compareForever(): Promise<void> {
    const { store, log } = this.options;
    let retry = FIRST_RETRY_MS;
    let compared = false;
    while (!this.stop.signal.aborted) {
      let pause: number;
      try {
        const state = await store.state();
        if (this.damage || state.cursor === null) {
          pause = FIRST_RETRY_MS; // damaged, or not bootstrapped yet
        } else if (this.follower?.lastContactAt == null || state.cursor < state.registerSeq) {
          // Not caught up (or not yet heard from the feed in this run): a comparison holds the replica at
          // the register's head by applying the backlog in order (antiEntropy advanceTo), which would
          // overtake the relief lane (F5: lifts first). The comparison waits until the backlog is applied.
          pause = FIRST_RETRY_MS;
        } else if (!compared && this.generation > 0) {
          // Bootstrapped in this run: the state is the register's own, there is nothing to compare yet.
          compared = true;
          if (this.options.verifyEveryMs === undefined) return;
          pause = this.options.verifyEveryMs;
        } else {
          const started = Date.now();
          await this.verify!();
          compared = true;
          retry = FIRST_RETRY_MS;
          if (this.options.verifyEveryMs === undefined) return;
          pause = Math.max(this.options.verifyEveryMs, (Date.now() - started) * COST_SHARE);
        }
      } catch (err) {
        if (isDatabaseDamage(err)) this.markDamaged(describeDamage(err));
        else if (!(err instanceof ErxError && err.status === 503)) {
          log.warn({ err: (err as Error).message, retryInMs: retry }, compared ? 'digest comparison with the register failed' : 'digest comparison at start failed (feed unreachable?); serving on the last state, trying again');
        }
        pause = retry;
        retry = Math.min(retry * 2, MAX_RETRY_MS);
      }
      this.nextComparisonAt = new Date(Date.now() + pause).toISOString();
      await this.sleep(pause);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref();
      this.stop.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
