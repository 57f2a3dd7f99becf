/**
 * Noticing that a file another process may replace (`erx auth revoke`, `erx auth rotate-key`) has
 * changed, cheaply enough to ask on every request: at most one stat per `recheckMs`, comparing inode,
 * size and modification time with what was seen last.
 */
import { statSync } from 'node:fs';

export class FileChanges {
  private seen: string;
  private checkedAt: number;

  /** `seenNow`: take the file as it is now for already read (no change reported until it changes). */
  constructor(
    private readonly file: string,
    private readonly recheckMs = 1_000,
    seenNow = true,
  ) {
    this.seen = seenNow ? this.signature() : '';
    this.checkedAt = seenNow ? Date.now() : 0;
  }

  /**
   * Whether the file changed since the last call that said so; `force` looks now, whatever the interval.
   * `state` says what it is now: 'missing' or 'present'.
   */
  changed(force = false): { changed: boolean; state: 'missing' | 'present' } {
    const now = Date.now();
    if (!force && now - this.checkedAt < this.recheckMs) return { changed: false, state: this.seen === 'none' ? 'missing' : 'present' };
    this.checkedAt = now;
    const signature = this.signature();
    const changed = signature !== this.seen;
    this.seen = signature;
    return { changed, state: signature === 'none' ? 'missing' : 'present' };
  }

  private signature(): string {
    const stat = statSync(this.file, { throwIfNoEntry: false });
    return stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : 'none';
  }
}
