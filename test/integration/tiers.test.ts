/**
 * Tiers: register → centre (`erx border serve --serve-feed`) → checkpoint (`--register URL-of-centre`).
 * The centre passes the register's signed snapshot and batches through unchanged, so the checkpoint
 * verifies the register's signatures two tiers away and refuses anything the centre altered.
 * (src/border/relay: R1–R3 for the archive, T1–T3 for keeping it up.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ERX_BIN, spawnService } from '../../src/cli/child.js';
import { RelayArchive } from '../../src/border/relay/archive.js';
import type { SignedBatch, SnapshotLine } from '../../src/exchange/protocol.js';
import { callUp, personLine, served, signedChain, tempDir, testSigner } from '../helpers.js';
import { caughtUp, eventually, get, known, post, startBorder, startRegister, tokenFor, trustArgs } from './processes.js';

async function startCheckpoint(t: { after(fn: () => Promise<unknown>): void }, centreUrl: string, dir: string, name = 'cp-1') {
  const token = await tokenFor(centreUrl, 'checkpoint', { sub: name });
  const svc = await spawnService(['border', 'serve', '--register', centreUrl, '--token', token, ...trustArgs(centreUrl), '--port', '0', '--data', dir], { env: { ERX_LOG_LEVEL: 'warn' } });
  t.after(() => svc.stop('SIGKILL'));
  return known(svc, dir);
}

const run = promisify(execFile);
const screen = async (url: string, traveller: Record<string, string>) => (await post(`${url}/v1/screenings`, traveller)).body.decision as string;
const ONE = { surname: 'TIROV', givenNames: 'ANTON', dateOfBirth: '1990-01-01' };
const TWO = { surname: 'DVUKHOV', givenNames: 'BORIS', dateOfBirth: '1991-02-02' };

test('register → centre → checkpoint: changes reach the checkpoint and screen; a batch altered at the centre is refused', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const p1 = await post(`${register.url}/v1/persons`, personLine({ personId: 'TI-1', surname: 'Тиров', givenNames: 'Антон', dateOfBirth: '1990-01-01', restrictions: [callUp('CU-TI-1', served)] }));
  assert.equal(p1.status, 200, JSON.stringify(p1.body));
  const p2 = await post(`${register.url}/v1/persons`, personLine({ personId: 'TI-2', surname: 'Двухов', givenNames: 'Борис', dateOfBirth: '1991-02-02' }));
  assert.equal(p2.status, 200);

  const centreDir = join(dir, 'centre');
  const centre = await startBorder(t, register.url, centreDir, ['--serve-feed']);
  await caughtUp(centre.url, register.url);
  const cpDir = join(dir, 'checkpoint');
  let cp = await startCheckpoint(t, centre.url, cpDir);
  const first = await caughtUp(cp.url, register.url);
  assert.equal(first.source, centre.url, 'the checkpoint follows the centre, not the register');
  assert.equal(await screen(cp.url, ONE), 'hit', 'bootstrapped from the register\'s snapshot as stored by the centre');

  // The checkpoint trusts the register's keys (pinned through the centre), and verifies with them.
  const registerKeys = (JSON.parse(readFileSync(join(dir, 'register', 'keys.json'), 'utf8')).keys as { keyId: string }[]).map((k) => k.keyId);
  const pinned = (JSON.parse(readFileSync(join(cpDir, 'trusted-keys.json'), 'utf8')).keys as { keyId: string }[]).map((k) => k.keyId);
  assert.deepEqual(pinned, registerKeys);

  // A lift at the register reaches the checkpoint two tiers away.
  await post(`${register.url}/v1/restrictions/CU-TI-1/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' });
  await caughtUp(cp.url, register.url);
  assert.equal(await screen(cp.url, ONE), 'clear');

  // The centre serves exactly the register's signed batches.
  const centreToken = await tokenFor(centre.url, 'checkpoint');
  const onward = (await get(`${centre.url}/v1/border/status`)).onwardFeed;
  assert.equal(onward.snapshot.asOfSeq, first.snapshotSeq, 'the checkpoint bootstrapped from the snapshot the centre stored');
  const tooOld = await fetch(`${centre.url}/v1/exchange/changes?after=0`, { headers: { authorization: `Bearer ${centreToken}` } });
  assert.equal(tooOld.status, onward.oldestSeq > 1 ? 410 : 200, 'before its snapshot the centre has nothing to give: bootstrap from it');
  const fromCentre = await get(`${centre.url}/v1/exchange/changes?after=${onward.oldestSeq - 1}&limit=5000`, centreToken);
  const fromRegister = await get(`${register.url}/v1/exchange/changes?after=${onward.oldestSeq - 1}&limit=5000`, await tokenFor(register.url, 'border'));
  assert.ok(fromCentre.batches.length >= 1, JSON.stringify(fromCentre));
  assert.deepEqual(fromCentre.batches, fromRegister.batches, 'passed through unchanged');

  // While the checkpoint is away, an impose arrives at the centre — and someone alters it there.
  await cp.stop('SIGKILL');
  const issued = await post(`${register.url}/v1/restrictions`, { personId: 'TI-2', restrictionId: 'CU-TI-2', kind: 'court-order', basis: 'Court order TI-2', office: 'CT-1', issuedAt: '2024-10-01T09:00:00Z' });
  assert.equal(issued.status, 201);
  const servedNow = await post(`${register.url}/v1/restrictions/CU-TI-2/service`, served);
  const imposeSeq = (servedNow.body.changes as number[]).at(-1)!;
  await eventually('the centre to archive the impose', async () => (await get(`${centre.url}/v1/border/status`)).onwardFeed.headSeq >= imposeSeq);
  const relay = new Database(join(centreDir, 'relay.db'));
  const row = relay.prepare('SELECT last_seq, body FROM batches WHERE last_seq >= ? ORDER BY last_seq LIMIT 1').get(imposeSeq) as { last_seq: number; body: string };
  assert.match(row.body, /Court order TI-2/);
  relay.prepare('UPDATE batches SET body = ? WHERE last_seq = ?').run(row.body.replace('Court order TI-2', 'Court order TI-2 (and every relative)'), row.last_seq);

  cp = await startCheckpoint(t, centre.url, cpDir);
  const refused = await eventually('the checkpoint to refuse the altered batch', async () => {
    const s = await get(`${cp.url}/v1/border/status`);
    return s.integrity.rejected.tampered > 0 && s;
  });
  assert.ok(refused.replicaSeq < imposeSeq, 'nothing of the altered page was applied');
  assert.match(refused.integrity.lastRejection.detail, /does not match its hash/);
  assert.equal(await screen(cp.url, TWO), 'clear', 'the impose is not applied from an altered batch');

  // Put the register's bytes back: the checkpoint applies the genuine batch.
  relay.prepare('UPDATE batches SET body = ? WHERE last_seq = ?').run(row.body, row.last_seq);
  relay.close();
  await caughtUp(cp.url, register.url);
  assert.equal(await screen(cp.url, TWO), 'hit');

  // Anti-entropy through the centre: digests and bucket snapshots are the register's, passed through.
  const db = new Database(join(cpDir, 'state.db'));
  db.prepare("DELETE FROM restrictions WHERE restriction_id = 'CU-TI-2'").run();
  db.close();
  const report = (await post(`${cp.url}/v1/border/verify`, {})).body;
  assert.equal(report.consistent, true, JSON.stringify(report));
  assert.equal(report.repaired.inserted, 1);
  assert.equal(await screen(cp.url, TWO), 'hit');
});

test('a checkpoint behind a centre that lost the register stops claiming current data', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  await post(`${register.url}/v1/persons`, personLine({ restrictions: [callUp('CU-ST-1', served)] }));
  const centre = await startBorder(t, register.url, join(dir, 'centre'), ['--serve-feed']);
  await caughtUp(centre.url, register.url);
  const cp = await startCheckpoint(t, centre.url, join(dir, 'cp'));
  await caughtUp(cp.url, register.url);
  await eventually('the checkpoint to be current', async () => (await get(`${cp.url}/v1/border/status`)).lagSeconds === 0);

  await register.stop('SIGKILL');
  const lost = Date.now();
  const stale = await eventually('the checkpoint to report its data as old as the centre\'s', async () => {
    const s = await get(`${cp.url}/v1/border/status`);
    return s.lagSeconds > 3 && s;
  }, 60_000);
  assert.ok(Date.parse(stale.dataAsOf) <= lost + 1000, `dataAsOf ${stale.dataAsOf} is not after the register was lost (${new Date(lost).toISOString()})`);
  const centreStatus = await get(`${centre.url}/v1/border/status`);
  assert.ok(centreStatus.lagSeconds > 0, 'the centre knows it is behind');
});

test('a replica switched to serving onward later fetches the register\'s snapshot, and a checkpoint bootstraps from it', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  for (let i = 0; i < 5; i++) await post(`${register.url}/v1/persons`, personLine({ restrictions: [callUp(`CU-LATE-${i}`, served)] }));
  const centreDir = join(dir, 'centre');
  let centre = await startBorder(t, register.url, centreDir);
  await caughtUp(centre.url, register.url);
  const notServing = await fetch(`${centre.url}/v1/exchange/changes?after=0`, { headers: { authorization: `Bearer ${await tokenFor(centre.url, 'checkpoint')}` } });
  assert.equal(notServing.status, 404, 'no feed without --serve-feed');
  await centre.stop();
  for (let i = 5; i < 8; i++) await post(`${register.url}/v1/persons`, personLine({ restrictions: [callUp(`CU-LATE-${i}`, served)] }));

  centre = await startBorder(t, register.url, centreDir, [], { ERX_SERVE_FEED: 'yes' });
  const status = await eventually('the centre to store a snapshot', async () => {
    const s = await get(`${centre.url}/v1/border/status`);
    return s.onwardFeed?.snapshot && s;
  });
  assert.equal(status.counters.bootstraps, 0, 'the centre itself did not bootstrap again');
  const cp = await startCheckpoint(t, centre.url, join(dir, 'cp'));
  const s = await caughtUp(cp.url, register.url);
  assert.equal(s.persons, 8);
  await post(`${register.url}/v1/persons`, personLine({ restrictions: [callUp('CU-LATE-9', served)] }));
  const after = await caughtUp(cp.url, register.url);
  assert.equal(after.persons, 9);
});

test('R1–R3: the archive is one hash chain anchored at its snapshot; a snapshot off the chain restarts it', (t) => {
  const dir = tempDir(t);
  const signer = testSigner();
  const chain = signedChain(signer, [2, 3, 1, 4]); // 1–2, 3–5, 6, 7–10
  const archive = new RelayArchive(dir);
  assert.equal(archive.last(), null, 'nothing to chain to before a snapshot');
  assert.deepEqual(archive.append(chain), { appended: 0, covered: false });

  const snapshot = (asOfSeq: number, lastHash: string): SnapshotLine[] => [
    { type: 'header', protocol: 2, asOfSeq, lastHash, registerTime: '2024-10-01T00:00:00.000Z', records: 0 },
    { type: 'end', asOfSeq, lastHash, registerTime: '2024-10-01T00:00:00.000Z', records: 0, digest: 'd', buckets: null, keyId: 'k', signature: 's' },
  ];
  const store = (lines: SnapshotLine[]) => {
    const sink = archive.beginSnapshot();
    for (const l of lines) sink.write(l);
    return archive.promote(sink);
  };
  store(snapshot(2, chain[0]!.hash));
  assert.deepEqual(archive.anchor(), { seq: 2, hash: chain[0]!.hash });
  assert.deepEqual(archive.append([chain[2]!]), { appended: 0, covered: false }, 'a batch that skips ahead is not taken');
  assert.deepEqual(archive.append(chain), { appended: 3, covered: true }, 'the batch before the anchor is skipped, the rest continue it');
  const forged: SignedBatch = { ...chain[3]!, lastSeq: 11, firstSeq: 11, prevHash: 'x' };
  assert.deepEqual(archive.append([forged]), { appended: 0, covered: false }, 'a batch naming another predecessor is not taken');
  assert.deepEqual(archive.batchesAfter(2, 4).map((b) => b.lastSeq), [5, 6], 'whole batches within the limit');
  assert.deepEqual(archive.batchesAfter(5, 1).map((b) => b.lastSeq), [6]);
  assert.deepEqual(archive.batchesAfter(6, 1).map((b) => b.lastSeq), [10], 'at least one batch, however large');
  assert.deepEqual(archive.batchesAfter(3, 100), [chain[1]!, chain[2]!, chain[3]!], 'as signed');

  // A snapshot on the chain keeps it; one off the chain (another history, a hole) restarts it.
  store(snapshot(6, chain[2]!.hash));
  assert.deepEqual(archive.anchor(), { seq: 2, hash: chain[0]!.hash });
  assert.equal(archive.last()!.seq, 10);
  assert.equal(archive.prune(new Date('2100-01-01')), 2, 'batches behind the snapshot and past the retention go');
  assert.deepEqual(archive.anchor(), { seq: 6, hash: chain[2]!.hash });
  store(snapshot(20, 'elsewhere'));
  assert.deepEqual(archive.anchor(), { seq: 20, hash: 'elsewhere' });
  assert.equal(archive.last()!.seq, 20);
  assert.deepEqual(archive.batchesAfter(0, 100), []);

  // R3: an incomplete snapshot is never promoted, and a reopened archive keeps its state.
  const half = archive.beginSnapshot();
  half.write(snapshot(30, 'y')[0]!);
  assert.throws(() => archive.promote(half), /incomplete/);
  half.abort();
  archive.close();
  const reopened = new RelayArchive(dir);
  assert.equal(reopened.snapshot()!.asOfSeq, 20);
  assert.deepEqual(reopened.anchor(), { seq: 20, hash: 'elsewhere' });
  reopened.close();
});

test('a replica image built with `erx register image` reaches a checkpoint from the centre\'s copy; the centre itself takes the snapshot it keeps', async (t) => {
  const dir = tempDir(t);
  const regDir = join(dir, 'register');
  const register = await startRegister(t, regDir);
  const p1 = await post(`${register.url}/v1/persons`, personLine({ personId: 'IM-1', surname: 'Тиров', givenNames: 'Антон', dateOfBirth: '1990-01-01', restrictions: [callUp('CU-IM-1', served)] }));
  assert.equal(p1.status, 200, JSON.stringify(p1.body));
  const built = await run(process.execPath, [ERX_BIN, 'register', 'image', '--data', regDir]);
  assert.match(built.stdout, /replica image as of \d+: 2 records/);

  const centre = await startBorder(t, register.url, join(dir, 'centre'), ['--serve-feed']);
  const c = await caughtUp(centre.url, register.url);
  assert.equal(c.counters.imageBootstraps, 0, 'the centre keeps the snapshot for its checkpoints, so it takes the snapshot');
  // Asked for the image, the centre copies the register's once (in the background) and serves it from then on.
  const checkpointToken = await tokenFor(centre.url, 'checkpoint');
  const offered = await eventually('the centre to offer the register\'s image', async () => {
    const res = await fetch(`${centre.url}/v1/exchange/image`, { headers: { authorization: `Bearer ${checkpointToken}` } });
    return res.status === 200 && ((await res.json()) as { sha256: string });
  });
  assert.equal(offered.sha256, JSON.parse(readFileSync(join(regDir, 'images', 'manifest.json'), 'utf8')).sha256, 'the register\'s manifest, unchanged');
  assert.ok(existsSync(join(dir, 'centre', 'relay-images', 'manifest.json')), 'served from the centre\'s own copy');
  const cp = await startCheckpoint(t, centre.url, join(dir, 'checkpoint'));
  await post(`${register.url}/v1/persons`, personLine({ personId: 'IM-2', surname: 'Двухов', givenNames: 'Борис', dateOfBirth: '1991-02-02', restrictions: [callUp('CU-IM-2', served)] }));
  const s = await caughtUp(cp.url, register.url);
  assert.equal(s.counters.imageBootstraps, 1, 'the checkpoint bootstrapped from the register\'s image, copied by the centre');
  assert.equal(await screen(cp.url, ONE), 'hit');
  assert.equal(await screen(cp.url, TWO), 'hit', 'and followed on from it');

  const noRegister = await run(process.execPath, [ERX_BIN, 'register', 'image', '--data', join(dir, 'nowhere')]).catch((e: { code: number; stderr: string }) => e);
  assert.equal((noRegister as { code: number }).code, 2, 'a usage error');
  assert.match((noRegister as { stderr: string }).stderr, /holds no register/);
});

