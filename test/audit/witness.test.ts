/**
 * The witness's rules (audit/witness.ts) over its HTTP route, and the services end to end: a replica
 * signs its head at shutdown and its register keeps it; the register's own heads reach a monitor by
 * GET, and `erx audit verify --heads` checks the register's trail against the monitor's copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { HEADS_FILE } from '../../src/audit/headsFile.js';
import { signHead, type SignedHead } from '../../src/audit/signedHead.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { ERX_BIN } from '../../src/cli/child.js';
import { RegisterKeys } from '../../src/auth/keyRing.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, exportRegisterKeys, person, tempDir } from '../helpers.js';

const run = promisify(execFile);
const hash = (n: number) => createHash('sha256').update(String(n)).digest('hex');

async function witnessAt(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir, auditHeadEveryMs: 3_600_000 });
  t.after(() => reg.close());
  const bearer = async (role: 'border' | 'checkpoint' | 'auditor' | 'operator', sub?: string) => ({
    authorization: `Bearer ${await issueToken(authSecret(dir), { role, ...(sub ? { sub } : {}) })}`,
  });
  return { dir, reg, bearer };
}

/** A sender's audit key (kept as a service keeps it) and heads it signs. */
function sender(t: Parameters<typeof tempDir>[0], name: string) {
  const keys = new RegisterKeys(tempDir(t), 'audit-keys.json');
  return { keys, head: (seq: number, h = hash(seq)): SignedHead => signHead(keys, name, { seq, hash: h }) };
}

test('the witness keeps heads per sender, idempotently, and refuses what contradicts them', async (t) => {
  const { reg, bearer } = await witnessAt(t);
  const cp = sender(t, 'cp-1');
  const as = await bearer('checkpoint', 'cp-1');
  const post = (payload: unknown, headers = as) => reg.app.inject({ method: 'POST', url: '/v1/audit/heads', headers, payload: payload as object });

  const first = await post({ keys: cp.keys.all(), heads: [cp.head(1), cp.head(5)] });
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual([first.json().accepted, first.json().newest.seq], [2, 5]);
  const again = await post({ keys: cp.keys.all(), heads: [cp.head(5), cp.head(9)] });
  assert.deepEqual([again.json().accepted, again.json().newest.seq], [1, 9], 'a head already held is a no-op');

  const rewritten = await post({ keys: cp.keys.all(), heads: [cp.head(9, hash(999))] });
  assert.equal(rewritten.statusCode, 409);
  assert.match(rewritten.json().error, new RegExp(`entry 9 has hash ${hash(999).slice(0, 16)}…, but the head witnessed at .* says ${hash(9).slice(0, 16)}…: the sender's trail was rewritten`));
  const shorter = await post({ keys: cp.keys.all(), heads: [cp.head(7)] });
  assert.equal(shorter.statusCode, 409);
  assert.match(shorter.json().error, /head at entry 7 goes back behind entry 9.*the sender's trail lost entries/);

  const impostor = sender(t, 'cp-1');
  const replaced = await post({ keys: impostor.keys.all(), heads: [impostor.head(10)] });
  assert.equal(replaced.statusCode, 409);
  assert.match(replaced.json().error, /signed by audit key [0-9a-f]{16}, which is not the key pinned for "cp-1" at its first report/);

  const forged = { ...cp.head(11), hash: hash(12) };
  const bad = await post({ keys: cp.keys.all(), heads: [forged] });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error, /head at entry 11: signature by key [0-9a-f]{16} does not match the content/);

  const other = await post({ keys: cp.keys.all(), heads: [cp.head(12)] }, await bearer('checkpoint', 'cp-2'));
  assert.equal(other.statusCode, 403);
  assert.match(other.json().error, /names service "cp-1", but the token is for "cp-2"/);
  const unordered = await post({ keys: cp.keys.all(), heads: [cp.head(14), cp.head(13)] });
  assert.equal(unordered.statusCode, 400);
  assert.match(unordered.json().error, /increasing order/);

  const rotated = cp.keys.rotate(0);
  const afterRotation = await post({ keys: cp.keys.all(), heads: [cp.head(15)] });
  assert.equal(afterRotation.statusCode, 200, `a key endorsed by the pinned one is learned (${rotated.current.keyId}): ${afterRotation.body}`);

  const held = await reg.app.inject({ method: 'GET', url: '/v1/audit/heads?sub=cp-1', headers: await bearer('auditor') });
  assert.equal(held.statusCode, 200);
  assert.deepEqual(held.json().heads.map((h: SignedHead) => h.seq), [1, 5, 9, 15]);
  assert.deepEqual(held.json().conflicts.map((c: { head: SignedHead }) => c.head.seq), [9, 7], 'conflicts are kept for auditors');
  const unknown = await reg.app.inject({ method: 'GET', url: '/v1/audit/heads?sub=nobody', headers: await bearer('auditor') });
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.json().error, /no audit heads were ever reported by "nobody"/);
});

