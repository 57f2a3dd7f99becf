/**
 * The replica's `state.db` as a file with a lifecycle: opened (and migrated) at start, replaced whole
 * by a finished bootstrap (written beside it, made durable, renamed over it: the commit point), set
 * aside under a new name when damaged. Every write to it goes through `write`, which runs one SQLite
 * transaction and makes the cached state and rules be read anew after it. The bootstrap, apply,
 * repair and read modules beside this one all work through this object.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import { join } from 'node:path';
import type { Matcher } from '../../../matching/index.js';
import { CachedBetweenWrites } from '../../cachedBetweenWrites.js';
import { describeDamage, isDatabaseDamage } from '../../../shared/databaseDamage.js';
import { type Db, migrate, openDatabase } from '../../../shared/sqlite.js';
import { ReadTogether } from '../../../shared/sqliteReadTogether.js';
import { BOOTSTRAP_CACHE_KIB, STATE_MMAP_BYTES, STATE_SCHEMA, stateCacheKiB, type Statements, statements } from './schema.js';

/** How often, at most, a reader looks whether the state file was swapped for another (changedByWriter). */
export const SWAP_CHECK_MS = 20;

export interface ReplicaStoreOptions {
  dataDir: string;
  /** SQLite's page cache for the state database, in KiB (default: stateCacheKiB of the file). */
  cacheKiB?: number;
  /** Bytes of the state database read through a memory map (default STATE_MMAP_BYTES: all of it, to 2 GiB); 0: none. */
  mmapBytes?: number;
  /** The page cache of a bootstrap's connection (and of a reindex), in KiB (default 16 MiB). */
  bootstrapCacheKiB?: number;
  matcher: Pick<Matcher, 'version' | 'indexKeys'>;
  /** Called while the name index is rebuilt for a new matcher version: (done, total). */
  onReindex?: (done: number, total: number) => void;
  /**
   * `reader`: a worker beside the replica's one writer (app/border/workers.ts). It opens the state
   * read-only, never migrates, reindexes, cleans up or sets aside (the writer does), and notices the
   * writer's commits (data_version) and a state file swapped in by a bootstrap (another inode) before
   * it reads what it keeps between writes. Default `writer`.
   */
  role?: 'writer' | 'reader';
}

export class ReplicaStateFile {
  db: Db;
  stmt: Statements;
  readonly statePath: string;
  /** Where a bootstrap builds the next state, and where it (or an image) is packed before the swap. */
  readonly nextPath: string;
  readonly packedPath: string;
  /**
   * The state and the rules, read on every screening, kept between writes (every write to the state
   * database goes through write()): reading them from SQLite each time cost a read transaction per
   * screening, with its locking system calls.
   */
  readonly cache: CachedBetweenWrites;
  /** A screening's (or a manifest's) reads as one read transaction (shared/sqliteReadTogether.ts). */
  readonly together = new ReadTogether(() => this.db);
  /** The state file could not be opened for damage and was set aside (see setAsideDamaged). */
  damagedAtOpen: { reason: string; keptAs: string } | null = null;
  /** When a reader last looked whether the path names another file (performance.now()). */
  private lastSwapCheck = -Infinity;
  /** A reader's view of the file it has open: its inode, and SQLite's count of other connections' commits. */
  private opened: { ino: number; dataVersion: Statement<[], number>; version: number } | null = null;

  /** Opens the state; a file SQLite cannot even open is set aside at once and an empty one started. `afterOpen` runs on a sound file (the reindex). */
  constructor(
    readonly options: ReplicaStoreOptions,
    afterOpen: (file: ReplicaStateFile) => void,
  ) {
    this.statePath = join(options.dataDir, 'state.db');
    this.nextPath = join(options.dataDir, 'state.next.db');
    this.packedPath = join(options.dataDir, 'state.packed.db');
    if (this.isReader) {
      this.cache = new CachedBetweenWrites(() => this.changedByWriter());
      this.db = this.openForReading();
      this.stmt = statements(this.db);
      return;
    }
    this.cache = new CachedBetweenWrites();
    // A half-built bootstrap from a crashed run is worthless: start it again from scratch.
    this.removeBootstrapFiles();
    try {
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
      afterOpen(this);
    } catch (err) {
      // A state file SQLite cannot even open is set aside at once; the replica starts empty and rebuilds.
      if (!isDatabaseDamage(err)) throw err;
      this.damagedAtOpen = { reason: describeDamage(err), keptAs: this.moveStateAside() };
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
    }
  }

  get isReader(): boolean {
    return this.options.role === 'reader';
  }

