/**
 * Receiving a replica image (exchange/image.ts) into a file: the bytes are counted and hashed as they
 * arrive and refused unless they have the length and sha256 its signed manifest states. Used by a
 * replica taking an image, and by a relay copying the register's images to serve them onward.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ImageManifest } from '../../exchange/image.js';
import { BatchRejected } from '../../exchange/verify.js';

/**
 * Writes the bytes of the image `manifest` describes to `path` (a new file), refusing them unless they
 * have its length and sha256: a longer stream is cut off as soon as it passes the length.
 */
export async function receiveImage(manifest: ImageManifest, chunks: AsyncIterable<Uint8Array>, path: string, onProgress?: (bytes: number) => void): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    chunks,
    async function* (source: AsyncIterable<Uint8Array>) {
      for await (const chunk of source) {
        bytes += chunk.length;
        if (bytes > manifest.bytes) throw new BatchRejected('tampered', `the replica image is longer than its manifest's ${manifest.bytes} bytes`);
        hash.update(chunk);
        onProgress?.(bytes);
        yield chunk;
      }
    },
    createWriteStream(path, { flags: 'wx' }),
  );
  if (bytes !== manifest.bytes) throw new Error(`the replica image ended after ${bytes} of ${manifest.bytes} bytes`);
  if (hash.digest('hex') !== manifest.sha256) throw new BatchRejected('tampered', 'the replica image does not match the sha256 of its signed manifest');
}
