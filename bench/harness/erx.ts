/**
 * Driving real erx processes from the bench: starting a register and replicas of a deployment, minting
 * the bearer tokens they expect, reading a replica's status, and a cheap keep-alive JSON client (the
 * pollers of the lag test must not cost more CPU than the system they measure).
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import type { Role } from '../../src/auth/roles.js';
import { RegisterKeys } from '../../src/auth/keyRing.js';
import type { Deployment, Feed } from './deployment.js';
import type { Resources, Service } from './processes.js';

export interface BenchContext {
  resources: Resources;
  /** Services require bearer tokens, as deployed (default); false runs them with --no-auth. */
  auth: boolean;
  /** ERX_LOG_LEVEL of the services. */
  logLevel: string;
  /** Where the services' logs go (a temporary directory, removed with the rest). */
  logDir: string;
  log(line: string): void;
}

/** A token the service keeping its secret in `dataDir` accepts (the secret is created if missing). */
export async function tokenFor(dataDir: string, role: Role): Promise<string> {
  return issueToken(authSecret(dataDir), { role, sub: `bench-${role}`, ttlSeconds: 2 * 86_400 });
}

let logSeq = 0;

function env(ctx: BenchContext, name: string): Record<string, string> {
  return { ERX_LOG_FILE: join(ctx.logDir, `${name}-${++logSeq}.log`), ERX_LOG_LEVEL: ctx.logLevel };
}

export interface RunningRegister {
  service: Service;
  feed: Feed;
  /** Authorization header value for register writes (an operator), or undefined without auth. */
  writer: string | undefined;
  /** The register's public keys as `erx register keys export` writes them, for its replicas' --trust. */
  trustFile: string;
  stop(): Promise<void>;
}

let registers = 0;

export async function startRegister(ctx: BenchContext, dep: Deployment, dir: string): Promise<RunningRegister> {
  /** Unique to this register within the run (and across runs sharing a NATS server). */
  const id = `${process.pid}_${Date.now().toString(36)}_${++registers}`;
  const service = await ctx.resources.erx(
    'register',
    // A cached register may be older than the default retention: keep its whole log (apply reads it all).
    ['register', 'serve', '--port', '0', ...dep.store.registerArgs(dir), '--retain-days', '36500', ...(dep.transport.registerArgs?.(id) ?? []), ...(ctx.auth ? [] : ['--no-auth'])],
    env(ctx, 'register'),
  );
  try {
    const feedToken = ctx.auth ? await tokenFor(dir, 'border') : undefined;
    const feed = await dep.transport.connect(ctx.resources, service, feedToken, id);
    const writer = ctx.auth ? `Bearer ${await tokenFor(dir, 'operator')}` : undefined;
    const trustFile = join(dir, 'exported-keys.json');
    writeFileSync(trustFile, JSON.stringify({ keys: new RegisterKeys(dir).published() }));
    return {
      service,
      feed,
      writer,
      trustFile,
      async stop() {
        await feed.close();
        await service.stop();
      },
    };
  } catch (err) {
    await service.stop();
    throw err;
  }
}

export interface RunningReplica {
  service: Service;
  dir: string;
  /** Authorization header value for screenings (a checkpoint), or undefined without auth. */
  checkpoint: string | undefined;
  /** When it was started (ms since the epoch): its start-up checks are the ones finished after this. */
  startedAt: number;
}

/**
 * The digest comparison of a bench replica with its register (`--verify-every`, minutes): once a day,
 * the first a day after start, so none runs during the bench. At 100 k persons one comparison is about
 * a minute of a worker thread's time (spaced to at most 5 % of the time), and at the default of a
 * minute one ran inside the measured windows, which counted it as the workers' own CPU. Its cost is a
 * figure of its own (docs/security.md); measurements still wait for the database check at start
 * (waitUntilChecked).
 */
const BENCH_VERIFY_EVERY_MINUTES = '1440';

export async function startReplica(ctx: BenchContext, dep: Deployment, register: RunningRegister, dir: string, batch = 1000, extraArgs: string[] = []): Promise<RunningReplica> {
  const checkpoint = ctx.auth ? `Bearer ${await tokenFor(dir, 'checkpoint')}` : undefined;
  const startedAt = Date.now();
  const service = await ctx.resources.erx(
    'border',
    [
      'border', 'serve', '--port', '0',
      ...register.feed.replicaArgs,
      '--trust', register.trustFile,
      ...dep.store.replicaArgs(dir),
      '--batch', String(batch),
      ...extraArgs,
      // One process unless asked (the workers comparison, bench/sections/workers.ts), as before --workers existed.
      ...(extraArgs.includes('--workers') ? [] : ['--workers', '1']),
      ...(extraArgs.includes('--verify-every') ? [] : ['--verify-every', BENCH_VERIFY_EVERY_MINUTES]),
      ...(ctx.auth ? [] : ['--no-auth']),
    ],
    env(ctx, 'border'),
  );
  return { service, dir, checkpoint, startedAt };
}

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 JSON client on keep-alive sockets.

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface JsonReply {
  status: number;
  body: any;
}

