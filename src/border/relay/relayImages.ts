/**
 * A relay's replica images: the register's image, copied once into `<data>/relay-images` and served to
 * the checkpoints from there, so that a hundred checkpoints starting do not each download it from the
 * register (another agency's) — as the relay serves the register's snapshot and batches from its archive.
 *
 * When a follower asks for the image, the relay asks upstream for its manifest (at most every
 * `checkEveryMs`); a manifest it does not hold yet is verified with the relay's trusted keys and its
 * file downloaded and checked in the background, then published. Until then the relay offers what it
 * holds (the previous image, or none: the checkpoint then takes the relay's snapshot). The manifest
 * stays the register's, unchanged: the checkpoints verify it themselves.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../../shared/log.js';
import type { FeedClient } from '../sync/feedClient.js';
import type { ImageSource } from '../../exchange/feedSource.js';
import { type ImageManifest, verifyImageManifest } from '../../exchange/image.js';
import { receiveImage } from '../sync/receiveImage.js';
import { ImageDirectory } from './imageDirectory.js';
import type { ReplicaTrust } from '../sync/trust.js';

export interface RelayImagesOptions {
  dataDir: string;
  upstream: Pick<FeedClient, 'image' | 'imageFile'>;
  trust: ReplicaTrust;
  log: Logger;
  /** How often a request may make the relay ask upstream for a newer image (ms, default 60 s). */
  checkEveryMs?: number;
}

export class RelayImages implements ImageSource {
  private readonly images: ImageDirectory;
  private checkedAt = -Infinity;
  /** The copy under way, if any. */
  copying: Promise<void> | null = null;

  constructor(private readonly options: RelayImagesOptions) {
    this.images = new ImageDirectory(join(options.dataDir, 'relay-images'));
  }

  async manifest(): Promise<ImageManifest | null> {
    this.refresh();
    return this.images.current();
  }

  file(asOfSeq: number): Promise<{ bytes: number; stream: Readable } | null> {
    return this.images.file(asOfSeq);
  }

  /** Starts copying upstream's image if it is newer than the one held, unless asked recently or already copying. */
  refresh(): void {
    const { upstream, trust, log } = this.options;
    if (this.copying || Date.now() - this.checkedAt < (this.options.checkEveryMs ?? 60_000) || !upstream.image || !upstream.imageFile) return;
    this.checkedAt = Date.now();
    const imageFile = upstream.imageFile.bind(upstream);
    this.copying = (async () => {
      const offered = await upstream.image!();
      if (!offered || offered.sha256 === this.images.current()?.sha256) return;
      // Before the relay's own first bootstrap it trusts nobody yet: the next request asks again.
      if (!trust.keys) return;
      const manifest = verifyImageManifest(offered, trust.keys);
      const scratch = this.images.scratch(`copy-${process.pid}.db`);
      rmSync(scratch, { force: true });
      try {
        await receiveImage(manifest, imageFile(manifest.asOfSeq), scratch);
        this.images.publish(scratch, manifest);
        log.info({ asOfSeq: manifest.asOfSeq, bytes: manifest.bytes }, "copied the register's replica image; serving it to followers");
      } finally {
        rmSync(scratch, { force: true });
      }
    })()
      .catch((err: Error) => {
        log.warn({ err: err.message }, "could not copy the register's replica image; followers take the snapshot meanwhile");
      })
      .finally(() => {
        this.copying = null;
      });
  }
}