test('a replica signs its head at shutdown and its register keeps it', async (t) => {
  const { dir: regDir, reg, bearer } = await witnessAt(t);
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const registerUrl = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const token = await issueToken(authSecret(regDir), { role: 'border', sub: 'centre-9' });
  const dir = tempDir(t);
  const replica = await createBorderReplica({ dataDir: dir, registerUrl, token, trustFile: exportRegisterKeys(regDir), auditHeadEveryMs: 3_600_000 });
  for (let i = 0; i < 3; i++) {
    await replica.store.recordScreening({ screeningId: `s-${i}`, at: new Date().toISOString(), requester: 'cp@10.0.0.1', request: {}, decision: 'clear', reasons: [], replicaSeq: 0 });
  }
  await replica.close();
  const held = await reg.app.inject({ method: 'GET', url: '/v1/audit/heads?sub=centre-9', headers: await bearer('operator') });
  assert.equal(held.statusCode, 200, held.body);
  assert.deepEqual(held.json().heads.map((h: SignedHead) => [h.service, h.seq]), [['centre-9', 3]]);
  const verified = await run(process.execPath, [ERX_BIN, 'audit', 'verify', '--data', dir, '--witness', registerUrl, '--token', (await bearer('auditor')).authorization.slice(7)]);
  assert.match(verified.stdout, /3 entries, chain intact; 2 signed heads agree, the newest at entry 3/);
});

test("the register's own heads reach a monitor, and verify checks the register's trail against the monitor's copy", async (t) => {
  const { dir, reg, bearer } = await witnessAt(t);
  const p = person({ restrictions: [callUp('CU-W1'), callUp('CU-W2'), callUp('CU-W3')] });
  await reg.service.upsertPerson(p, 'office:clerk@MO-Moscow-12');
  await reg.service.recordService('CU-W1', '2024-10-02T10:00:00.000Z', 'portal', 'office:clerk@MO-Moscow-12');
  await reg.service.lift('CU-W1', '2024-11-01T00:00:00.000Z', 'cancellation', 'operator:ana');
  await reg.close(); // signs the head at shutdown
  const again = await createRegister({ dataDir: dir, auditHeadEveryMs: 3_600_000 });
  t.after(() => again.close());
  const own = await again.app.inject({ method: 'GET', url: '/v1/audit/heads', headers: await bearer('auditor') });
  assert.equal(own.statusCode, 200);
  assert.equal(own.json().service, 'register');
  assert.deepEqual(own.json().heads.map((h: SignedHead) => h.seq), [3]);
  const monitorCopy = join(tempDir(t), 'register-heads.json');
  writeFileSync(monitorCopy, own.body);
  await again.close();

  // The forger, with the database and the whole data directory: cuts the last entry and removes the heads file.
  const db = new Database(join(dir, 'register.db'));
  db.exec('DROP TRIGGER audit_no_delete; DELETE FROM audit_trail WHERE seq = 3;');
  db.close();
  rmSync(join(dir, HEADS_FILE));
  const r = await run(process.execPath, [ERX_BIN, 'audit', 'verify', '--data', dir, '--heads', monitorCopy]).catch((e: { code: number; stdout: string }) => e);
  assert.equal((r as { code?: number }).code, 1);
  assert.match(r.stdout, /register\.db: TRUNCATED: entries after 2 missing; the head signed at \S+ \(\/.*register-heads\.json\) covers entry 3/);
});