export function httpJson(method: 'GET' | 'POST', url: string, body?: unknown, authorization?: string, signal?: AbortSignal): Promise<JsonReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
    if (authorization) headers.authorization = authorization;
    const req = request(url, { method, agent, headers, ...(signal ? { signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface ReplicaStatus {
  replicaSeq: number;
  registerSeq: number;
  dataAsOf: string | null;
  sync: string;
  lastError: string | null;
  persons: number;
  restrictions: number;
  changesApplied: number;
}

export async function status(replica: Service): Promise<ReplicaStatus> {
  const r = await httpJson('GET', `${replica.url}/v1/border/status`);
  if (r.status !== 200) throw new Error(`${replica.url}/v1/border/status answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as ReplicaStatus;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits until a replica has finished the checks it runs once at start — the structural check of its
 * database and the first digest comparison with its register (border/replicaHealth.ts) — or
 * `timeoutMs` has passed (returns false then). A measurement started sooner shares the machine with
 * them: at a million persons the comparison keeps a core busy for tens of seconds, which the first
 * runs of the manifests section counted as the workers' own CPU.
 */
/** waitUntilChecked, saying how long it waited (or that it gave up) in the bench's log. */
export async function settled(ctx: BenchContext, replica: RunningReplica): Promise<void> {
  const t0 = performance.now();
  const done = await waitUntilChecked(replica.service, replica.startedAt);
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  if (!done) ctx.log(`    the replica's start-up checks had not finished after ${seconds} s: measuring anyway`);
  else if (Number(seconds) >= 1) ctx.log(`    waited ${seconds} s for the replica's start-up checks (database check, first digest comparison)`);
}

export async function waitUntilChecked(replica: Service, startedAt: number, timeoutMs = 600_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await httpJson('GET', `${replica.url}/v1/border/status`);
    const integrity = (r.body as { integrity?: { database?: { state?: string; nextComparisonAt?: string | null }; lastVerify?: { at?: string } | null } } | undefined)?.integrity;
    // A comparison of this run: another worker may still answer from the status an earlier run left in the store.
    const verifiedAt = Date.parse(integrity?.lastVerify?.at ?? '');
    // None due within the hour (`--verify-every` long): nothing to wait for.
    const nextAt = Date.parse(integrity?.database?.nextComparisonAt ?? '');
    if (r.status === 200 && integrity?.database?.state === 'ok' && (verifiedAt >= startedAt - 1000 || nextAt > Date.now() + 3_600_000)) return true;
    if (performance.now() > deadline) return false;
    await sleep(500);
  }
}

/**
 * Watches a replica's store (not the process) until it has bootstrapped and committed `seq`; returns
 * performance.now() at that moment. `onPoll` sees each reading (for progress lines).
 */
export async function waitForCommitted(
  dep: Deployment,
  replica: RunningReplica,
  seq: number,
  options: { timeoutMs: number; pollMs?: number; onPoll?: (cursor: number | null) => void },
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const p = await dep.store.replicaProgress(replica.dir);
    options.onPoll?.(p?.cursor ?? null);
    if (p && p.dataAsOf !== null && p.cursor !== null && p.cursor >= seq) return performance.now();
    if (replica.service.memory() === undefined) throw new Error(`replica ${replica.service.url} exited before reaching seq ${seq}`);
    if (performance.now() > deadline) throw new Error(`replica ${replica.service.url} did not reach seq ${seq} within ${options.timeoutMs / 1000} s (at ${p?.cursor})`);
    await sleep(options.pollMs ?? 50);
  }
}

/**
 * Polls a replica until it has bootstrapped and applied `seq`; returns performance.now() at that moment.
 * `onPoll` sees every status (for progress lines and memory samples).
 */
export async function waitForSeq(replica: Service, seq: number, options: { timeoutMs: number; pollMs: number; onPoll?: (s: ReplicaStatus) => void }): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  let last: ReplicaStatus | undefined;
  for (;;) {
    try {
      last = await status(replica);
      options.onPoll?.(last);
      if (last.dataAsOf !== null && last.replicaSeq >= seq) return performance.now();
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    if (performance.now() > deadline) {
      throw new Error(`replica ${replica.url} did not reach seq ${seq} within ${options.timeoutMs / 1000} s (at ${last?.replicaSeq}, ${last?.sync}, last error: ${last?.lastError})`);
    }
    await sleep(options.pollMs);
  }
}
