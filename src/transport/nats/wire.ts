/**
 * How a signed batch travels as JetStream messages. The batch is sent *unchanged* — the JSON of the
 * SignedBatch the register signed — so a replica verifies the register's signature whatever carried it.
 *
 * One batch is one message, unless it is larger than the server's max_payload (1 MiB by default; an
 * import of 2,000 persons can exceed it): then it is cut into consecutive parts of the same subject.
 * Headers say which batch a message belongs to, so a replica can find its cursor's place in the stream
 * without reading bodies, and JetStream can drop a re-published duplicate:
 *
 *   Nats-Msg-Id     <lastSeq>.<hash prefix>.<part>   (dedup within the stream's duplicate window)
 *   Erx-First-Seq   first sequence number in the batch
 *   Erx-Last-Seq    last sequence number in the batch
 *   Erx-Hash        the batch's hash
 *   Erx-Part        i/n (1-based)
 */
import type { HeadClaim } from '../../exchange/headClaim.js';
import { isRelief, type SignedBatch } from '../../exchange/protocol.js';
import type { BusSubjects } from './busConfig.js';

export const HEADER = {
  firstSeq: 'Erx-First-Seq',
  lastSeq: 'Erx-Last-Seq',
  hash: 'Erx-Hash',
  part: 'Erx-Part',
} as const;

/** Room left in each message for headers and protocol overhead. */
const HEADROOM = 8 * 1024;

export interface OutgoingPart {
  subject: string;
  msgId: string;
  headers: Record<string, string>;
  data: Uint8Array;
}

/** The messages that carry `batch`, in order. Relief batches go to the relief subject (the priority lane). */
export function encodeBatch(batch: SignedBatch, subjects: BusSubjects, maxPayload: number): OutgoingPart[] {
  const data = Buffer.from(JSON.stringify(batch));
  const size = Math.max(1024, maxPayload - HEADROOM);
  const n = Math.max(1, Math.ceil(data.length / size));
  const subject = batch.changes.some(isRelief) ? subjects.relief : subjects.other;
  const out: OutgoingPart[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      subject,
      msgId: `${batch.lastSeq}.${batch.hash.slice(0, 24)}.${i + 1}`,
      headers: {
        [HEADER.firstSeq]: String(batch.firstSeq),
        [HEADER.lastSeq]: String(batch.lastSeq),
        [HEADER.hash]: batch.hash,
        [HEADER.part]: `${i + 1}/${n}`,
      },
      data: data.subarray(i * size, (i + 1) * size),
    });
  }
  return out;
}

export interface PartHeaders {
  firstSeq: number;
  lastSeq: number;
  hash: string;
  part: number;
  parts: number;
}

/** Reads the erx headers of a message; null when they are missing or malformed (not an erx batch). */
export function readHeaders(get: (name: string) => string | undefined): PartHeaders | null {
  const firstSeq = Number(get(HEADER.firstSeq));
  const lastSeq = Number(get(HEADER.lastSeq));
  const hash = get(HEADER.hash) ?? '';
  const m = /^(\d+)\/(\d+)$/.exec(get(HEADER.part) ?? '');
  if (!Number.isSafeInteger(firstSeq) || !Number.isSafeInteger(lastSeq) || firstSeq < 1 || lastSeq < firstSeq || !hash || !m) return null;
  const part = Number(m[1]);
  const parts = Number(m[2]);
  if (part < 1 || part > parts) return null;
  return { firstSeq, lastSeq, hash, part, parts };
}

export type Decoded = { kind: 'batch'; batch: SignedBatch } | { kind: 'partial' } | { kind: 'junk'; reason: string };

/**
 * Puts parts back together. A part that does not continue the batch in progress starts over (a
 * publisher that crashed mid-batch republishes it whole, so the stream may hold an abandoned first
 * half before the complete copy). What does not decode is reported as junk and skipped by the caller:
 * the replica's own gap check notices anything missing, and the body is verified there anyway.
 */
export class Reassembler {
  private pending: { headers: PartHeaders; chunks: Uint8Array[] } | null = null;

  add(headers: PartHeaders | null, data: Uint8Array): Decoded {
    if (!headers) {
      this.pending = null;
      return { kind: 'junk', reason: 'a message without erx batch headers' };
    }
    if (headers.part === 1) this.pending = { headers, chunks: [] };
    const p = this.pending;
    if (!p || p.headers.lastSeq !== headers.lastSeq || p.headers.hash !== headers.hash || p.headers.parts !== headers.parts || p.chunks.length !== headers.part - 1) {
      this.pending = null;
      return { kind: 'junk', reason: `part ${headers.part}/${headers.parts} of batch ${headers.firstSeq}–${headers.lastSeq} without the parts before it` };
    }
    p.chunks.push(data);
    if (p.chunks.length < headers.parts) return { kind: 'partial' };
    this.pending = null;
    let batch: SignedBatch;
    try {
      batch = JSON.parse(Buffer.concat(p.chunks).toString('utf8')) as SignedBatch;
    } catch {
      return { kind: 'junk', reason: `batch ${headers.firstSeq}–${headers.lastSeq} is not JSON` };
    }
    if (!batch || typeof batch !== 'object' || batch.firstSeq !== headers.firstSeq || batch.lastSeq !== headers.lastSeq || !Array.isArray(batch.changes)) {
      return { kind: 'junk', reason: `batch ${headers.firstSeq}–${headers.lastSeq} does not match its headers` };
    }
    return { kind: 'batch', batch };
  }
}

/** The publisher's heartbeat on the head subject. */
export interface Heartbeat {
  /** Last sequence number the stream holds (every batch up to it is published). */
  publishedSeq: number;
  /** Register time at which the stream last held every committed change (ISO), or null if never yet. Unsigned. */
  asOf: string | null;
  /** The register's signed head claim (exchange/headClaim.ts), passed on as received; the replica verifies it. */
  claim?: HeadClaim;
}

export function parseHeartbeat(data: Uint8Array): Heartbeat | null {
  try {
    const hb = JSON.parse(Buffer.from(data).toString('utf8')) as Partial<Heartbeat>;
    if (typeof hb.publishedSeq !== 'number' || !Number.isSafeInteger(hb.publishedSeq) || hb.publishedSeq < 0) return null;
    if (hb.asOf !== null && (typeof hb.asOf !== 'string' || Number.isNaN(Date.parse(hb.asOf)))) return null;
    // The claim is only carried here; its shape and signature are checked by the replica's follower.
    return { publishedSeq: hb.publishedSeq, asOf: hb.asOf, ...(hb.claim && typeof hb.claim === 'object' ? { claim: hb.claim } : {}) };
  } catch {
    return null;
  }
}
