/**
 * Signed audit heads against a forger who can write the database: drops the guards, edits an entry and
 * recomputes the whole chain (so the chain alone still verifies), or cuts off the newest entries, and
 * may delete the local heads file too. `erx audit verify` must name what happened, with the first entry
 * affected, from the local heads or from the witness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { openAuditKeys } from '../../src/audit/auditKeys.js';
import { openAuditChain } from '../../src/store/openAuditChain.js';
import { AuditHeadShipper } from '../../src/audit/headShipper.js';
import { AuditHeadSigner } from '../../src/audit/headSigner.js';
import { HEADS_FILE, LocalHeads } from '../../src/audit/headsFile.js';
import { entryHash } from '../../src/audit/chain.js';
import { auditEntryOf, type AuditRow } from '../../src/store/auditRow.js';
import { AuditTrail } from '../../src/store/sqlite/auditTrail.js';
import { ERX_BIN } from '../../src/cli/child.js';
import { createRegister } from '../../src/app/registerServer.js';
import { tempDir } from '../helpers.js';

const run = promisify(execFile);
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };

/** `erx audit verify …`: its output and exit code, whether it failed or not. */
async function verify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [ERX_BIN, 'audit', 'verify', ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * A replica's data directory with `n` screenings in its audit trail (audit.db) and the service's own
 * head signer; `signEvery` entries a head is signed, as the service's timer would.
 */
async function replicaTrail(t: Parameters<typeof tempDir>[0], n: number, signEvery: number, name = 'cp-7') {
  const dir = tempDir(t);
  const db = new Database(join(dir, 'audit.db'));
  db.pragma('journal_mode = WAL');
  const trail = new AuditTrail(db);
  const chain = openAuditChain({ dataDir: dir, service: 'border' });
  const heads = new LocalHeads(dir);
  const key = openAuditKeys(dir);
  const signer = new AuditHeadSigner({ service: name, chain, heads, key, log: quiet });
  for (let i = 1; i <= n; i++) {
    trail.append({ actor: 'cp-7@10.0.0.1', action: 'screening', subject: `s-${i}`, detail: { decision: i % 3 === 0 ? 'hit' : 'clear' } });
    if (i % signEvery === 0) await signer.sign();
  }
  await chain.close();
  db.close();
  return { dir, heads, key };
}

/** The forger: drops the guards, edits entry `seq`'s decision, and recomputes every hash from there on. */
function rewriteAndRechain(file: string, seq: number): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  let prevHash = db.prepare<[number], { hash: string }>('SELECT hash FROM audit_trail WHERE seq = ?').get(seq - 1)?.hash ?? '';
  const update = db.prepare('UPDATE audit_trail SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?');
  for (const row of db.prepare<[number], AuditRow>('SELECT * FROM audit_trail WHERE seq >= ? ORDER BY seq').all(seq)) {
    const e = auditEntryOf(row);
    if (e.seq === seq) e.detail = { decision: 'clear', note: 'never happened' };
    e.prevHash = prevHash;
    e.hash = entryHash(e);
    update.run(JSON.stringify(e.detail), e.prevHash, e.hash, e.seq);
    prevHash = e.hash;
  }
  db.close();
}

function deleteNewest(file: string, fromSeq: number): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
  db.prepare('DELETE FROM audit_trail WHERE seq >= ?').run(fromSeq);
  db.close();
}

function chainAloneVerifies(file: string): boolean {
  const db = new Database(file);
  try {
    return new AuditTrail(db).verify().ok;
  } finally {
    db.close();
  }
}