  /**
   * A reader's check before it trusts what it keeps: true when the writer committed since (SQLite's
   * data_version) or swapped in another state file (a bootstrap, a rebuild: the path names another
   * inode), which the reader then opens in place of the old one. Opened read-only, the old connection
   * never checkpoints or removes the WAL the new file now owns under the same name.
   */
  changedByWriter(): boolean {
    const opened = this.opened!;
    // The path is looked at most every SWAP_CHECK_MS: a screening asks several times (state, rules,
    // sync view …), and the `stat` of each was 5 % of a reader's time under load. A swapped file is
    // noticed that much later; until then the reader reads the old one, whole and consistent (it is
    // open, only unlinked), as if the swap had happened a moment later.
    const now = performance.now();
    const due = now - this.lastSwapCheck >= SWAP_CHECK_MS;
    if (due) this.lastSwapCheck = now;
    const ino = due ? statSync(this.statePath, { throwIfNoEntry: false })?.ino : opened.ino;
    if (ino !== undefined && ino !== opened.ino) {
      try {
        const db = this.openForReading();
        this.db.close();
        this.db = db;
        this.stmt = statements(db);
      } catch {
        // Caught between the set-aside and the new file's creation: the next read tries again.
      }
      return true;
    }
    const version = opened.dataVersion.get()!;
    if (version === opened.version) return false;
    opened.version = version;
    return true;
  }

  private openForReading(): Db {
    // The inode before and after opening agree, or the file was swapped meanwhile and is opened again.
    let ino = statSync(this.statePath).ino;
    let db = openDatabase(this.statePath, { synchronous: 'NORMAL', readonly: true, cacheKiB: this.stateCache(this.statePath), mmapBytes: this.mmapBytes });
    for (let again = statSync(this.statePath).ino; again !== ino; again = statSync(this.statePath).ino) {
      db.close();
      ino = again;
      db = openDatabase(this.statePath, { synchronous: 'NORMAL', readonly: true, cacheKiB: this.stateCache(this.statePath), mmapBytes: this.mmapBytes });
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== STATE_SCHEMA.length) {
      db.close();
      throw new Error(`replica state schema version ${version}, not ${STATE_SCHEMA.length}: the writer migrates it before readers start`);
    }
    const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.opened = { ino, dataVersion, version: dataVersion.get()! };
    return db;
  }

  get matcher(): Pick<Matcher, 'version' | 'indexKeys'> {
    return this.options.matcher;
  }

  removeBootstrapFiles(): void {
    for (const path of [this.nextPath, this.packedPath]) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  }

  private get mmapBytes(): number {
    return this.options.mmapBytes ?? STATE_MMAP_BYTES;
  }

  get bootstrapCache(): number {
    return this.options.bootstrapCacheKiB ?? BOOTSTRAP_CACHE_KIB;
  }

  /** The state database's page cache, in KiB: as configured, or grown with the file. */
  stateCache(path: string): number {
    return this.options.cacheKiB ?? stateCacheKiB(existsSync(path) ? statSync(path).size : 0);
  }

  private openState(path: string): Db {
    const db = openDatabase(path, { synchronous: 'NORMAL', cacheKiB: this.stateCache(path), mmapBytes: this.mmapBytes });
    try {
      migrate(db, STATE_SCHEMA, 'replica state');
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }

  meta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  /** Runs `fn` in a write transaction of the state database; what is cached of the state is read anew after it. */
  write<T>(fn: () => T): T {
    if (this.isReader) throw new Error('a reader worker does not write the replica state: the writer (worker 0) does');
    // A write must not become part of a screening's read transaction (committed only when the screening ends).
    this.together.end();
    return this.cache.write(() => this.db.transaction(fn)());
  }

  /** Makes a complete state file, written beside the state, the state: durable first, then renamed over it (the commit point of a bootstrap). */
  replaceState(built: string): void {
    const fd = openSync(built, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    this.db.close();
    for (const suffix of ['-wal', '-shm']) rmSync(this.statePath + suffix, { force: true });
    renameSync(built, this.statePath);
    this.cache.write(() => {
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
    });
  }

  /**
   * Moves the damaged state file (and its WAL) aside as `state.damaged-TIME.db`, for inspection, and
   * opens an empty state in its place: the follower finds no cursor and bootstraps it like a new
   * replica, building the new file beside and swapping it in.
   */
  setAsideDamaged(): string {
    return this.cache.write(() => {
      const keptAs = this.moveStateAside();
      this.db = this.openState(this.statePath);
      this.stmt = statements(this.db);
      return keptAs;
    });
  }

  /** Closes the state database and renames its files to a new `state.damaged-TIME.db`; returns that name. */
  private moveStateAside(): string {
    try {
      this.db?.close();
    } catch {
      // A damaged file may refuse a clean close (its WAL checkpoint); its bytes are kept all the same.
    }
    const keptAs = join(this.options.dataDir, `state.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(this.statePath + suffix)) renameSync(this.statePath + suffix, keptAs + suffix);
    return keptAs;
  }
}
