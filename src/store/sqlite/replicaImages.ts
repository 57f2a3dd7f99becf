/**
 * The register's replica images (exchange/image.ts), kept in `<data>/images` (border/relay/imageDirectory.ts).
 * `build` makes a new one from the register's own snapshot through the very bootstrap a replica runs
 * (so the file is what a replica would have built), signs its manifest, and only then publishes it.
 * Leftovers of a failed build are removed by the next.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageDirectory } from '../../border/relay/imageDirectory.js';
import { type ImageManifest, signImageManifest } from '../../exchange/image.js';
import type { Signer } from '../../exchange/keys.js';
import type { SnapshotLine, SnapshotRecord } from '../../exchange/protocol.js';
import type { Matcher } from '../../matching/index.js';
import { SqliteReplicaStore } from './replicaStore.js';

const CHUNK = 2000;

export interface BuildProgress {
  phase: 'records' | 'indexing' | 'hashing';
  done: number;
  total: number;
}

export class ReplicaImages extends ImageDirectory {
  constructor(dataDir: string) {
    super(join(dataDir, 'images'));
  }

  /** Builds an image of `snapshot` (the register's own, complete), signs it and makes it current. */
  async build(snapshot: AsyncIterable<SnapshotLine>, signer: Signer, matcher: Pick<Matcher, 'version' | 'indexKeys'>, onProgress?: (p: BuildProgress) => void): Promise<ImageManifest> {
    mkdirSync(this.dir, { recursive: true });
    const unlock = this.lock();
    for (const name of readdirSync(this.dir)) if (name.startsWith('build-')) rmSync(join(this.dir, name), { recursive: true, force: true });
    const work = join(this.dir, `build-${process.pid}`);
    let store: SqliteReplicaStore | null = null;
    let closed = false;
    try {
      store = new SqliteReplicaStore({ dataDir: work, matcher });
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

      const built = join(work, 'state.db');
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
