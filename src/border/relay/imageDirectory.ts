/**
 * A directory of replica images (exchange/image.ts) served by a feed: `manifest.json` names the current
 * image, `replica-<asOfSeq>.db` is its file. The register keeps the images it builds in one
 * (store/sqlite/replicaImages.ts), a relay the register's images it copied (relay/relayImages.ts).
 * `publish` makes a complete file current: the file durable first, then the manifest by rename, so a
 * crash leaves the previous image current; the files of older images go after that.
 */
import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ImageSource } from '../../exchange/feedSource.js';
import type { ImageManifest } from '../../exchange/image.js';

export class ImageDirectory implements ImageSource {
  private readonly manifestPath: string;

  constructor(readonly dir: string) {
    this.manifestPath = join(dir, 'manifest.json');
  }

  current(): ImageManifest | null {
    if (!existsSync(this.manifestPath)) return null;
    return JSON.parse(readFileSync(this.manifestPath, 'utf8')) as ImageManifest;
  }

  async manifest(): Promise<ImageManifest | null> {
    return this.current();
  }

  async file(asOfSeq: number): Promise<{ bytes: number; stream: Readable } | null> {
    const current = this.current();
    if (!current || current.asOfSeq !== asOfSeq) return null;
    const path = this.fileOf(asOfSeq);
    // Opened before answering: a newer image replacing this one meanwhile unlinks the name, not the open file.
    const fd = openSync(path, 'r');
    if (fstatSync(fd).size !== current.bytes) {
      // Damaged on this disk: promising the manifest's length would leave a follower waiting for the rest.
      closeSync(fd);
      return null;
    }
    return { bytes: current.bytes, stream: createReadStream(path, { fd }) };
  }

  /** Where a file being written goes before `publish` (inside the directory, so the rename stays on one file system). */
  scratch(name: string): string {
    mkdirSync(this.dir, { recursive: true });
    return join(this.dir, name);
  }

  /** Makes `file` (complete, checked against `manifest` by the caller) the current image. */
  publish(file: string, manifest: ImageManifest): void {
    const target = this.fileOf(manifest.asOfSeq);
    renameSync(file, target);
    syncPath(target);
    const tmp = this.manifestPath + '.tmp';
    writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
    syncPath(tmp);
    renameSync(tmp, this.manifestPath);
    syncPath(this.dir);
    for (const name of readdirSync(this.dir)) if (/^replica-\d+\.db$/.test(name) && join(this.dir, name) !== target) rmSync(join(this.dir, name), { force: true });
  }

  private fileOf(asOfSeq: number): string {
    return join(this.dir, `replica-${asOfSeq}.db`);
  }
}

function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
