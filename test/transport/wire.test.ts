/**
 * How batches travel as JetStream messages (src/transport/nats/wire.ts) and how a bus URL is read
 * (busConfig.ts): pure functions, no NATS server needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRelief, type SignedBatch } from '../../src/exchange/protocol.js';
import { busSubjects, parseBusUrl } from '../../src/transport/nats/busConfig.js';
import { encodeBatch, parseHeartbeat, readHeaders, Reassembler } from '../../src/transport/nats/wire.js';
import { signedChain, testSigner } from '../helpers.js';

const subjects = busSubjects('T');
const decodeAll = (parts: ReturnType<typeof encodeBatch>, r = new Reassembler()) => parts.map((p) => r.add(readHeaders((n) => p.headers[n]), p.data));

test('a batch travels unchanged as one message, on the subject of its kind', () => {
  const [batch] = signedChain(testSigner(), [3]);
  const parts = encodeBatch(batch!, subjects, 1024 * 1024);
  assert.equal(parts.length, 1);
  assert.equal(parts[0]!.subject, subjects.other, 'person changes without deferments are not relief');
  assert.deepEqual(parts[0]!.headers, { 'Erx-First-Seq': '1', 'Erx-Last-Seq': '3', 'Erx-Hash': batch!.hash, 'Erx-Part': '1/1' });
  const [decoded] = decodeAll(parts);
  assert.deepEqual(decoded, { kind: 'batch', batch });
});

test('a relief batch goes to the relief subject (the priority lane)', () => {
  const [batch] = signedChain(testSigner(), [2]);
  const relief: SignedBatch = structuredClone(batch!);
  const c = relief.changes[1]!;
  assert.equal(c.entity, 'person');
  if (c.entity === 'person' && c.body) c.body.deferments = [{ category: 'student', validFrom: '2024-09-01', validTo: '2029-06-30' }];
  assert.ok(relief.changes.some(isRelief));
  assert.equal(encodeBatch(relief, subjects, 1024 * 1024)[0]!.subject, subjects.relief);
});

test('a batch above the payload limit is cut into parts and put back together exactly', () => {
  const [batch] = signedChain(testSigner(), [400]);
  const size = Buffer.byteLength(JSON.stringify(batch));
  const parts = encodeBatch(batch!, subjects, 16 * 1024);
  assert.ok(parts.length >= Math.ceil(size / (16 * 1024)), `${parts.length} parts for ${size} bytes`);
  assert.ok(parts.every((p) => p.data.length <= 16 * 1024));
  assert.equal(new Set(parts.map((p) => p.msgId)).size, parts.length, 'each part has its own message id (JetStream dedups per message)');
  const decoded = decodeAll(parts);
  assert.ok(decoded.slice(0, -1).every((d) => d.kind === 'partial'));
  assert.deepEqual(decoded.at(-1), { kind: 'batch', batch });
});

test('an abandoned first half (a publisher crashed mid-batch) is dropped when the batch comes again whole', () => {
  const [batch] = signedChain(testSigner(), [400]);
  const parts = encodeBatch(batch!, subjects, 16 * 1024);
  const r = new Reassembler();
  const decoded = decodeAll([...parts.slice(0, 2), ...parts], r);
  assert.deepEqual(decoded.filter((d) => d.kind === 'batch'), [{ kind: 'batch', batch }]);
  assert.equal(decoded.filter((d) => d.kind === 'junk').length, 0, 'the restart at part 1 is not junk');
});

test('messages that are not whole erx batches are reported as junk, never as batches', () => {
  const [a, b] = signedChain(testSigner(), [3, 400]);
  const r = new Reassembler();
  assert.equal(r.add(null, Buffer.from('{}')).kind, 'junk', 'no headers');
  const partsB = encodeBatch(b!, subjects, 16 * 1024);
  assert.equal(r.add(readHeaders((n) => partsB[1]!.headers[n]), partsB[1]!.data).kind, 'junk', 'a middle part without its start');
  const [one] = encodeBatch(a!, subjects, 1024 * 1024);
  assert.equal(r.add(readHeaders((n) => one!.headers[n]), Buffer.from('not json')).kind, 'junk');
  const lying = { ...one!.headers, 'Erx-Last-Seq': '4' };
  assert.equal(r.add(readHeaders((n) => lying[n as keyof typeof lying]), one!.data).kind, 'junk', 'headers that disagree with the body');
  assert.equal(readHeaders((n) => ({ 'Erx-First-Seq': '5', 'Erx-Last-Seq': '4', 'Erx-Hash': 'h', 'Erx-Part': '1/1' })[n]), null, 'last before first');
  assert.equal(readHeaders((n) => ({ 'Erx-First-Seq': '1', 'Erx-Last-Seq': '4', 'Erx-Hash': 'h', 'Erx-Part': '3/2' })[n]), null, 'part beyond count');
});

test('heartbeats are read strictly', () => {
  assert.deepEqual(parseHeartbeat(Buffer.from('{"publishedSeq":7,"asOf":"2026-01-01T00:00:00.000Z"}')), { publishedSeq: 7, asOf: '2026-01-01T00:00:00.000Z' });
  assert.deepEqual(parseHeartbeat(Buffer.from('{"publishedSeq":0,"asOf":null}')), { publishedSeq: 0, asOf: null });
  for (const bad of ['', 'x', '{"publishedSeq":-1,"asOf":null}', '{"publishedSeq":1.5,"asOf":null}', '{"publishedSeq":1,"asOf":"yesterday"}', '{"asOf":null}']) {
    assert.equal(parseHeartbeat(Buffer.from(bad)), null, bad);
  }
});

test('bus URLs: servers, stream, credentials, and clear errors', () => {
  const c = parseBusUrl('nats://alice:s3cret@nats1:4223,nats://nats2?stream=BORDER_1');
  assert.deepEqual(c.servers, ['nats1:4223', 'nats2:4222']);
  assert.equal(c.stream, 'BORDER_1');
  assert.equal(c.user, 'alice');
  assert.equal(c.pass, 's3cret');
  assert.ok(!c.display.includes('s3cret'), c.display);
  assert.deepEqual(c.subjects, { relief: 'erx.BORDER_1.batch.relief', other: 'erx.BORDER_1.batch.other', batches: 'erx.BORDER_1.batch.*', head: 'erx.BORDER_1.head' });
  assert.equal(parseBusUrl('nats://127.0.0.1:4222').stream, 'ERX');
  const token = parseBusUrl('nats://tok3n@127.0.0.1');
  assert.equal(token.token, 'tok3n');
  assert.ok(!token.display.includes('tok3n'));
  assert.throws(() => parseBusUrl('http://127.0.0.1:4222'), /nats:\/\//);
  assert.throws(() => parseBusUrl('nats://127.0.0.1:4222?stream=a.b'), /stream name "a\.b"/);
  assert.throws(() => parseBusUrl('nats://127.0.0.1:4222?subject=x'), /unknown bus URL parameter "subject"/);
  assert.throws(() => parseBusUrl('nats://127.0.0.1:4222/path'), /no path/);
  assert.throws(() => parseBusUrl(''), /nats:\/\//);
});
