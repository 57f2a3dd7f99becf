/** app/border/borderOptions.ts: option combinations a replica refuses before it opens anything. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type BorderOptions, refuseConflictingOptions } from '../../src/app/border/borderOptions.js';

const base: BorderOptions = { dataDir: '/nonexistent', registerUrl: 'http://127.0.0.1:8080' };

test('options: a plain replica, a tier with its own stream, a pinned CA over HTTPS are accepted', () => {
  refuseConflictingOptions(base);
  refuseConflictingOptions({ ...base, serveFeed: true, bus: 'nats://127.0.0.1:4222', publishBus: 'nats://127.0.0.1:4222?stream=CENTRE' });
  refuseConflictingOptions({ ...base, registerUrl: 'https://register.example:8443', ca: 'PEM' });
});

test('options: publishing onward needs serving the feed onward', () => {
  assert.throws(() => refuseConflictingOptions({ ...base, publishBus: 'nats://127.0.0.1:4222?stream=CENTRE' }), /--publish-bus\) needs --serve-feed/);
});

test('options: the onward stream may not be the stream followed', () => {
  assert.throws(() => refuseConflictingOptions({ ...base, serveFeed: true, bus: 'nats://127.0.0.1:4222', publishBus: 'nats://127.0.0.1:4222' }), /names the stream this replica follows \(--bus, stream ERX\)/);
});

test('options: a pinned CA needs an https feed', () => {
  assert.throws(() => refuseConflictingOptions({ ...base, ca: 'PEM' }), /--register must be an https:\/\/ URL, not http:\/\/127\.0\.0\.1:8080/);
});
