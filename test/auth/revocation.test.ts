/**
 * Tokens do not live forever and can be taken back: a token without an expiry (or without an id) is
 * refused with the reason; `erx auth revoke` (by id, by token, or everything issued before an
 * instant) and `erx auth rotate-key` take effect in a running service within a second, no restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { authSecret, issueToken, tokenFacts } from '../../src/auth/tokens.js';
import { ERX_BIN } from '../../src/cli/child.js';
import { createRegister } from '../../src/app/registerServer.js';
import { tempDir } from '../helpers.js';

const run = promisify(execFile);
const erx = (...args: string[]) => run(process.execPath, [ERX_BIN, ...args], { env: { ...process.env, ERX_LOG_LEVEL: 'warn' } });

async function register(t: { after(fn: () => unknown): void }) {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  const status = async (token: string) => {
    const res = await reg.app.inject({ method: 'GET', url: '/v1/persons/P-1', headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, error: res.json().error as string };
  };
  /** Polls (≤ 5 s) until the answer has this status: revocations are picked up within about a second. */
  const becomes = async (token: string, status: number) => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const s = await check(token);
      if (s.status === status || Date.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const check = status;
  return { dir, status, becomes };
}

test('a token without an expiry, an issue time or an id is refused, saying which', async (t) => {
  const { dir, status } = await register(t);
  const secret = authSecret(dir);
  const base = () => new SignJWT({ role: 'auditor' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('erx').setSubject('x');
  const noExp = await base().setIssuedAt().setJti('j-1').sign(secret);
  assert.deepEqual(await status(noExp), { status: 401, error: 'token has no expiry (exp): tokens that never expire are refused; issue a new one with erx auth token' });
  const noJti = await base().setIssuedAt().setExpirationTime('1h').sign(secret);
  assert.match((await status(noJti)).error, /no id \(jti\)/);
  const noIat = await base().setJti('j-2').setExpirationTime('1h').sign(secret);
  assert.match((await status(noIat)).error, /no issue time \(iat\)/);
  // What erx issues carries all three, each token its own id.
  const a = tokenFacts(await issueToken(secret, { role: 'auditor' }));
  const b = tokenFacts(await issueToken(secret, { role: 'auditor' }));
  assert.ok(a.jti && b.jti && a.jti !== b.jti && a.issuedAt && a.expiresAt);
  assert.equal((await status(await issueToken(secret, { role: 'auditor' }))).status, 404); // admitted: the person is unknown
});

test('erx auth token prints the token alone on stdout, and its id on stderr', async (t) => {
  const dir = tempDir(t);
  const { stdout, stderr } = await erx('auth', 'token', '--role', 'auditor', '--data', dir);
  assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const jti = tokenFacts(stdout.trim()).jti!;
  assert.ok(stderr.includes(`token id (jti) ${jti}`) && stderr.includes(`erx auth revoke --jti ${jti}`), stderr);
});

test('erx auth revoke --jti and --token: a running service refuses that token within a second, others still work', async (t) => {
  const { dir, status, becomes } = await register(t);
  const secret = authSecret(dir);
  const [lost, stolen, kept] = await Promise.all([0, 1, 2].map(() => issueToken(secret, { role: 'auditor', sub: 'cp' })));
  for (const token of [lost!, stolen!, kept!]) assert.equal((await status(token)).status, 404, 'used before: cached as verified');
  const { stdout } = await erx('auth', 'revoke', '--data', dir, '--jti', tokenFacts(lost!).jti!, '--reason', 'laptop lost');
  assert.match(stdout, /revoked token/);
  const revokedAt = Date.now();
  const refused = await becomes(lost!, 401);
  assert.ok(Date.now() - revokedAt < 2_000, `refused ${Date.now() - revokedAt} ms after the revocation`);
  assert.equal(refused.status, 401);
  assert.match(refused.error, /^token was revoked at \S+ \(laptop lost\)$/);
  await erx('auth', 'revoke', '--data', dir, '--token', stolen!);
  assert.equal((await becomes(stolen!, 401)).status, 401);
  assert.equal((await status(kept!)).status, 404, 'a token not revoked still works');
  assert.equal(statSync(join(dir, 'auth-revocations.json')).mode & 0o777, 0o600, 'the list is private to the service');
});

test('erx auth revoke --all: every token issued until now is refused; a new one works', async (t) => {
  const { dir, status, becomes } = await register(t);
  const old = await issueToken(authSecret(dir), { role: 'auditor' });
  assert.equal((await status(old)).status, 404);
  await erx('auth', 'revoke', '--data', dir, '--all');
  const refused = await becomes(old, 401);
  assert.match(refused.error, /issued before .*all earlier tokens were revoked/);
  await new Promise((r) => setTimeout(r, 1_100)); // tokens carry whole seconds
  const { stdout } = await erx('auth', 'token', '--role', 'auditor', '--data', dir);
  assert.equal((await status(stdout.trim())).status, 404);
  await assert.rejects(erx('auth', 'revoke', '--data', dir, '--before', '2999-01-01T00:00:00Z'), /in the future/);
  await assert.rejects(erx('auth', 'revoke', '--data', dir), /exactly one of/);
});

test('a revocation list that cannot be read refuses every token', async (t) => {
  const { dir, status, becomes } = await register(t);
  const token = await issueToken(authSecret(dir), { role: 'auditor' });
  assert.equal((await status(token)).status, 404);
  writeFileSync(join(dir, 'auth-revocations.json'), '{"tokens": oops');
  assert.match((await becomes(token, 401)).error, /revocation list cannot be read/);
});

test('erx auth rotate-key: every earlier token is refused by the running service; new tokens work', async (t) => {
  const { dir, status, becomes } = await register(t);
  const before = await issueToken(authSecret(dir), { role: 'auditor' });
  assert.equal((await status(before)).status, 404);
  const { stdout } = await erx('auth', 'rotate-key', '--data', dir);
  assert.match(stdout, /every earlier token is refused/);
  assert.equal(statSync(join(dir, 'auth.key')).mode & 0o777, 0o600);
  assert.match((await becomes(before, 401)).error, /not signed by this service/);
  const after = (await erx('auth', 'token', '--role', 'auditor', '--data', dir)).stdout.trim();
  assert.equal((await becomes(after, 404)).status, 404, 'a token of the new key is accepted without a restart');
});
