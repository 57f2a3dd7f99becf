/**
 * The register's replica images (exchange/image.ts), kept in `<data>/images` (border/relay/imageDirectory.ts).
 * `build` makes a new one from the register's own snapshot through the very bootstrap a replica runs
 * (so the file is what a replica would have built), signs its manifest, and only then publishes it.
 * Leftovers of a failed build are removed by the next. The replica store it builds in is given
 * (ImageWorkspace), so that this side names no concrete store: app/register/sqliteReplicaImages.ts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageDirectory } from '../../border/relay/imageDirectory.js';
import { type ImageFormat, type ImageManifest, signImageManifest } from '../../exchange/image.js';
import type { Signer } from '../../exchange/keys.js';
import type { SnapshotLine, SnapshotRecord } from '../../exchange/protocol.js';
import type { Matcher } from '../../matching/index.js';

const CHUNK = 2000;

export interface BuildProgress {
  phase: 'records' | 'indexing' | 'hashing';
  done: number;
  total: number;
}

/** An empty replica store of the image's format, which the build bootstraps like a replica would. */
export interface ImageWorkStore {
  imageFormat(): ImageFormat;
  /** Records go in chunks in snapshot order; `finish` completes the bootstrap (indexes, cursor) in one go. */
  beginBootstrap(): Promise<{ write(records: SnapshotRecord[]): Promise<void>; finish(asOfSeq: number, registerTime: string, lastHash: string): Promise<void> }>;
  /** After close, `file` is complete: one file, no journal beside it. */
  close(): Promise<void>;
}

/** A work store opened in `workDir` (created if missing), and the one file that becomes the image once it is closed. */
export type ImageWorkspace = (workDir: string, matcher: Pick<Matcher, 'version' | 'indexKeys'>) => { store: ImageWorkStore; file: string };

export class ReplicaImages extends ImageDirectory {
  constructor(
    dataDir: string,
    private readonly workspace: ImageWorkspace,
  ) {
    super(join(dataDir, 'images'));
  }

  /** Builds an image of `snapshot` (the register's own, complete), signs it and makes it current. */
  async build(snapshot: AsyncIterable<SnapshotLine>, signer: Signer, matcher: Pick<Matcher, 'version' | 'indexKeys'>, onProgress?: (p: BuildProgress) => void): Promise<ImageManifest> {
    mkdirSync(this.dir, { recursive: true });
    const unlock = this.lock();
    for (const name of readdirSync(this.dir)) if (name.startsWith('build-')) rmSync(join(this.dir, name), { recursive: true, force: true });
    const work = join(this.dir, `build-${process.pid}`);
    let store: ImageWorkStore | null = null;
    let closed = false;
    try {
      const workspace = this.workspace(work, matcher);
      store = workspace.store;
      const format = store.imageFormat();
      const writer = await store.beginBootstrap();
      let header: Extract<SnapshotLine, { type: 'header' }> | null = null;
      let trailer: Extract<SnapshotLine, { type: 'end' }> | null = null;
      let chunk: SnapshotRecord[] = [];
      let done = 0;
      for await (const line of snapshot) {
        if (line.type === 'header') header = line;
        else if (line.type === 'end') trailer = line;
        else {
          chunk.push(line);
          if (chunk.length >= CHUNK) {
            await writer.write(chunk);
            done += chunk.length;
            chunk = [];
            onProgress?.({ phase: 'records', done, total: header?.records ?? done });
          }
        }
      }
      if (!header || !trailer || trailer.records !== done + chunk.length) throw new Error('the register\'s snapshot ended without its trailer, or with another record count');
      await writer.write(chunk);
      onProgress?.({ phase: 'indexing', done: trailer.records, total: trailer.records });
      await writer.finish(header.asOfSeq, header.registerTime, header.lastHash);
      await store.close();
      closed = true;

      const built = workspace.file;
      for (const suffix of ['-wal', '-shm']) if (existsSync(built + suffix)) throw new Error(`the image was left with a ${suffix} file; not publishing it`);
      const bytes = statSync(built).size;
      const sha256 = await sha256Of(built, (n) => onProgress?.({ phase: 'hashing', done: n, total: bytes }));
      const manifest = signImageManifest(
        { format, asOfSeq: header.asOfSeq, lastHash: header.lastHash, registerTime: header.registerTime, records: trailer.records, digest: trailer.digest, bytes, sha256, builtAt: new Date().toISOString() },
        signer,
      );
      this.publish(built, manifest);
      return manifest;
    } finally {
      if (!closed) await store?.close().catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
      unlock();
    }
  }

  /** One build at a time: a lock file naming the building process; one left by a process that died is taken over. */
  private lock(): () => void {
    const path = join(this.dir, 'build.lock');
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8'));
      if (alive(holder)) throw new Error(`another replica image is being built (process ${holder}); wait for it to finish`);
      writeFileSync(path, String(process.pid));
    }
    return () => rmSync(path, { force: true });
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function sha256Of(path: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    n += (chunk as Buffer).length;
    onBytes?.(n);
  }
  return hash.digest('hex');
}
