/**
 * Where the exchange's NATS JetStream lives, from one URL (`--bus` / ERX_BUS):
 *
 *   nats://[user[:password]@]host[:port][?stream=NAME][,nats://host2:port…]
 *
 * `stream` (default ERX) names the JetStream stream; every subject of that stream is prefixed with
 * `erx.<stream>.` so several exchanges (a test run, a second register) share one NATS server without
 * their subjects overlapping — JetStream refuses two streams whose subjects overlap.
 *
 * This module only parses; it does not load the NATS client, so the configuration can validate a URL
 * without connecting anywhere.
 */

export interface BusConfig {
  /** The URL as given, with any password masked (for logs and status). */
  display: string;
  servers: string[];
  stream: string;
  user?: string;
  pass?: string;
  /** A bare `nats://TOKEN@host` (no password) is a token, as in the NATS tools. */
  token?: string;
  subjects: BusSubjects;
}

export interface BusSubjects {
  /** Batches holding at least one relief change (a lift, a deferment): the priority lane. */
  relief: string;
  /** Every other batch. */
  other: string;
  /** Both of the above: what the stream captures. */
  batches: string;
  /** The publisher's heartbeat (core NATS, not stored): how far the stream reaches, and as of when. */
  head: string;
}

const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function busSubjects(stream: string): BusSubjects {
  const prefix = `erx.${stream}`;
  return { relief: `${prefix}.batch.relief`, other: `${prefix}.batch.other`, batches: `${prefix}.batch.*`, head: `${prefix}.head` };
}

/** Parses a bus URL; throws an Error naming what is wrong. */
export function parseBusUrl(value: string): BusConfig {
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('must be a nats:// URL such as nats://127.0.0.1:4222');
  const servers: string[] = [];
  let stream = 'ERX';
  let user: string | undefined;
  let pass: string | undefined;
  let streamGiven = false;
  for (const part of parts) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new Error(`must be a nats:// URL such as nats://127.0.0.1:4222, not "${part}"`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new Error(`must be a nats:// (or tls://) URL, not "${part}"`);
    if (!url.hostname) throw new Error(`"${part}" names no host`);
    if (url.pathname && url.pathname !== '/') throw new Error(`"${part}": a bus URL has no path (give the stream as ?stream=NAME)`);
    servers.push(`${url.hostname}:${url.port || '4222'}`);
    // Credentials and ?stream= apply to the whole list; they may be written on any one server of it.
    if (url.username) {
      if (user !== undefined) throw new Error('give the credentials once, on one server of the list');
      user = decodeURIComponent(url.username);
      if (url.password) pass = decodeURIComponent(url.password);
    }
    for (const [key, v] of url.searchParams) {
      if (key !== 'stream') throw new Error(`unknown bus URL parameter "${key}" (known: stream)`);
      if (streamGiven) throw new Error('give ?stream= once, on one server of the list');
      if (!STREAM_NAME.test(v)) throw new Error(`stream name "${v}" must be 1–64 letters, digits, "_" or "-"`);
      stream = v;
      streamGiven = true;
    }
  }
  const display = value.replace(/\/\/([^:/@,]+):([^@,]+)@/g, '//$1:***@').replace(/\/\/([^:/@,]+)@/g, '//***@');
  const config: BusConfig = { display, servers, stream, subjects: busSubjects(stream) };
  if (user !== undefined && pass !== undefined) Object.assign(config, { user, pass });
  else if (user !== undefined) config.token = user;
  return config;
}
