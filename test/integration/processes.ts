/** Helpers for tests that run erx as real processes on ephemeral ports, with real tokens. */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import type { Role } from '../../src/auth/roles.js';
import { spawnService, type ChildService } from '../../src/cli/child.js';
import { exportRegisterKeys } from '../helpers.js';

/** Data directory of each service started here, by URL, so requests can carry a token it accepts. */
const dataDirs = new Map<string, string>();
/** The exported keys (`erx register keys export`) of the register whose feed each service serves, by URL. */
const trustFiles = new Map<string, string>();

/** `--trust FILE` for a replica following `feedUrl` (a register, or a replica serving its feed onward). */
export function trustArgs(feedUrl: string): string[] {
  const file = trustFiles.get(new URL(feedUrl).origin);
  if (!file) throw new Error(`no register keys known for ${feedUrl}: start it with startRegister/startBorder`);
  return ['--trust', file];
}

export async function tokenFor(url: string, role: Role = 'operator', extra: { office?: string; personId?: string; sub?: string; carrier?: string } = {}): Promise<string> {
  const dir = dataDirs.get(new URL(url).origin);
  if (!dir) throw new Error(`no service started at ${url}`);
  return issueToken(authSecret(dir), { role, ...extra });
}

export async function startRegister(t: { after(fn: () => Promise<unknown>): void }, dataDir: string, port = 0, extra: string[] = []): Promise<ChildService> {
  const svc = await spawnService(['register', 'serve', '--port', String(port), '--data', dataDir, ...extra], { env: { ERX_LOG_LEVEL: 'warn' } });
  dataDirs.set(new URL(svc.url).origin, dataDir);
  trustFiles.set(new URL(svc.url).origin, exportRegisterKeys(dataDir));
  t.after(() => svc.stop('SIGKILL'));
  return svc;
}

/**
 * The arguments that start a replica following `registerUrl` with a feed token the register accepts;
 * `workers` processes (`--workers`, default 1: one process, as before workers existed; the tests of
 * several workers ask for 2).
 */
export async function borderArgs(registerUrl: string, dataDir: string, feedTokenFrom = registerUrl, workers = 1): Promise<string[]> {
  const trust = trustFiles.has(new URL(registerUrl).origin) ? trustArgs(registerUrl) : trustArgs(feedTokenFrom);
  return ['border', 'serve', '--register', registerUrl, '--token', await tokenFor(feedTokenFrom, 'border'), ...trust, '--port', '0', '--data', dataDir, '--workers', String(workers)];
}

/** The pids of a service's workers (the children of a replica started with --workers N). */
export function workerPids(svc: ChildService): number[] {
  const parent = svc.child.pid;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing paren.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Whether a process is still alive (not yet reaped counts as gone once it is a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function startBorder(
  t: { after(fn: () => Promise<unknown>): void },
  registerUrl: string,
  dataDir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
  feedTokenFrom = registerUrl,
  workers = 1,
): Promise<ChildService> {
  const args = await borderArgs(registerUrl, dataDir, feedTokenFrom, workers);
  const svc = await spawnService([...args, ...extra], { env: { ERX_LOG_LEVEL: 'warn', ...env } });
  dataDirs.set(new URL(svc.url).origin, dataDir);
  trustFiles.set(new URL(svc.url).origin, args[args.indexOf('--trust') + 1]!);
  t.after(() => svc.stop('SIGKILL'));
  return svc;
}

/**
 * A replica under a name of its own — its token's subject, the name the register's reach and the
 * reverse channel know it by: a checkpoint behind a centre (`upstream` serving its onward feed, a
 * checkpoint token), or a replica following the register directly (a border token).
 */
export async function startNamedReplica(t: { after(fn: () => Promise<unknown>): void }, upstream: string, dataDir: string, sub: string, role: 'checkpoint' | 'border', extra: string[] = []): Promise<ChildService> {
  const args = ['border', 'serve', '--register', upstream, '--token', await tokenFor(upstream, role, { sub }), ...trustArgs(upstream), '--port', '0', '--data', dataDir, ...extra];
  const svc = known(await spawnService(args, { env: { ERX_LOG_LEVEL: 'warn' } }), dataDir);
  t.after(() => svc.stop('SIGKILL'));
  return svc;
}

/** A port free on 127.0.0.1 now, for a service started a moment later whose address another must know first. */
export async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Remembers a service started some other way (e.g. with fault injection). */
/** Remembers a service started by hand: its data directory (for tokens) and, for a feed, the trust file of its register's keys. */
export function known(svc: ChildService, dataDir: string, trustFile?: string): ChildService {
  dataDirs.set(new URL(svc.url).origin, dataDir);
  if (trustFile) trustFiles.set(new URL(svc.url).origin, trustFile);
  return svc;
}

async function headers(url: string, token?: string): Promise<Record<string, string>> {
  const origin = new URL(url).origin;
  const t = token ?? (dataDirs.has(origin) ? await tokenFor(url) : undefined);
  return t ? { authorization: `Bearer ${t}` } : {};
}

export async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(await headers(url, token)) }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export async function get(url: string, token?: string): Promise<any> {
  const res = await fetch(url, { headers: await headers(url, token) });
  return res.json();
}

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
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
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function caughtUp(borderUrl: string, registerUrl: string, timeoutMs = 30_000) {
  return eventually('replica to catch up', async () => {
    const head = (await get(`${registerUrl}/v1/register/status`)).registerSeq as number;
    const s = await get(`${borderUrl}/v1/border/status`);
    return s.dataAsOf && s.replicaSeq === head ? s : undefined;
  }, timeoutMs);
}
