import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedBetweenWrites } from '../../src/store/cachedBetweenWrites.js';

test('values are read once between writes, and read anew after every write (sync or async, even a failed one)', async () => {
  const cache = new CachedBetweenWrites();
  let stored = 1;
  let reads = 0;
  const read = () => cache.read('v', () => (reads++, stored));
  assert.equal(await read(), 1);
  assert.equal(await read(), 1);
  assert.equal(reads, 1);
  cache.write(() => (stored = 2));
  assert.equal(await read(), 2);
  await cache.write(async () => (stored = 3));
  assert.equal(await read(), 3);
  assert.throws(() => cache.write(() => {
    stored = 4;
    throw new Error('rolled back, or not');
  }));
  assert.equal(await read(), 4, 'a failed write drops the value too');
  await assert.rejects(cache.write(async () => {
    stored = 5;
    throw new Error('no');
  }));
  assert.equal(await read(), 5);
  assert.equal(reads, 5);
});

test('a read that overlaps a write is answered but not kept', async () => {
  const cache = new CachedBetweenWrites();
  let stored = 'before';
  let release!: () => void;
  const slowRead = cache.read('v', async () => {
    const seen = stored;
    await new Promise<void>((r) => (release = r));
    return seen;
  });
  await cache.write(async () => (stored = 'after'));
  release();
  assert.equal(await slowRead, 'before', 'the overlapping read answers what it saw');
  assert.equal(await cache.read('v', () => stored), 'after', 'but it was not kept');

  let finishWrite!: () => void;
  const writing = cache.write(() => new Promise<void>((r) => (finishWrite = r)).then(() => void (stored = 'committed')));
  assert.equal(await cache.read('v', () => stored), 'after', 'a read during a write sees the old data…');
  finishWrite();
  await writing;
  assert.equal(await cache.read('v', () => stored), 'committed', '…and is not kept past the write');
});
