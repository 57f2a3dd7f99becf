/**
 * Replica images (exchange/image.ts): a fresh replica bootstraps from the register's prepared, signed
 * replica database when one fits, and from the snapshot whenever the image is missing, forged,
 * damaged, built for another matcher, or older than the changes the register still keeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Follower } from '../../src/border/sync/follower.js';
import { signImageManifest, verifyImageManifest } from '../../src/exchange/image.js';
import { TrustedKeys } from '../../src/exchange/keys.js';
import { ReplicaTrust } from '../../src/border/sync/trust.js';
import { BatchRejected } from '../../src/exchange/verify.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { SqliteReplicaImages as ReplicaImages } from '../../src/app/register/sqliteReplicaImages.js';
import { RelayImages } from '../../src/border/relay/relayImages.js';
import { createRegister, type RegisterProcess } from '../../src/app/registerServer.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import type { FeedClient } from '../../src/border/sync/feedClient.js';
import { HttpFeedClient } from '../../src/transport/http/httpFeedClient.js';
import { officeBodySchema } from '../../src/api/offices.js';
import { OfficeService } from '../../src/register/officeService.js';
import { callUp, exportRegisterKeys, person, served, tempDir, testSigner } from '../helpers.js';

const quiet = pino({ level: 'silent' });
type T = { after(fn: () => unknown): void };

async function register(t: T, persons = 30): Promise<RegisterProcess & { url: string; dataDir: string }> {
  const dataDir = tempDir(t);
  const reg = await createRegister({ dataDir, auth: false });
  t.after(() => reg.close());
  for (let i = 0; i < persons; i++) await reg.service.upsertPerson(person({ restrictions: [callUp(`CU-IMG-${i}`, served)] }));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(reg, { dataDir, url: `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}` });
}

function buildImage(reg: RegisterProcess & { dataDir: string }) {
  return new ReplicaImages(reg.dataDir).build(reg.store.snapshot(), reg.keys, defaultMatcher);
}

async function replica(t: T, reg: { url: string; dataDir: string }, options: { matcher?: typeof defaultMatcher; images?: boolean } = {}) {
  const dir = tempDir(t);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: options.matcher ?? defaultMatcher });
  const follower = new Follower({ store, client: new HttpFeedClient(reg.url), trust: new ReplicaTrust(dir, exportRegisterKeys(reg.dataDir)), log: quiet, longPollMs: 200, images: options.images ?? true });
  t.after(async () => {
    await follower.stop();
    await store.close();
  });
  follower.start();
  return { store, follower, dir };
}

test('a fresh replica bootstraps from the replica image, holds what a snapshot bootstrap holds, and follows on from it', async (t) => {
  const reg = await register(t);
  const office = await new OfficeService(reg.store).put('MO-Moscow-12', officeBodySchema.parse({ name: 'Military Commissariat of Moscow, district no. 12', address: 'Sadovaya St 14, Moscow, 101014', howToContest: 'Apply to the draft commission.' }));
  const manifest = await buildImage(reg);
  assert.equal(manifest.asOfSeq, await reg.store.headSeq());
  const later = person({ restrictions: [callUp('CU-IMG-LATER', served)] });
  await reg.service.upsertPerson(later);
  const head = await reg.store.headSeq();

  const fromImage = await replica(t, reg);
  await fromImage.follower.waitFor(head, 20_000);
  assert.equal(fromImage.follower.counters.imageBootstraps, 1);
  assert.equal(fromImage.follower.counters.imagesRefused, 0);
  assert.equal((await fromImage.store.state()).snapshotSeq, manifest.asOfSeq);
  assert.ok((await fromImage.store.restrictionsOf([later.personId])).some((r) => r.restrictionId === 'CU-IMG-LATER'), 'the change after the image came over the feed');
  assert.deepEqual(await fromImage.store.offices(), [office.office], 'the image carries the offices');

  const fromSnapshot = await replica(t, reg, { images: false });
  await fromSnapshot.follower.waitFor(head, 20_000);
  assert.equal(fromSnapshot.follower.counters.imageBootstraps, 0);
  assert.deepEqual(await fromImage.store.digest(), await fromSnapshot.store.digest());
  const hits = await defaultMatcher.match({ surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04' }, fromImage.store);
  assert.ok(hits.length > 0, 'the image holds the name index: a typed name finds candidates');
});

test('a damaged image file is refused, nothing of it is kept, and the replica bootstraps from the snapshot', async (t) => {
  const reg = await register(t);
  const manifest = await buildImage(reg);
  flipByte(join(reg.dataDir, 'images', `replica-${manifest.asOfSeq}.db`));

  const r = await replica(t, reg);
  await r.follower.waitFor(await reg.store.headSeq(), 20_000);
  assert.equal(r.follower.counters.imageBootstraps, 0);
  assert.equal(r.follower.counters.imagesRefused, 1);
  assert.equal(r.follower.rejected.tampered, 1);
  assert.match(r.follower.lastRejection!.detail, /sha256/);
  assert.equal(r.follower.counters.bootstraps, 1, 'then the snapshot');
  assert.equal((await r.store.state()).persons, 30);
  assert.deepEqual(readdirSync(r.dir).filter((f) => /next|packed/.test(f)), [], 'no part of the image is left beside the state');
});

test('an image manifest signed by a key the replica does not trust is refused before any byte is fetched', async (t) => {
  const reg = await register(t, 3);
  const genuine = await buildImage(reg);
  const forger = testSigner();
  const { keyId: _k, signature: _s, kind: _kind, protocol: _p, ...fields } = genuine;
  const forged = signImageManifest(fields, forger);
  assert.throws(() => verifyImageManifest(forged, new TrustedKeys(reg.keys.published())), (err: unknown) => err instanceof BatchRejected && err.reason === 'unknown-key');
  assert.throws(() => verifyImageManifest({ ...genuine, sha256: '0'.repeat(64) }, new TrustedKeys(reg.keys.published())), (err: unknown) => err instanceof BatchRejected && err.reason === 'bad-signature');
  assert.throws(() => verifyImageManifest({ ...genuine, bytes: 'many' }, new TrustedKeys(reg.keys.published())), /not well-formed/);
  assert.doesNotThrow(() => verifyImageManifest(genuine, new TrustedKeys(reg.keys.published())));
});

test('a replica running another matcher version takes the snapshot instead of an image with other name keys', async (t) => {
  const reg = await register(t, 5);
  await buildImage(reg);
  const other = { ...defaultMatcher, version: `${defaultMatcher.version}-other` };
  const r = await replica(t, reg, { matcher: other });
  await r.follower.waitFor(await reg.store.headSeq(), 20_000);
  assert.equal(r.follower.counters.imageBootstraps, 0);
  assert.equal(r.follower.counters.imagesRefused, 0, 'not refused: just not for this replica');
  assert.equal(r.follower.counters.bootstraps, 1);
});

test('an image older than the changes the register keeps is used once, then the replica re-bootstraps from the snapshot, not the image again', async (t) => {
  const reg = await register(t, 5);
  const manifest = await buildImage(reg);
  for (let i = 0; i < 5; i++) await reg.service.upsertPerson(person({ restrictions: [callUp(`CU-IMG-NEW-${i}`, served)] }));
  await reg.store.compact({ keepChanges: 1 });
  assert.ok((await reg.store.oldestSeq()) > manifest.asOfSeq + 1);
  const r = await replica(t, reg);
  await r.follower.waitFor(await reg.store.headSeq(), 20_000);
  assert.equal(r.follower.counters.imageBootstraps, 1);
  assert.equal(r.follower.counters.rebootstraps, 1);
  assert.equal(r.follower.counters.bootstraps, 2, 'the image, then the snapshot');
  assert.equal((await r.store.state()).persons, 10);
});

test('the image routes: 404 with the way out when there is none, the file only for the current image', async (t) => {
  const reg = await register(t, 2);
  const none = await fetch(`${reg.url}/v1/exchange/image`);
  assert.equal(none.status, 404);
  assert.match(((await none.json()) as { error: string }).error, /erx register image.*snapshot/);
  const manifest = await buildImage(reg);
  const got = (await (await fetch(`${reg.url}/v1/exchange/image`)).json()) as { asOfSeq: number; sha256: string };
  assert.equal(got.sha256, manifest.sha256);
  const file = await fetch(`${reg.url}/v1/exchange/image/${manifest.asOfSeq}`);
  assert.equal(file.status, 200);
  assert.equal(Number(file.headers.get('content-length')), manifest.bytes);
  assert.equal((await file.arrayBuffer()).byteLength, manifest.bytes);
  assert.equal((await fetch(`${reg.url}/v1/exchange/image/${manifest.asOfSeq - 1}`)).status, 404);
  const bad = await fetch(`${reg.url}/v1/exchange/image/minus-one`);
  assert.equal(bad.status, 400);
});

test('one image build at a time: a running build is not disturbed, a lock left by a dead process is taken over', async (t) => {
  const reg = await register(t, 2);
  mkdirSync(join(reg.dataDir, 'images'), { recursive: true });
  const lock = join(reg.dataDir, 'images', 'build.lock');
  writeFileSync(lock, String(process.pid));
  await assert.rejects(buildImage(reg), /another replica image is being built \(process \d+\)/);
  assert.equal(new ReplicaImages(reg.dataDir).current(), null);
  writeFileSync(lock, '999999999');
  const manifest = await buildImage(reg);
  assert.equal(new ReplicaImages(reg.dataDir).current()?.sha256, manifest.sha256);
  assert.equal(existsSync(lock), false, 'the lock goes with the build');
});

test('an image cut short in transit is refused and the replica bootstraps from the snapshot', async (t) => {
  const reg = await register(t, 10);
  const manifest = await buildImage(reg);
  truncateSync(join(reg.dataDir, 'images', `replica-${manifest.asOfSeq}.db`), Math.floor(manifest.bytes / 3));
  const r = await replica(t, reg);
  await r.follower.waitFor(await reg.store.headSeq(), 20_000);
  assert.equal(r.follower.counters.imagesRefused, 1);
  assert.equal(r.follower.counters.imageBootstraps, 0);
  assert.equal((await r.store.state()).persons, 10);
});

test('an image download that stalls is given up after the idle time, and the replica bootstraps from the snapshot', async (t) => {
  const reg = await register(t, 4);
  await buildImage(reg);
  const http = new HttpFeedClient(reg.url);
  // A feed whose image sends its first bytes and then nothing: a connection that hangs in transit.
  const stalling: FeedClient = Object.assign(Object.create(http) as HttpFeedClient, {
    async *imageFile(asOfSeq: number, signal?: AbortSignal) {
      for await (const chunk of http.imageFile(asOfSeq, signal)) {
        yield chunk.subarray(0, 100);
        break;
      }
      await new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
  });
  const dir = tempDir(t);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const follower = new Follower({ store, client: stalling, trust: new ReplicaTrust(dir, exportRegisterKeys(reg.dataDir)), log: quiet, longPollMs: 200, imageIdleMs: 300 });
  t.after(async () => {
    await follower.stop();
    await store.close();
  });
  follower.start();
  await follower.waitFor(await reg.store.headSeq(), 20_000);
  assert.equal(follower.counters.imagesRefused, 1);
  assert.equal(follower.counters.imageBootstraps, 0);
  assert.equal((await store.state()).persons, 4);
});

test('a relay copies the register\'s image once, checked as a replica checks it, and never serves a damaged one', async (t) => {
  const reg = await register(t, 3);
  const first = await buildImage(reg);
  flipByte(join(reg.dataDir, 'images', `replica-${first.asOfSeq}.db`));
  const dir = tempDir(t);
  const trust = new ReplicaTrust(dir, exportRegisterKeys(reg.dataDir));
  const relay = new RelayImages({ dataDir: dir, upstream: new HttpFeedClient(reg.url), trust, log: quiet, checkEveryMs: 0 });
  assert.equal(await relay.manifest(), null, 'nothing held yet: followers take the snapshot meanwhile');
  await relay.copying;
  assert.equal(await relay.manifest(), null, 'the damaged image was not kept');
  await relay.copying;
  await reg.service.upsertPerson(person());
  const second = await buildImage(reg);
  await relay.manifest();
  await relay.copying;
  const held = await relay.manifest();
  assert.equal(held?.sha256, second.sha256);
  assert.equal(held?.signature, second.signature, 'the register\'s manifest, unchanged');
  const file = await relay.file(second.asOfSeq);
  assert.equal(file?.bytes, second.bytes);
  file?.stream.destroy();
});

function flipByte(file: string): void {
  const fd = openSync(file, 'r+');
  const at = Math.floor(statSync(file).size / 2);
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, at);
  byte[0] = byte[0]! ^ 0xff;
  writeSync(fd, byte, 0, 1, at);
  closeSync(fd);
}
