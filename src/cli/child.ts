/** Running an erx service as a child process and learning its URL from its `listening on …` line. */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ERX_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/erx.js');

export interface ChildService {
  url: string;
  child: ChildProcess;
  /** Asks the service to stop (SIGTERM) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The last 4,000 characters it wrote to stderr (when piped). */
  stderr(): string;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Where the child's stderr goes: 'inherit' shows its progress bar, 'pipe' keeps it for errors. */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  timeoutMs?: number;
}

export function spawnService(args: string[], options: SpawnOptions = {}): Promise<ChildService> {
  const child = spawn(process.execPath, [ERX_BIN, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
  });
  let errText = '';
  child.stderr?.on('data', (d: Buffer) => {
    errText = (errText + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`erx ${args.join(' ')} did not start within ${options.timeoutMs ?? 60_000} ms\n${errText}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolvePromise({
          url: m[1]!,
          child,
          stderr: () => errText,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`erx ${args.join(' ')} exited (${code ?? signal}) before listening\n${errText}`));
    });
  });
}