test('an intact trail verifies against its signed heads', async (t) => {
  const { dir } = await replicaTrail(t, 20, 5);
  const r = await verify(['--data', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /20 entries, chain intact; 4 signed heads agree, the newest at entry 20/);
});

test('after erx audit key rotate, heads signed with the old key and the new one all verify', async (t) => {
  const { dir } = await replicaTrail(t, 10, 5);
  const rotated = await run(process.execPath, [ERX_BIN, 'audit', 'key', 'rotate', '--data', dir]);
  assert.match(rotated.stdout, /new audit key [0-9a-f]{16} \(endorsed by [0-9a-f]{16}\)/);
  const db = new Database(join(dir, 'audit.db'));
  new AuditTrail(db).append({ actor: 'cp-7@10.0.0.1', action: 'screening', subject: 's-11', detail: {} });
  db.close();
  const chain = openAuditChain({ dataDir: dir, service: 'border' });
  const signed = await new AuditHeadSigner({ service: 'cp-7', chain, heads: new LocalHeads(dir), key: openAuditKeys(dir), log: quiet }).sign();
  await chain.close();
  assert.notEqual(signed!.keyId, new LocalHeads(dir).readAll().heads[0]!.keyId);
  const r = await verify(['--data', dir]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /11 entries, chain intact; 3 signed heads agree/);
});

test('an edited entry whose whole chain was recomputed is reported as rewritten, from the first entry affected', async (t) => {
  const { dir } = await replicaTrail(t, 20, 1);
  rewriteAndRechain(join(dir, 'audit.db'), 12);
  assert.equal(chainAloneVerifies(join(dir, 'audit.db')), true, 'the forgery passes the hash chain alone');
  const r = await verify(['--data', dir]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /REWRITTEN from entry 12: entry 12 has hash [0-9a-f]{16}…, but the head signed at \S+ \(local heads\) says/);
  assert.match(r.stdout, /entry 12 is the first rewritten/);
});

test('with heads signed every few entries, a rewrite is pinned between the last head that agrees and the first that does not', async (t) => {
  const { dir } = await replicaTrail(t, 20, 5);
  rewriteAndRechain(join(dir, 'audit.db'), 12);
  const r = await verify(['--data', dir]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /REWRITTEN from entry 11: entry 15 has hash/);
  assert.match(r.stdout, /entries 1–10 agree with the signed heads, so the rewrite starts somewhere in entries 11–15/);
});

test('deleting the newest entries is reported as a truncation', async (t) => {
  const { dir } = await replicaTrail(t, 20, 5);
  deleteNewest(join(dir, 'audit.db'), 16);
  assert.equal(chainAloneVerifies(join(dir, 'audit.db')), true, 'a cut tail passes the hash chain alone');
  const r = await verify(['--data', dir]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /TRUNCATED: entries after 15 missing; the head signed at \S+ \(local heads\) covers entry 20/);
});

test('a tampered local heads file is reported', async (t) => {
  const { dir, heads } = await replicaTrail(t, 10, 5);
  const [first, second] = heads.readAll().heads;
  rmSync(heads.file);
  heads.append({ ...first!, seq: 4 }); // moved to another entry: its signature no longer holds
  heads.append(second!);
  const r = await verify(['--data', dir]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /PROBLEM: local heads: the head at entry 4 does not verify: signature by key [0-9a-f]{16} does not match the content/);
});

test('with the local heads deleted too, the witness still shows the truncation and the rewrite', async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir, auditHeadEveryMs: 3_600_000 });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const address = reg.app.server.address() as { port: number };
  const witnessUrl = `http://127.0.0.1:${address.port}`;
  const replicaToken = await issueToken(authSecret(regDir), { role: 'checkpoint', sub: 'cp-7' });
  const auditor = await issueToken(authSecret(regDir), { role: 'auditor' });

  const { dir, heads, key } = await replicaTrail(t, 20, 5);
  const shipper = new AuditHeadShipper({ dataDir: dir, heads, keys: () => key.all(), witnessUrl, token: replicaToken, log: quiet });
  assert.equal(await shipper.ship(), 4);
  assert.equal(await shipper.ship(), 0, 'acknowledged heads are not sent again');

  deleteNewest(join(dir, 'audit.db'), 16);
  rmSync(join(dir, HEADS_FILE));
  const alone = await verify(['--data', dir]);
  assert.equal(alone.code, 0, 'without heads the cut trail looks whole: that is why heads leave the machine');
  assert.match(alone.stdout, /15 entries, chain intact; no signed heads/);

  const witnessed = await verify(['--data', dir, '--witness', witnessUrl, '--token', auditor, '--sub', 'cp-7']);
  assert.equal(witnessed.code, 1, witnessed.stdout + witnessed.stderr);
  assert.match(witnessed.stdout, /TRUNCATED: entries after 15 missing; the head signed at \S+ \(witness http:\/\/127\.0\.0\.1:\d+ \(sub cp-7\)\) covers entry 20/);

  rewriteAndRechain(join(dir, 'audit.db'), 7);
  const rewritten = await verify(['--data', dir, '--witness', witnessUrl, '--token', auditor, '--sub', 'cp-7']);
  assert.equal(rewritten.code, 1);
  assert.match(rewritten.stdout, /REWRITTEN from entry 6: entry 10 has hash/);
});

test('a replica that cannot reach its witness sends the heads it missed once it can', async (t) => {
  const { dir, heads, key } = await replicaTrail(t, 10, 5);
  const regDir = tempDir(t);
  const token = await issueToken(authSecret(regDir), { role: 'border', sub: 'cp-7' });
  const offline = new AuditHeadShipper({ dataDir: dir, heads, keys: () => key.all(), witnessUrl: 'http://127.0.0.1:9', token, log: quiet });
  assert.equal(await offline.ship(), 0);

  const reg = await createRegister({ dataDir: regDir, auditHeadEveryMs: 3_600_000 });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const witnessUrl = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const online = new AuditHeadShipper({ dataDir: dir, heads, keys: () => key.all(), witnessUrl, token, log: quiet });
  assert.equal(await online.ship(), 2);
  const operator = await issueToken(authSecret(regDir), { role: 'operator' });
  const held = await reg.app.inject({ method: 'GET', url: '/v1/audit/heads?sub=cp-7', headers: { authorization: `Bearer ${operator}` } });
  assert.deepEqual(held.json().heads.map((h: { seq: number }) => h.seq), [5, 10]);
});
