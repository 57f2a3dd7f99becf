/**
 * What a replica keeps to serve the register's feed onward, exactly as the register signed it:
 *
 *  - the register's signed snapshot, line for line as it arrived (`<data>/relay-snapshot.ndjson`),
 *    so a checkpoint bootstraps from the register's own manifest;
 *  - the register's signed batches after it, whole and unchanged (`<data>/relay.db`, SQLite), so a
 *    checkpoint follows the register's hash chain and verifies the register's signatures.
 *
 * Nothing here is trusted downstream — a checkpoint verifies everything itself — but the archive still
 * keeps itself honest, so that a centre never serves a feed its checkpoints would refuse:
 *
 *  R1  the archive is one hash chain: it starts from an anchor (a sequence number and the hash of the
 *      batch ending there) and every batch names its predecessor's hash (`prevHash`) and starts right
 *      after it; `append` takes only batches that continue it;
 *  R2  the stored snapshot lies on that chain: its `asOfSeq` is the anchor or the end of an archived
 *      batch whose hash is the snapshot's `lastHash`; otherwise (a crash between the two writes, a
 *      re-bootstrap) the archive is reset to start at the snapshot;
 *  R3  a snapshot file is written beside the current one and renamed over it only when complete,
 *      after the bytes are on disk: a crash leaves the old snapshot or the new one, never half of one.
 */
