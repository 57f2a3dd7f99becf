/**
 * Values a replica reads on every screening (its state, its rules) kept between the store's own
 * writes. Sound only for a store that is the sole writer of its data — a replica's SQLite files, or a
 * replica's PostgreSQL schema, which two processes must never share (docs/postgres.md) — and whose
 * every write goes through `write`.
 *
 * A read that overlaps a write may have seen the data before the write committed: it is answered but
 * not kept (the generation moved, or a write is still under way), so the cache never outlives a write.
 *
 * A reader of data another process writes (a replica's worker beside the one that follows the feed,
 * app/border/workers.ts) gives `changedElsewhere`: asked before every read, true drops what is kept
 * (SQLite: the file's data_version moved or the file was replaced; PostgreSQL: always, it cannot tell).
 */
export class CachedBetweenWrites {
  private readonly values = new Map<string, unknown>();
  private generation = 0;
  private writing = 0;

  constructor(private readonly changedElsewhere?: () => boolean) {}

  async read<T>(name: string, read: () => T | Promise<T>): Promise<T> {
    if (this.changedElsewhere?.()) {
      this.generation++;
      this.values.clear();
    }
    if (this.values.has(name)) return this.values.get(name) as T;
    const generation = this.generation;
    const value = await read();
    if (generation === this.generation && this.writing === 0) this.values.set(name, value);
    return value;
  }

  /** Runs a write (synchronous or not); what is kept is dropped before it starts and after it ends. */
  write<R>(fn: () => R): R {
    this.begin();
    let result: R;
    try {
      result = fn();
    } catch (err) {
      this.end();
      throw err;
    }
    if (result instanceof Promise) return result.finally(() => this.end()) as R;
    this.end();
    return result;
  }

  private begin(): void {
    this.writing++;
    this.generation++;
    this.values.clear();
  }

  private end(): void {
    this.writing--;
    this.generation++;
    this.values.clear();
  }
}
