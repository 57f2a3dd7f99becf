/**
 * No silent trust: a replica that was given no register keys (no --trust, nothing pinned in its data
 * directory) does not start by believing whatever key answers first — an impostor in the network path
 * would otherwise become its register. It refuses, naming `erx register keys export` and --trust;
 * trust on first use happens only when asked for (--trust-on-first-use).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { ERX_BIN, spawnService } from '../../src/cli/child.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';

const run = promisify(execFile);

/** A register of its own keys, listening: the impostor's (or the real one's) feed. */
async function listeningRegister(t: { after(fn: () => Promise<unknown>): void }, dir: string) {
  const reg = await createRegister({ dataDir: dir, auth: false });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(reg, { url: `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}` });
}

test('a hostile feed cannot get its key trusted by being the first to answer', async (t) => {
  const realDir = tempDir(t);
  const real = await listeningRegister(t, realDir);
  const impostor = await listeningRegister(t, tempDir(t));
  await impostor.service.upsertPerson(person({ personId: 'FAKE-1', restrictions: [callUp('CU-FAKE', served)] }));

  // Without --trust: refused before anything is opened, with a message that says what to do.
  const dir = tempDir(t);
  await assert.rejects(createBorderReplica({ dataDir: dir, registerUrl: impostor.url, auth: false, longPollMs: 200 }), (err: Error) => {
    assert.match(err.message, /erx register keys export > keys\.json/);
    assert.match(err.message, /--trust keys\.json/);
    assert.match(err.message, /--trust-on-first-use/);
    return true;
  });
  assert.equal(existsSync(join(dir, 'trusted-keys.json')), false, 'the impostor key was not pinned');
  assert.equal(existsSync(join(dir, 'state.db')), false, 'no database was opened');

  // With the real register's keys, the impostor's snapshot is refused and nothing of it is applied.
  const replica = await createBorderReplica({ dataDir: dir, registerUrl: impostor.url, trustFile: exportRegisterKeys(realDir), auth: false, longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  const deadline = Date.now() + 10_000;
  while (replica.follower.lastError === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(String(replica.follower.lastError), /key|signature|trusted/i);
  assert.equal((await replica.store.state()).persons, 0, 'nothing of the impostor was applied');
  const pinned = JSON.parse(readFileSync(join(dir, 'trusted-keys.json'), 'utf8')).keys.map((k: { keyId: string }) => k.keyId);
  assert.deepEqual(pinned, real.keys.published().map((k) => k.keyId), 'only the real register key is trusted');
});

test('erx border serve without --trust refuses to start and says how to export the keys; --trust-on-first-use starts and pins', async (t) => {
  const reg = await listeningRegister(t, tempDir(t));
  await reg.service.upsertPerson(person({ personId: 'T-1' }));
  const dir = tempDir(t);
  const refused = await run(process.execPath, [ERX_BIN, 'border', 'serve', '--register', reg.url, '--no-auth', '--port', '0', '--data', dir], { env: { ...process.env, ERX_LOG_LEVEL: 'warn' }, timeout: 20_000 }).catch((e) => e); // a replica that starts anyway is killed: the test fails, it does not hang
  assert.equal(refused.code, 1, `exit code (stdout: ${refused.stdout})`);
  assert.match(refused.stderr, /erx register keys export > keys\.json/);
  assert.match(refused.stderr, /--trust keys\.json/);
  assert.doesNotMatch(refused.stdout ?? '', /listening on/);

  // Asked for explicitly (here through its environment variable): starts, warns, pins.
  const svc = await spawnService(['border', 'serve', '--register', reg.url, '--no-auth', '--port', '0', '--data', dir], { env: { ERX_LOG_LEVEL: 'warn', ERX_TRUST_ON_FIRST_USE: 'yes' } });
  t.after(() => svc.stop('SIGKILL'));
  const deadline = Date.now() + 20_000;
  let status: { persons?: number; integrity?: { trust?: string } } = {};
  while (Date.now() < deadline) {
    status = (await (await fetch(`${svc.url}/v1/border/status`)).json()) as typeof status;
    if (status.persons === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status.persons, 1);
  assert.equal(status.integrity?.trust, 'first-use');
  assert.ok(existsSync(join(dir, 'trusted-keys.json')), 'pinned for the next start');
  await svc.stop();

  // Restarted without the flag: the pinned keys are enough.
  const again = await spawnService(['border', 'serve', '--register', reg.url, '--no-auth', '--port', '0', '--data', dir], { env: { ERX_LOG_LEVEL: 'warn' } });
  t.after(() => again.stop('SIGKILL'));
  assert.equal(((await (await fetch(`${again.url}/v1/border/status`)).json()) as { integrity: { trust: string } }).integrity.trust, 'pinned');
  await again.stop('SIGKILL'); // before the register closes: it would wait for the open long-poll
});
