/**
 * NATS for tests: `ERX_TEST_NATS` (default nats://127.0.0.1:4222). A test that needs the server and
 * cannot reach it is skipped with the reason — except in CI (CI=true), where it fails. Each test uses
 * its own stream (so tests run concurrently) and deletes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import type { TestContext } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import type { SignedBatch } from '../../src/exchange/protocol.js';
import { parseBusUrl } from '../../src/transport/nats/busConfig.js';
import { readHeaders, Reassembler } from '../../src/transport/nats/wire.js';

export const NATS_URL = process.env.ERX_TEST_NATS ?? 'nats://127.0.0.1:4222';

async function unreachable(): Promise<string | null> {
  const [server] = parseBusUrl(NATS_URL).servers;
  const [host, port] = server!.split(':');
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: host!, port: Number(port) });
    const timer = setTimeout(() => (socket.destroy(), resolve(`no answer from NATS at ${server} within 2 s`)), 2000);
    socket.once('connect', () => (clearTimeout(timer), socket.end(), resolve(null)));
    socket.once('error', (err) => (clearTimeout(timer), resolve(`NATS at ${server} is unreachable: ${err.message}`)));
  });
}

/** True (after marking the test skipped) when NATS cannot be reached here; in CI, an error instead. */
export async function withoutNats(t: TestContext): Promise<boolean> {
  const problem = await unreachable();
  if (problem === null) return false;
  if (process.env.CI === 'true') throw new Error(`NATS tests must run in CI (CI=true), but ${problem} (set ERX_TEST_NATS)`);
  t.skip(`NATS: ${problem} (set ERX_TEST_NATS to run these tests)`);
  return true;
}

/** A bus URL with a stream of its own, deleted after the test. */
export function busFor(t: TestContext, prefix = 'T'): { url: string; stream: string } {
  const stream = `${prefix}_${randomBytes(5).toString('hex')}`;
  t.after(async () => {
    const nc = await testConnection();
    try {
      await (await nc.jetstreamManager()).streams.delete(stream);
    } catch {
      // never created, or already gone
    } finally {
      await nc.close();
    }
  });
  const base = NATS_URL.includes('?') ? NATS_URL.replace(/\?.*$/, '') : NATS_URL;
  return { url: `${base}?stream=${stream}`, stream };
}

export function testConnection(): Promise<NatsConnection> {
  const c = parseBusUrl(NATS_URL);
  return connect({ servers: c.servers, ...(c.user !== undefined ? { user: c.user, pass: c.pass ?? '' } : {}), ...(c.token ? { token: c.token } : {}) });
}

/** Every batch the stream holds, decoded, in stream order (with the subject each came on). */
export async function streamBatches(nc: NatsConnection, stream: string): Promise<{ subject: string; batch: SignedBatch }[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const out: { subject: string; batch: SignedBatch }[] = [];
  const parts = new Reassembler();
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    const d = parts.add(readHeaders((n) => m.header?.get(n) || undefined), m.data);
    if (d.kind === 'batch') out.push({ subject: m.subject, batch: d.batch });
  }
  return out;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
