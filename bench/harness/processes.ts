/**
 * Everything the benchmark starts, it stops: child processes (erx services and helper servers),
 * temporary directories and what belongs to them elsewhere (companions: a PostgreSQL schema per data
 * directory) are tracked here and torn down on success, on failure, on Ctrl-C or SIGTERM, and — as a
 * last resort — synchronously when the bench process exits.
 *
 * Memory of a child is read from /proc/PID/status: VmRSS (now), VmHWM (the peak since it started) and
 * RssFile (the file pages of VmRSS).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildService, spawnService } from '../../src/cli/child.js';

export interface Memory {
  /** Resident set now (bytes). */
  rss: number;
  /** Peak resident set since the process started (bytes). */
  hwm: number;
  /** Of the resident set now, file pages mapped in (RssFile, bytes): a memory-mapped database's pages, the program's own. */
  mappedFile: number;
}

/** VmRSS, VmHWM and RssFile of a live process, or undefined once it has gone. */
export function memoryOf(pid: number | undefined): Memory | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), mappedFile: kb('RssFile') };
  } catch {
    return undefined;
  }
}

/**
 * What lives outside the temporary directories but belongs to them (a PostgreSQL store's schema per
 * data directory): told when a directory goes, and closed after every service and directory.
 */
export interface Companion {
  /** `dir`, made by tempDir, has been removed (the services using it have stopped). */
  dirRemoved?(dir: string): void;
  /** The bench is stopping: every service has stopped and every temporary directory is gone. */
  close?(): Promise<void>;
  /** The synchronous last resort of closeNow(). */
  closeNow?(): void;
}

/** A running service the bench started: its URL, its pid, and how to stop it. */
export interface Service {
  name: string;
  url: string;
  pid: number;
  memory(): Memory | undefined;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Direct children of this process, by pid, from /proc (what a spawn in flight may not have reported yet). */
function ownChildren(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (Number(ppid) === process.pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export class Resources {
  private readonly services = new Set<Service>();
  private readonly dirs = new Set<string>();
  private readonly companions = new Set<Companion>();
  private readonly baseDir: string;
  private closing = false;

  constructor(baseDir = tmpdir()) {
    this.baseDir = baseDir;
  }

  /** A new empty directory, removed by `close()` unless `keep` is set. */
  tempDir(prefix: string, keep = false): string {
    const dir = mkdtempSync(join(this.baseDir, `erx-bench-${prefix}-`));
    if (!keep) this.dirs.add(dir);
    return dir;
  }

  removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
    this.dirs.delete(dir);
    for (const c of this.companions) c.dirRemoved?.(dir);
  }

  attach(companion: Companion): void {
    this.companions.add(companion);
  }

  /** Starts `erx ARGS…` (a `serve` command) and waits for its `listening on` line. */
  async erx(name: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Service> {
    if (this.closing) throw new Error('the bench is stopping');
    const svc: ChildService = await spawnService(args, { env, stderr: 'pipe', timeoutMs });
    svc.child.stderr?.resume();
    return this.track(name, svc.url, svc.child, () => svc.stop().then(() => undefined));
  }

  /** Starts `node SCRIPT ARGS…`, which must print `listening on URL` like the erx services. */
  async node(name: string, script: string, args: string[] = [], timeoutMs = 30_000): Promise<Service> {
    if (this.closing) throw new Error('the bench is stopping');
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${script} did not start within ${timeoutMs} ms\n${err}`));
      }, timeoutMs);
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (https?:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          child.stdout?.removeAllListeners('data');
          child.stdout?.resume();
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${code}) before listening\n${err}`));
      });
    });
    return this.track(name, url, child, () => stopChild(child, exited));
  }

  private track(name: string, url: string, child: ChildProcess, stop: () => Promise<void>): Service {
    const pid = child.pid!;
    const service: Service = {
      name,
      url,
      pid,
      memory: () => memoryOf(pid),
      stop: async () => {
        this.services.delete(service);
        await stop();
      },
    };
    this.services.add(service);
    return service;
  }

  /** Stops every service still running (in parallel), removes every temporary directory, closes the companions. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.services].map((s) => s.stop()));
    this.killStragglers();
    for (const dir of [...this.dirs]) this.removeDir(dir);
    await Promise.allSettled([...this.companions].map((c) => c.close?.()));
  }

  /** Synchronous last resort (process 'exit'): SIGKILL whatever child is left, remove the directories, close the companions. */
  closeNow(): void {
    this.closing = true;
    for (const s of this.services) {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.services.clear();
    this.killStragglers();
    for (const dir of [...this.dirs]) this.removeDir(dir);
    for (const c of this.companions) c.closeNow?.();
  }

  /** Children started but not yet tracked (a spawn still waiting for its `listening on` line). */
  private killStragglers(): void {
    for (const pid of ownChildren()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
