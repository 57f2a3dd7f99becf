/**
 * Work that runs in rounds, one at a time, asked for by events that may come faster than a round takes
 * (a page applied, a commit, a timer): a request while a round runs asks for exactly one more round after
 * it, so no event is lost and rounds never overlap. A failed round is handed to `onError` and the next
 * request runs again.
 */
export class CoalescedRounds {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    /** When true, no further round starts (a stopping service). */
    private readonly stopped: () => boolean = () => false,
  ) {}

  /** Asks for a round; resolves when a round that started after this request has ended. */
  request(): Promise<void> {
    if (this.stopped()) return this.running ?? Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.round().catch(this.onError);
        } while (this.again && !this.stopped());
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Resolves when no round is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
