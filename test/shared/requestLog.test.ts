/**
 * The request log carries no personal data from query strings: a person search's `q=` (a name, a
 * document number) is redacted like a body is; cursors, page sizes and waits stay readable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createRegister } from '../../src/app/registerServer.js';
import { loggableUrl } from '../../src/shared/log.js';
import { tempDir } from '../helpers.js';

/** Runs `fn` with the services' log going to a file at level info; returns its lines. */
async function capturedLog(dir: string, env: Record<string, string>, fn: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const file = join(dir, 'service.log');
  const saved = { ...process.env };
  Object.assign(process.env, { ERX_LOG_FILE: file, ERX_LOG_LEVEL: 'info', ...env });
  try {
    await fn();
  } finally {
    for (const key of ['ERX_LOG_FILE', 'ERX_LOG_LEVEL', 'ERX_LOG_PERSONAL_DATA']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function searches(dir: string, env: Record<string, string>) {
  return capturedLog(dir, env, async () => {
    const reg = await createRegister({ dataDir: dir });
    const authorization = `Bearer ${await issueToken(authSecret(dir), { role: 'auditor' })}`;
    for (const url of ['/v1/persons?q=%D0%A9%D0%B5%D1%80%D0%B1%D0%B0%D0%BA%D0%BE%D0%B2&limit=5', '/v1/persons?limit=5&q=759876543', '/v1/exchange/changes?after=0&limit=10']) {
      await reg.app.inject({ method: 'GET', url, headers: { authorization } });
    }
    (reg.app.log as unknown as { flush(): void }).flush();
    await reg.close();
    await new Promise((r) => setTimeout(r, 100));
  });
}

test('register: a person search is logged without its search text', async (t) => {
  const dir = tempDir(t);
  const lines = await searches(dir, {});
  const urls = lines.filter((l) => l.msg === 'request completed').map((l) => l.url);
  assert.deepEqual(urls, ['/v1/persons?q=[redacted]&limit=5', '/v1/persons?limit=5&q=[redacted]', '/v1/exchange/changes?after=0&limit=10']);
  const text = readFileSync(join(dir, 'service.log'), 'utf8');
  for (const personal of ['759876543', '%D0%A9', 'Щербаков']) assert.ok(!text.includes(personal), `the log holds ${personal}`);
});

test('register: ERX_LOG_PERSONAL_DATA=1 keeps the search text, for an investigation', async (t) => {
  const dir = tempDir(t);
  const lines = await searches(dir, { ERX_LOG_PERSONAL_DATA: '1' });
  assert.ok(lines.some((l) => l.url === '/v1/persons?limit=5&q=759876543'));
});

test('query parameters are redacted unless known to be harmless', () => {
  assert.equal(loggableUrl('/v1/exchange/snapshot?buckets=1,2,3'), '/v1/exchange/snapshot?buckets=1,2,3');
  assert.equal(loggableUrl('/console/?name=IVANOV&wait=5'), '/console/?name=[redacted]&wait=5');
  assert.equal(loggableUrl('/x?%D0%98%D0%B2=1&a'), '/x?[redacted]=[redacted]&a=[redacted]');
  assert.equal(loggableUrl('/v1/persons/R-1'), '/v1/persons/R-1');
});
