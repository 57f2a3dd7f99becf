/**
 * Bootstrapping a SQLite replica, all-or-nothing: from a snapshot (records written into a fresh
 * `state.next.db`, packed, then swapped in by ReplicaStateFile.replaceState) or from a replica image
 * (bytes checked against their manifest, then swapped in the same way). Until the swap the old state
 * (or none) stays untouched and screening goes on from it.
 */
import { rmSync } from 'node:fs';
import type { BootstrapWriter } from '../../../border/replicaStore.js';
import type { SnapshotRecord } from '../../../exchange/protocol.js';
import { type ImageFormat, type ImageManifest, incompatibility } from '../../../exchange/image.js';
import { receiveImage } from '../../../border/sync/receiveImage.js';
import { BatchRejected } from '../../../exchange/verify.js';
import { openDatabase } from '../../../shared/sqlite.js';
import { bootstrappedMeta } from '../../rows.js';
import { writeRecord } from './rowWrites.js';
import { BOOTSTRAP_STEPS, STAGING_TABLES, STATE_INDEXES, STATE_SCHEMA, type Statements, statements, UNSTAGE } from './schema.js';
import type { ReplicaStateFile } from './stateFile.js';

export function beginBootstrap(f: ReplicaStateFile): BootstrapWriter {
  f.removeBootstrapFiles();
  // Nothing in this file matters until it is complete, so the build keeps its journal in memory (OFF
  // is refused by better-sqlite3's defensive mode: it left a rollback journal on disk) and never
  // syncs.
  const next = openDatabase(f.nextPath, { synchronous: 'OFF', journal: 'MEMORY', cacheKiB: f.bootstrapCache });
  for (const step of BOOTSTRAP_STEPS) next.exec(step);
  // Name keys and documents arrive in no order: inserted straight into their B-trees, every insert
  // lands on another page, and the build runs at the speed of its page cache (the cache it needed at
  // ten million persons stayed in the process's memory afterwards). They are appended to staging
  // tables instead and moved over sorted at the end: a sort, then appends in key order.
  next.exec(STAGING_TABLES);
  const s: Statements = {
    ...statements(next),
    putDocument: next.prepare('INSERT INTO staged_documents VALUES (?, ?, ?)'),
    putKey: next.prepare('INSERT INTO staged_keys VALUES (?, ?)'),
  };
  const writeBatch = next.transaction((records: SnapshotRecord[]) => {
    for (const record of records) writeRecord(s, f.matcher, record, 0, true);
  });
  return {
    write: async (records) => writeBatch(records),
    finish: async (asOfSeq, registerTime, lastHash) => {
      next.exec(UNSTAGE);
      next.exec(STATE_INDEXES);
      next.pragma(`user_version = ${STATE_SCHEMA.length}`);
      next.transaction(() => {
        if (asOfSeq > 0) s.putApplied.run(asOfSeq, lastHash);
        for (const [k, v] of Object.entries(bootstrappedMeta(asOfSeq, registerTime, lastHash, f.matcher.version))) s.setMeta.run(k, String(v));
      })();
      // B-trees filled in key order, or in no order, leave their pages a tenth or more empty: a copy
      // packs every page (about 10 % of the file).
      next.prepare('VACUUM INTO ?').run(f.packedPath);
      next.close();
      rmSync(f.nextPath, { force: true });
      f.replaceState(f.packedPath);
    },
  };
}

/** The replica images this store can take instead of a snapshot (exchange/image.ts). */
export function imageFormat(f: ReplicaStateFile): ImageFormat {
  return { store: 'sqlite-replica', schema: STATE_SCHEMA.length, matcher: f.matcher.version };
}

/**
 * Bootstraps from a replica image whose manifest the caller has verified: the file is written beside
 * the state, must have the manifest's length and sha256 and hold the manifest's cursor, and then
 * replaces the state as a finished snapshot bootstrap does. Anything else leaves the state untouched.
 */
export async function installImage(f: ReplicaStateFile, manifest: ImageManifest, chunks: AsyncIterable<Uint8Array>, onProgress?: (bytes: number) => void): Promise<void> {
  const wanted = incompatibility(manifest.format, imageFormat(f));
  if (wanted) throw new Error(`cannot use this replica image: ${wanted}`);
  f.removeBootstrapFiles();
  try {
    await receiveImage(manifest, chunks, f.packedPath, onProgress);
    const image = openDatabase(f.packedPath, { readonly: true, synchronous: 'OFF' });
    try {
      const meta = new Map(image.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta').all().map((r) => [r.key, r.value]));
      const holds = { cursor: meta.get('cursor'), lastHash: meta.get('lastHash'), matcher: meta.get('matcher') };
      const says = { cursor: String(manifest.asOfSeq), lastHash: manifest.lastHash, matcher: manifest.format.matcher };
      if (JSON.stringify(holds) !== JSON.stringify(says)) {
        throw new BatchRejected('tampered', `the replica image holds ${JSON.stringify(holds)}, its manifest says ${JSON.stringify(says)}`);
      }
    } finally {
      image.close();
    }
    f.replaceState(f.packedPath);
  } finally {
    f.removeBootstrapFiles();
  }
}
