/**
 * A bounded cache of a pure function's answers: the matcher is asked the same things screening after
 * screening (many travellers are called ALEKSANDR, many listed persons SMIRNOV). A full cache simply
 * starts again — cheaper than tracking which entries are old.
 */
export class Memo<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string, make: () => V): V {
    let v = this.values.get(key);
    if (v === undefined) {
      if (this.values.size >= this.limit) this.values.clear();
      v = make();
      this.values.set(key, v);
    }
    return v;
  }
}
