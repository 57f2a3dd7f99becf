/**
 * The bucket digests of a replica state file (exchange/digest.ts), computed in a worker thread on a
 * read snapshot of its own. A digest reads and hashes every row — 1.6 s at 100 k persons, 15 s at a
 * million — and better-sqlite3 is synchronous: on the main thread it would hold every screening for
 * that long. The snapshot is taken (and its cursor reported) before the hashing starts, so the caller
 * may let the replica go on applying changes while the digest of the chosen moment is computed.
 *
 * This file is both sides: imported, it exports `digestInWorker`; run as a worker, it computes.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { addRecord, type BucketDigests, emptyDigests } from '../../exchange/digest.js';
import type { BorderAttestation, BorderOffice, BorderRule } from '../../exchange/protocol.js';
import { type ReplicaPersonRow, type ReplicaRestrictionRow, replicaPersonOf, replicaRestrictionOf } from '../rows.js';

type Message = { snapshot: number | null } | { digests: BucketDigests } | { failed: { message: string; code?: string } };

export interface DigestInWorker {
  /** The cursor of the state the digest describes, once its read snapshot is taken (null: no state). */
  snapshot: Promise<number | null>;
  digests: Promise<BucketDigests>;
}

/** An error from the worker, carrying the database's code (so damage is told from other failures). */
class DigestFailed extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function digestInWorker(file: string): DigestInWorker {
  const worker = new Worker(new URL(import.meta.url), { workerData: { file } });
  let onSnapshot!: { resolve: (c: number | null) => void; reject: (e: Error) => void };
  let onDigests!: { resolve: (d: BucketDigests) => void; reject: (e: Error) => void };
  const snapshot = new Promise<number | null>((resolve, reject) => (onSnapshot = { resolve, reject }));
  const digests = new Promise<BucketDigests>((resolve, reject) => (onDigests = { resolve, reject }));
  // Whoever waits only for the snapshot must not leave a failed digest unhandled (and the reverse).
  snapshot.catch(() => undefined);
  digests.catch(() => undefined);
  const fail = (err: Error) => {
    onSnapshot.reject(err);
    onDigests.reject(err);
  };
  worker.on('message', (m: Message) => {
    if ('snapshot' in m) onSnapshot.resolve(m.snapshot);
    else if ('digests' in m) onDigests.resolve(m.digests);
    else fail(new DigestFailed(m.failed.message, m.failed.code));
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`the digest thread stopped (${code}) before it finished`)));
  return { snapshot, digests };
}

/** The worker: one read transaction over the whole state. */
function computeDigest(file: string, post: (m: Message) => void): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN');
    const cursor = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'cursor'").get()?.value;
    post({ snapshot: cursor === undefined ? null : Number(cursor) });
    const d = emptyDigests();
    for (const row of db.prepare<[], ReplicaPersonRow>('SELECT * FROM persons').iterate()) addRecord(d, { type: 'person', body: replicaPersonOf(row) });
    for (const row of db.prepare<[], ReplicaRestrictionRow>('SELECT * FROM restrictions').iterate()) addRecord(d, { type: 'restriction', body: replicaRestrictionOf(row) });
    for (const row of db.prepare<[], { body: string }>('SELECT body FROM rules').iterate()) addRecord(d, { type: 'rule', body: JSON.parse(row.body) as BorderRule });
    for (const row of db.prepare<[], { body: string }>('SELECT body FROM offices').iterate()) addRecord(d, { type: 'office', body: JSON.parse(row.body) as BorderOffice });
    for (const row of db.prepare<[], { body: string }>('SELECT body FROM attestations').iterate()) addRecord(d, { type: 'attestation', body: JSON.parse(row.body) as BorderAttestation });
    db.exec('COMMIT');
    post({ digests: d });
  } finally {
    db.close();
  }
}

if (!isMainThread && parentPort && (workerData as { file?: unknown } | null)?.file) {
  const port = parentPort;
  try {
    computeDigest((workerData as { file: string }).file, (m) => port.postMessage(m));
  } catch (err) {
    const e = err as { message?: string; code?: string };
    port.postMessage({ failed: { message: String(e.message ?? err), ...(typeof e.code === 'string' ? { code: e.code } : {}) } });
  }
}
