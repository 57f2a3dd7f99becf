/** Connecting to the exchange's NATS server, and the stream operations both sides share. */
import { connect, type JetStreamManager, type NatsConnection, type StreamInfo, type StoredMsg } from 'nats';
import type { BusConfig } from './busConfig.js';
import { type PartHeaders, readHeaders } from './wire.js';

/**
 * A connection to the exchange's NATS server. The first connection is retried here, with backoff, until
 * it succeeds or `signal` aborts (NATS being down is an outage to ride out, not a reason to stop a
 * register or a replica — and a process shutting down must not be held by an attempt that never ends);
 * once connected, the NATS client reconnects by itself for as long as the connection is open.
 */
export async function connectBus(config: BusConfig, name: string, signal?: AbortSignal): Promise<NatsConnection> {
  let backoff = 250;
  for (;;) {
    if (signal?.aborted) throw new Error('stopped before NATS answered');
    try {
      const nc = await connect({
        servers: config.servers,
        name,
        ...(config.user !== undefined ? { user: config.user, pass: config.pass ?? '' } : {}),
        ...(config.token !== undefined ? { token: config.token } : {}),
        timeout: 5000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        pingInterval: 10_000,
      });
      if (signal?.aborted) {
        await nc.close();
        throw new Error('stopped before NATS answered');
      }
      return nc;
    } catch (err) {
      if (signal?.aborted) throw err;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoff);
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      backoff = Math.min(backoff * 2, 5000);
    }
  }
}

export function isNotFound(err: unknown): boolean {
  const e = err as { message?: string; api_error?: { err_code?: number } };
  return /not found/i.test(e?.message ?? '') || e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10037;
}

/** The stream's state, or null if it does not exist. */
export async function streamInfo(jsm: JetStreamManager, stream: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(stream);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export interface StreamMessage {
  seq: number;
  headers: PartHeaders | null;
  msg: StoredMsg;
}

/** The message at stream sequence `seq`, or the first after it when messages were deleted; null past the end. */
export async function messageAtOrAfter(jsm: JetStreamManager, stream: string, seq: number, lastSeq: number): Promise<StreamMessage | null> {
  for (let s = seq; s <= lastSeq; s++) {
    try {
      const msg = await jsm.streams.getMessage(stream, { seq: s });
      return { seq: s, headers: readHeaders((name) => msg.header?.get(name) || undefined), msg };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return null;
}

/**
 * Where a replica whose cursor is `after` starts reading: the stream sequence of the first message of
 * the first batch that ends after `after` (a lower bound by binary search over the batches' headers —
 * batches are published in order, so their last sequence numbers never decrease along the stream), or
 * `last_seq + 1` when the stream holds nothing after `after` yet. Messages without erx headers (which
 * nothing of erx publishes) count as "before" so a search is never stuck on them.
 */
export async function locate(jsm: JetStreamManager, stream: string, after: number): Promise<{ startSeq: number; first: PartHeaders | null }> {
  const info = await streamInfo(jsm, stream);
  if (!info) throw new Error(`JetStream stream ${stream} does not exist (is the register running with --bus?)`);
  const { first_seq: firstSeq, last_seq: lastSeq, messages } = info.state;
  if (messages === 0) return { startSeq: lastSeq + 1, first: null };
  const ends = async (seq: number) => {
    const m = await messageAtOrAfter(jsm, stream, seq, lastSeq);
    return m ? { seq: m.seq, headers: m.headers } : null;
  };
  // The common case, a replica that holds everything the stream has: one read.
  const last = await ends(lastSeq);
  if (!last || !last.headers || last.headers.lastSeq <= after) return { startSeq: lastSeq + 1, first: null };
  let lo = firstSeq;
  let hi = lastSeq;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const m = await ends(mid);
    if (m && m.headers && m.headers.lastSeq > after) hi = mid;
    else lo = (m ? m.seq : mid) + 1;
  }
  const found = (await ends(lo)) ?? last;
  // A batch cut into parts: start at its first part, which the reassembler needs.
  const start = found.headers && found.headers.part > 1 ? Math.max(firstSeq, found.seq - (found.headers.part - 1)) : found.seq;
  const head = start === found.seq ? found : await ends(start);
  return { startSeq: start, first: head?.headers ?? null };
}
