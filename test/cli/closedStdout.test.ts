/**
 * `erx border verify | head -1` and other commands whose reader goes away end quietly: exit 0, no
 * EPIPE stack trace. The reader's end of the pipe is closed before erx writes, so every write fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { ERX_BIN } from '../../src/cli/child.js';
import { createRegister } from '../../src/app/registerServer.js';
import { exportRegisterKeys, person, tempDir } from '../helpers.js';

/** Runs erx with its stdout a pipe whose reading end is closed at once; its exit code and stderr. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ERX_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ERX_LOG_LEVEL: 'warn' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function assertQuiet(what: string, r: { code: number | null; stderr: string }) {
  assert.equal(r.code, 0, `${what}: exit code ${r.code}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|\n\s+at /, `${what}: ${r.stderr}`);
}

test('erx border verify | head -1: ends quietly', async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person(), 'test');
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const registerUrl = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const borderDir = tempDir(t);
  const border = await createBorderReplica({ dataDir: borderDir, registerUrl, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border' }) });
  t.after(() => border.close());
  await border.app.listen({ port: 0, host: '127.0.0.1' });
  border.follower.start();
  const borderUrl = `http://127.0.0.1:${(border.app.server.address() as { port: number }).port}`;
  for (let i = 0; i < 200 && (await border.freshness()).dataAsOf === null; i++) await new Promise((r) => setTimeout(r, 50));
  const token = await issueToken(authSecret(borderDir), { role: 'operator' });
  assertQuiet('border verify', await withClosedStdout(['border', 'verify', '--border', borderUrl, '--token', token]));
});

test('other commands writing to a closed stdout end quietly', async (t) => {
  const dir = tempDir(t);
  authSecret(dir);
  assertQuiet('auth token', await withClosedStdout(['auth', 'token', '--role', 'auditor', '--data', dir]));
  assertQuiet('register keys export', await withClosedStdout(['register', 'keys', 'export', '--data', dir]));
});
