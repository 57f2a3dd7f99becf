/**
 * A bounded cache of a pure function's answers: the matcher is asked the same things screening after
 * screening (many travellers are called ALEKSANDR, many listed persons SMIRNOV).
 *
 * Two generations: a full cache becomes the old generation and a new one starts; an answer found in
 * the old generation moves to the new one. What screenings keep asking survives a turnover, and only
 * what nobody asked for a whole generation is dropped. A cache that simply started again made the
 * screenings after each clearing recompute everything at once: at ten million persons the word memo
 * filled every few hundred screenings, and those screenings made the slowest percentile. Cheaper than
 * tracking the age of each entry (an LRU list).
 */
export class GenerationalMap<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  /** At most `limit` entries per generation (twice that in all). */
  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    const v = this.current.get(key);
    if (v !== undefined || this.current.has(key)) return v;
    if (!this.previous.has(key)) return undefined;
    const old = this.previous.get(key) as V;
    this.set(key, old);
    return old;
  }

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  set(key: string, value: V): void {
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}

/** GenerationalMap for a function of one string. */
export class Memo<V> {
  private readonly values: GenerationalMap<V>;

  constructor(limit: number) {
    this.values = new GenerationalMap<V>(limit);
  }

  get(key: string, make: () => V): V {
    let v = this.values.get(key);
    if (v === undefined) {
      v = make();
      this.values.set(key, v);
    }
    return v;
  }
}
