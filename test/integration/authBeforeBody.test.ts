/**
 * A refused request costs the register a header check, never a body: a 30 MB POST /v1/import without
 * a token is answered 401 while the client is still sending, and twenty of them at once leave the
 * register's memory flat (before, each body was read and parsed as JSON before its 401: twenty pushed
 * a register past 1 GB). A real register process, raw sockets, and its peak RSS from /proc.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { personLine, tempDir } from '../helpers.js';
import { post, startRegister, tokenFor } from './processes.js';

const BODY_BYTES = 30 * 1024 * 1024;

/** A valid import body of exactly `bytes` bytes: persons, then spaces (JSON allows them) before the end. */
function importBody(bytes: number): Buffer {
  const people: string[] = [];
  let size = '{"persons":['.length + ']}'.length;
  while (size < bytes - 1024) {
    const p = JSON.stringify(personLine());
    people.push(p);
    size += Buffer.byteLength(p) + 1;
  }
  const json = `{"persons":[${people.join(',')}]}`;
  return Buffer.concat([Buffer.from(json.slice(0, -2)), Buffer.alloc(bytes - Buffer.byteLength(json), ' '), Buffer.from(']}')]);
}

interface Outcome {
  status: number;
  /** Body bytes the client had handed to its socket when the first byte of the answer arrived. */
  sentBeforeAnswer: number;
}

let cached: Buffer | null = null;
const thirtyMegabytes = () => (cached ??= importBody(BODY_BYTES));

/** POSTs `body` over a raw socket, in slices and respecting backpressure; stops sending once answered. */
function send(url: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let sent = 0;
    let answered: Outcome | null = null;
    let response = '';
    socket.on('data', (d: Buffer) => {
      response += d.toString('latin1');
      if (!answered) {
        const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
        if (m) answered = { status: Number(m[1]), sentBeforeAnswer: sent };
      }
    });
    const done = () => (answered ? resolve(answered) : reject(new Error(`no answer after sending ${sent} bytes: ${response.slice(0, 200)}`)));
    socket.on('error', () => {}); // the server closing while we send: EPIPE / ECONNRESET, expected
    socket.on('close', done);
    socket.on('connect', async () => {
      const head = [`POST ${path} HTTP/1.1`, `host: ${hostname}:${port}`, 'content-type: application/json', `content-length: ${body.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      socket.write(head);
      const slice = 64 * 1024;
      for (let at = 0; at < body.length && !answered && !socket.destroyed; at += slice) {
        const ok = socket.write(body.subarray(at, at + slice), (err) => {
          if (!err) sent += Math.min(slice, body.length - at);
        });
        if (!ok) await new Promise<void>((r) => (socket.once('drain', r), socket.once('close', r)));
      }
      if (answered) socket.destroy();
      else socket.end();
    });
  });
}

/** Peak resident memory of a process, in MiB (VmHWM), Linux. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmHWM in /proc status');
  return Number(m[1]) / 1024;
}

test('a 30 MB import without a token is answered 401 while the client is still sending', async (t) => {
  const register = await startRegister(t, tempDir(t));
  const body = thirtyMegabytes();
  const outcome = await send(register.url, '/v1/import', body);
  assert.equal(outcome.status, 401);
  assert.ok(outcome.sentBeforeAnswer < BODY_BYTES / 2, `the 401 came after ${outcome.sentBeforeAnswer} of ${BODY_BYTES} bytes were sent: the body was read first`);
  // With a token of a role the route does not admit: 403, also before the body.
  const forbidden = await send(register.url, '/v1/import', body, { authorization: `Bearer ${await tokenFor(register.url, 'auditor')}` });
  assert.equal(forbidden.status, 403);
  assert.ok(forbidden.sentBeforeAnswer < BODY_BYTES / 2, `the 403 came after ${forbidden.sentBeforeAnswer} bytes`);
  // The register still serves, and an operator's import of ordinary size still works.
  const ok = await post(`${register.url}/v1/import`, { persons: [personLine()] });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.results[0].ok, true);
});

test('twenty 30 MB imports without a token at once leave the register’s memory flat', async (t) => {
  if (!existsSync('/proc/self/status')) {
    if (process.env.CI === 'true') assert.fail('needs /proc (Linux) to read the register’s peak memory');
    t.skip('needs /proc (Linux) to read the register’s peak memory');
    return;
  }
  const register = await startRegister(t, tempDir(t));
  const pid = register.child.pid!;
  await post(`${register.url}/v1/import`, { persons: [personLine()] }); // warm: the import route's code loaded
  const before = peakRssMiB(pid);
  const body = thirtyMegabytes();
  const outcomes = await Promise.all(Array.from({ length: 20 }, () => send(register.url, '/v1/import', body)));
  assert.deepEqual(new Set(outcomes.map((o) => o.status)), new Set([401]));
  const after = peakRssMiB(pid);
  console.log(`register peak RSS ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after twenty unauthenticated 30 MB imports`);
  assert.ok(after - before < 64, `peak RSS grew by ${(after - before).toFixed(0)} MiB (from ${before.toFixed(0)} to ${after.toFixed(0)})`);
});
