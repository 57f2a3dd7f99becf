/** Helpers for tests that run erx as real processes on ephemeral ports. */
import { spawnService, type ChildService } from '../../src/cli/child.js';

export async function startRegister(t: { after(fn: () => Promise<unknown>): void }, dataDir: string, port = 0, extra: string[] = []): Promise<ChildService> {
  const svc = await spawnService(['register', 'serve', '--port', String(port), '--data', dataDir, ...extra], { env: { ERX_LOG_LEVEL: 'warn' } });
  t.after(() => svc.stop('SIGKILL'));
  return svc;
}

export async function startBorder(
  t: { after(fn: () => Promise<unknown>): void },
  registerUrl: string,
  dataDir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<ChildService> {
  const svc = await spawnService(['border', 'serve', '--register', registerUrl, '--port', '0', '--data', dataDir, ...extra], {
    env: { ERX_LOG_LEVEL: 'warn', ...env },
  });
  t.after(() => svc.stop('SIGKILL'));
  return svc;
}

export async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export async function get(url: string): Promise<any> {
  const res = await fetch(url);
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