import { closeSync, createReadStream, existsSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { migrate, openDatabase, type Db } from '../../shared/sqlite.js';
import { isRelief, type SignedBatch, type SnapshotHeader, type SnapshotLine } from '../../exchange/protocol.js';

const SCHEMA = [
  `CREATE TABLE batches (
     last_seq INTEGER PRIMARY KEY,
     first_seq INTEGER NOT NULL,
     hash TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     committed_at TEXT NOT NULL,
     relief INTEGER NOT NULL,
     changes INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX batches_with_relief ON batches(last_seq) WHERE relief = 1;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

interface BatchRow {
  last_seq: number;
  first_seq: number;
  hash: string;
  committed_at: string;
  changes: number;
  body: string;
}

export interface ChainPoint {
  seq: number;
  hash: string;
}

export interface StoredSnapshot {
  asOfSeq: number;
  lastHash: string;
  registerTime: string;
  records: number;
  /** When this replica stored it (ISO). */
  storedAt: string;
}

/** Writes a snapshot beside the current one; `promote` (by the archive) makes it current. */
export interface SnapshotSink {
  write(line: SnapshotLine): void;
  /** The header and trailer arrived and the file is on disk. */
  readonly complete: boolean;
  readonly header: SnapshotHeader | null;
  abort(): void;
}

const WRITE_CHUNK = 1 << 20;

export class RelayArchive {
  private readonly db: Db;
  readonly snapshotPath: string;
  private readonly nextPath: string;
  private snapshotMeta: StoredSnapshot | null = null;
  private stmt;

  constructor(dataDir: string) {
    this.db = openDatabase(join(dataDir, 'relay.db'), { synchronous: 'NORMAL' });
    migrate(this.db, SCHEMA, 'relay archive');
    this.snapshotPath = join(dataDir, 'relay-snapshot.ndjson');
    this.nextPath = this.snapshotPath + '.next';
    this.stmt = {
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      last: this.db.prepare<[], { last_seq: number; hash: string; committed_at: string }>('SELECT last_seq, hash, committed_at FROM batches ORDER BY last_seq DESC LIMIT 1'),
      first: this.db.prepare<[], { first_seq: number; prev_hash: string }>('SELECT first_seq, prev_hash FROM batches ORDER BY last_seq LIMIT 1'),
      at: this.db.prepare<[number], { hash: string }>('SELECT hash FROM batches WHERE last_seq = ?'),
      insert: this.db.prepare('INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      after: this.db.prepare<[number, number], BatchRow>('SELECT last_seq, first_seq, hash, committed_at, changes, body FROM batches WHERE last_seq > ? ORDER BY last_seq LIMIT ?'),
      reliefAfter: this.db.prepare<[number, number], BatchRow>('SELECT last_seq, first_seq, hash, committed_at, changes, body FROM batches WHERE relief = 1 AND last_seq > ? ORDER BY last_seq LIMIT ?'),
      clear: this.db.prepare('DELETE FROM batches'),
      changesAfter: this.db.prepare<[number], { n: number | null }>('SELECT sum(changes) AS n FROM batches WHERE last_seq > ?'),
      prunable: this.db.prepare<[number, string], { last_seq: number; hash: string }>(
        'SELECT last_seq, hash FROM batches WHERE last_seq <= ? AND committed_at < ? ORDER BY last_seq DESC LIMIT 1',
      ),
      prune: this.db.prepare('DELETE FROM batches WHERE last_seq <= ?'),
    };
    rmSync(this.nextPath, { force: true });
    this.snapshotMeta = readStoredSnapshot(this.snapshotPath, this.meta('snapshotStoredAt'));
    if (this.snapshotMeta) this.anchorToSnapshot(this.snapshotMeta);
  }

  private meta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  /** The point the first archived batch continues from (R1); null before any snapshot was stored. */
  anchor(): ChainPoint | null {
    const seq = this.meta('anchorSeq');
    return seq === undefined ? null : { seq: Number(seq), hash: this.meta('anchorHash') ?? '' };
  }

  /** The end of the chain: the last archived batch, or the anchor. */
  last(): ChainPoint | null {
    const row = this.stmt.last.get();
    return row ? { seq: row.last_seq, hash: row.hash } : this.anchor();
  }

  /** Register time at which the archive's last batch (or the snapshot) was the register's newest. */
  lastCommittedAt(): string | null {
    return this.stmt.last.get()?.committed_at ?? this.snapshotMeta?.registerTime ?? null;
  }

  snapshot(): StoredSnapshot | null {
    return this.snapshotMeta;
  }

  /** Changes archived after `seq` (to judge when a fresh snapshot would be cheaper to replay from). */
  changesAfter(seq: number): number {
    return this.stmt.changesAfter.get(seq)?.n ?? 0;
  }

  /**
   * Appends the batches that continue the chain (R1), in one transaction; batches already archived are
   * skipped. Stops at the first batch that does not continue it and returns how many were appended and
   * whether everything offered is now covered.
   */
  append(batches: readonly SignedBatch[]): { appended: number; covered: boolean } {
    return this.db.transaction(() => {
      let end = this.last();
      let appended = 0;
      if (!end) return { appended, covered: false };
      for (const b of batches) {
        if (b.lastSeq <= end.seq) continue;
        if (b.firstSeq !== end.seq + 1 || b.prevHash !== end.hash) return { appended, covered: false };
        this.stmt.insert.run(b.lastSeq, b.firstSeq, b.hash, b.prevHash, b.committedAt, b.changes.some(isRelief) ? 1 : 0, b.changes.length, JSON.stringify(b));
        end = { seq: b.lastSeq, hash: b.hash };
        appended++;
      }
      return { appended, covered: true };
    })();
  }

  /** Whole batches with lastSeq > after, in order: at least one, then as many as fit in `maxChanges`. */
  batchesAfter(after: number, maxChanges: number, options: { reliefOnly?: boolean } = {}): SignedBatch[] {
    const out: SignedBatch[] = [];
    let changes = 0;
    for (const row of (options.reliefOnly ? this.stmt.reliefAfter : this.stmt.after).all(after, 1000)) {
      if (out.length > 0 && changes + row.changes > maxChanges) break;
      out.push(JSON.parse(row.body) as SignedBatch);
      changes += row.changes;
    }
    return out;
  }

  /** A snapshot file being written (R3); hand it to `promote` once its source says it is good. */
  beginSnapshot(): SnapshotSink {
    rmSync(this.nextPath, { force: true });
    const fd = openSync(this.nextPath, 'w');
    let buffered = '';
    let header: SnapshotHeader | null = null;
    let complete = false;
    let open = true;
    const flush = () => {
      if (buffered) writeSync(fd, buffered);
      buffered = '';
    };
    const close = () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    };
    return {
      write: (line) => {
        if (!open) throw new Error('snapshot sink already closed');
        if (line.type === 'header') header = line;
        buffered += JSON.stringify(line) + '\n';
        if (buffered.length >= WRITE_CHUNK) flush();
        if (line.type === 'end') {
          flush();
          fsyncSync(fd);
          close();
          complete = header !== null;
        }
      },
      get complete() {
        return complete;
      },
      get header() {
        return header;
      },
      abort: () => {
        close();
        complete = false;
        rmSync(this.nextPath, { force: true });
      },
    };
  }

  /**
   * Makes a complete snapshot file the one served (R3), and anchors the chain to it (R2): archived
   * batches on the same chain are kept, anything else is dropped.
   */
  promote(sink: SnapshotSink): StoredSnapshot {
    if (!sink.complete || !sink.header) throw new Error('cannot promote an incomplete snapshot');
    renameSync(this.nextPath, this.snapshotPath);
    const dir = openSync(dirname(this.snapshotPath), 'r');
    fsyncSync(dir);
    closeSync(dir);
    const storedAt = new Date().toISOString();
    this.stmt.setMeta.run('snapshotStoredAt', storedAt);
    const h = sink.header;
    this.snapshotMeta = { asOfSeq: h.asOfSeq, lastHash: h.lastHash, registerTime: h.registerTime, records: h.records, storedAt };
    this.anchorToSnapshot(this.snapshotMeta);
    return this.snapshotMeta;
  }

  /** R2: keep the chain if the snapshot is on it, otherwise restart the chain at the snapshot. */
  private anchorToSnapshot(s: StoredSnapshot): void {
    this.db.transaction(() => {
      const anchor = this.anchor();
      const onAnchor = anchor !== null && anchor.seq === s.asOfSeq && anchor.hash === s.lastHash;
      const inArchive = this.stmt.at.get(s.asOfSeq)?.hash === s.lastHash && anchor !== null && anchor.seq <= s.asOfSeq;
      if (onAnchor || inArchive) return;
      this.stmt.clear.run();
      this.stmt.setMeta.run('anchorSeq', String(s.asOfSeq));
      this.stmt.setMeta.run('anchorHash', s.lastHash);
    })();
  }

  /**
   * Drops archived batches that end at or before the snapshot and were committed before `olderThan`
   * (the register's own retention rule, applied to the copy). The anchor moves to the last one dropped.
   */
  prune(olderThan: Date): number {
    const s = this.snapshotMeta;
    if (!s) return 0;
    return this.db.transaction(() => {
      const row = this.stmt.prunable.get(s.asOfSeq, olderThan.toISOString());
      if (!row) return 0;
      const removed = this.stmt.prune.run(row.last_seq).changes;
      this.stmt.setMeta.run('anchorSeq', String(row.last_seq));
      this.stmt.setMeta.run('anchorHash', row.hash);
      return removed;
    })();
  }

  /** The stored snapshot's lines, as they arrived. */
  async *readSnapshot(): AsyncIterable<SnapshotLine> {
    const lines = createInterface({ input: createReadStream(this.snapshotPath, { encoding: 'utf8' }), crlfDelay: Infinity });
    try {
      for await (const line of lines) if (line) yield JSON.parse(line) as SnapshotLine;
    } finally {
      lines.close();
    }
  }

  close(): void {
    this.db.close();
  }
}

/** Reads the header of a stored snapshot (the file is only ever renamed into place complete: R3). */
function readStoredSnapshot(path: string, storedAt: string | undefined): StoredSnapshot | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = buf.subarray(0, n).toString('utf8').split('\n', 1)[0] ?? '';
    const h = JSON.parse(first) as SnapshotHeader;
    if (h.type !== 'header') throw new Error('no header');
    return { asOfSeq: h.asOfSeq, lastHash: h.lastHash, registerTime: h.registerTime, records: h.records, storedAt: storedAt ?? new Date(0).toISOString() };
  } catch (err) {
    throw new Error(`${path} is not a stored snapshot (${(err as Error).message}); remove it to have the replica fetch a new one`);
  } finally {
    closeSync(fd);
  }
}
