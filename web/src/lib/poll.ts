/** Live pages: call `fn` now and then every `ms`, one call at a time, paused while the tab is hidden. */
import { useEffect, useRef } from 'preact/hooks';

export function usePoll(fn: () => Promise<unknown>, ms: number, deps: unknown[] = []): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (stopped) return;
      if (!document.hidden) await latest.current().catch(() => undefined);
      if (!stopped) timer = setTimeout(tick, ms);
    };
    void tick();
    const wake = () => {
      if (!document.hidden && timer !== undefined) {
        clearTimeout(timer);
        void tick();
      }
    };
    document.addEventListener('visibilitychange', wake);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', wake);
    };
  }, [ms, ...deps]);
}
