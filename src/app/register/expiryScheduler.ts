/**
 * The register's expiry run (register/reviewService.ts `expireDue`): at start and then every `everyMs`,
 * restrictions not reviewed by their deadline are lifted with reason `expiry`. Runs never overlap (a
 * slow run makes the next one wait); a run that fails is logged and the next one tries again — each lift
 * is its own transaction, so nothing is half done and nothing is lifted twice.
 */
import type { Logger } from 'pino';
import type { ReviewService } from '../../register/reviewService.js';

export const DEFAULT_EXPIRY_EVERY_SECONDS = 60;

export interface ExpiryScheduler {
  /** Runs once now (after any run under way); resolves with how many restrictions it lifted. */
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

export function startExpiryScheduler(reviews: ReviewService, everyMs: number, log: Pick<Logger, 'info' | 'error'>, onRun?: (lifted: number) => void): ExpiryScheduler {
  let running: Promise<number> = Promise.resolve(0);
  let stopped = false;
  const run = () => {
    running = running.then(async () => {
      if (stopped) return 0;
      try {
        const { lifted } = await reviews.expireDue();
        if (lifted.length > 0) log.info({ lifted: lifted.length }, 'lifted restrictions not reviewed by their deadline (reason expiry)');
        onRun?.(lifted.length);
        return lifted.length;
      } catch (err) {
        log.error({ err }, 'expiry run failed; the next run tries again');
        return 0;
      }
    });
    return running;
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  void run();
  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
