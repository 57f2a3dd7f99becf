/**
 * HTTPS end to end: a register serving with --tls-cert/--tls-key (it says `listening on https://…`),
 * and a replica that pins the register's CA with --ca and follows it. With another CA the replica
 * refuses the register's certificate, says why in its status, and stays not ready. Certificates are
 * made for the test with the openssl binary.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { spawnService } from '../../src/cli/child.js';
import { callUp, exportRegisterKeys, personLine, served, tempDir } from '../helpers.js';
import { borderArgs, eventually, get, known, startRegister, tokenFor } from './processes.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A CA, and a server certificate it signed for 127.0.0.1 and localhost. */
function makeCa(dir: string, name: string): { ca: string; cert: string; key: string } {
  const at = (f: string) => join(dir, `${name}-${f}`);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', `/CN=${name} test CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(at('ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('ext'));
  return { ca: at('ca.pem'), cert: at('server.pem'), key: at('server.key') };
}


/** A temporary directory with two CAs (ours, other), or null when openssl is missing here (a failure in CI). */
function twoCas(t: TestContext): { dir: string; ours: ReturnType<typeof makeCa>; other: ReturnType<typeof makeCa> } | null {
  if (!hasOpenssl()) {
    if (process.env.CI === 'true') assert.fail('the openssl binary is needed to make the test certificates');
    t.skip('the openssl binary is needed to make the test certificates');
    return null;
  }
  const dir = tempDir(t);
  return { dir, ours: makeCa(dir, 'ours'), other: makeCa(dir, 'other') };
}

test('a replica follows a register over HTTPS with a pinned CA, and refuses one signed by another CA', async (t) => {
  const certificates = twoCas(t);
  if (!certificates) return;
  const { dir, ours, other } = certificates;
  const register = await startRegister(t, join(dir, 'register'), 0, ['--tls-cert', ours.cert, '--tls-key', ours.key]);
  assert.match(register.url, /^https:\/\/127\.0\.0\.1:\d+$/, 'the listening line says https');

  // The register answers HTTPS only to a client trusting its CA.
  const trusting = new Agent({ connect: { ca: readFileSync(ours.ca) } });
  const listed = personLine({ personId: 'TLS-1', restrictions: [callUp('CU-TLS-1', served)] });
  const imported = await fetch(`${register.url}/v1/import`, {
    method: 'POST',
    dispatcher: trusting,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(register.url)}` },
    body: JSON.stringify({ persons: [listed] }),
  });
  assert.equal(imported.status, 200);
  await assert.rejects(fetch(`${register.url}/healthz`), 'a client without the CA refuses the certificate');
  await assert.rejects(fetch(register.url.replace('https:', 'http:') + '/healthz'), 'no plain HTTP beside it');

  // Pinned to our CA: the replica bootstraps over HTTPS and serves screenings.
  const pinnedDir = join(dir, 'pinned');
  const pinned = known(await spawnService([...(await borderArgs(register.url, pinnedDir)), '--ca', ours.ca], { env: { ERX_LOG_LEVEL: 'warn' } }), pinnedDir);
  t.after(() => pinned.stop('SIGKILL'));
  const status = await eventually('the pinned replica to bootstrap over HTTPS', async () => {
    const s = await get(`${pinned.url}/v1/border/status`);
    return s.persons === 1 && s.dataAsOf ? s : undefined;
  });
  assert.equal(status.lastError, null);
  // With several workers (the default) a reader learns the writer's state within the sync view's period
  // (SYNC_VIEW_EVERY_MS, 250 ms): readiness is awaited briefly, not read once from whichever worker answers.
  await eventually('ready at every worker', async () => (await fetch(`${pinned.url}/readyz`)).status === 200, 2_000);

  // Pinned to another CA: refused with the reason, never ready.
  const wrongDir = join(dir, 'wrong');
  const wrong = known(await spawnService([...(await borderArgs(register.url, wrongDir)), '--ca', other.ca], { env: { ERX_LOG_LEVEL: 'warn' } }), wrongDir);
  t.after(() => wrong.stop('SIGKILL'));
  const refused = await eventually('the wrongly pinned replica to report the certificate', async () => {
    const s = await get(`${wrong.url}/v1/border/status`);
    return typeof s.lastError === 'string' && s.lastError.length > 0 ? s : undefined;
  });
  assert.match(refused.lastError, /^TLS: https:\/\/127\.0\.0\.1:\d+ presented a certificate this replica does not trust \(.+\); it must be signed by the CA given with --ca$/);
  assert.equal(refused.persons, 0);
  assert.equal(refused.dataAsOf, null);
  const ready = await fetch(`${wrong.url}/readyz`);
  assert.equal(ready.status, 503, 'not ready');

  // --ca with a plain-HTTP register is refused at start, in words.
  await assert.rejects(
    spawnService(['border', 'serve', '--register', 'http://127.0.0.1:9', '--ca', ours.ca, '--port', '0', '--data', join(dir, 'plain')], { env: { ERX_LOG_LEVEL: 'warn' } }),
    /--ca pins the CA of an HTTPS feed: --register must be an https:\/\/ URL/,
  );
});

test('a replica serves HTTPS itself; a certificate and a key that do not belong together are refused at start', async (t) => {
  const certificates = twoCas(t);
  if (!certificates) return;
  const { dir, ours, other } = certificates;
  const args = ['border', 'serve', '--register', 'http://127.0.0.1:9', '--trust', exportRegisterKeys(join(dir, 'reg')), '--port', '0', '--data', join(dir, 'border')];
  const border = await spawnService([...args, '--tls-cert', ours.cert, '--tls-key', ours.key], { env: { ERX_LOG_LEVEL: 'warn' } });
  t.after(() => border.stop('SIGKILL'));
  assert.match(border.url, /^https:\/\//);
  const res = await fetch(`${border.url}/healthz`, { dispatcher: new Agent({ connect: { ca: readFileSync(ours.ca) } }) });
  assert.equal(res.status, 200);
  await border.stop('SIGKILL');
  await assert.rejects(spawnService([...args, '--tls-cert', ours.cert, '--tls-key', other.key], { env: { ERX_LOG_LEVEL: 'warn' } }), /--tls-key .*the key does not belong to the certificate/);
  await assert.rejects(spawnService([...args, '--tls-cert', ours.cert], { env: { ERX_LOG_LEVEL: 'warn' } }), /HTTPS needs both --tls-cert FILE and --tls-key FILE/);
});
