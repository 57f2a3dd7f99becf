/**
 * Both servers close connections that never finish their request: a half-open one (connected, sends
 * nothing) and a slow-trickle one (a header byte a second) are closed within the headers bound
 * (HTTP_TIMEOUTS.headersMs + its check interval); before, Node's defaults let them live a minute or
 * more. A long-poll that waits longer than that bound is still answered: timeouts bound how long a
 * request takes to *arrive*, not how long its answer takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { HTTP_TIMEOUTS } from '../../src/shared/http.js';
import { exportRegisterKeys, tempDir } from '../helpers.js';

const BOUND_MS = HTTP_TIMEOUTS.headersMs + HTTP_TIMEOUTS.checkEveryMs + 2_000;

async function portOf(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

/** Milliseconds until the server closes a connection that sends `trickle` one byte a second (nothing if empty). */
function closedAfter(port: number, trickle: string, giveUpMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let at = 0;
    const timer = setInterval(() => {
      if (at < trickle.length && socket.writable) socket.write(trickle[at++]!);
    }, 1_000);
    const give = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('error', () => {});
    socket.on('data', () => {}); // Node answers 408 before closing
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(give);
      resolve(Date.now() - started);
    });
  });
}

test('half-open and slow-trickle connections are closed on both servers; a long-poll longer than the bound is answered', async (t) => {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  const border = await createBorderReplica({ dataDir: tempDir(t), registerUrl: 'http://127.0.0.1:9', trustFile: exportRegisterKeys(tempDir(t)) });
  t.after(() => border.close());
  const [regPort, borderPort] = [await portOf(reg.app), await portOf(border.app)];
  const trickle = 'GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ' + 'a'.repeat(100);
  const giveUp = BOUND_MS + 20_000;
  const token = await issueToken(authSecret(regDir), { role: 'border' });
  const longPoll = (async () => {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${regPort}/v1/exchange/changes?after=0&wait=${HTTP_TIMEOUTS.headersMs + 2_000}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { batches: unknown[] }, ms: Date.now() - started };
  })();
  const [regIdle, regSlow, borderIdle, borderSlow, poll] = await Promise.all([
    closedAfter(regPort, '', giveUp),
    closedAfter(regPort, trickle, giveUp),
    closedAfter(borderPort, '', giveUp),
    closedAfter(borderPort, trickle, giveUp),
    longPoll,
  ]);
  for (const [what, ms] of [['register half-open', regIdle], ['register trickle', regSlow], ['border half-open', borderIdle], ['border trickle', borderSlow]] as const) {
    assert.ok(ms < BOUND_MS, `${what}: closed after ${ms} ms, bound ${BOUND_MS} ms`);
  }
  assert.equal(poll.status, 200);
  assert.deepEqual(poll.body.batches, []);
  assert.ok(poll.ms >= HTTP_TIMEOUTS.headersMs + 1_500, `the long-poll waited its ${HTTP_TIMEOUTS.headersMs + 2_000} ms (${poll.ms} ms)`);
});

test('the idle bound lets a 30 s long-poll through', () => {
  assert.ok(HTTP_TIMEOUTS.idleMs > 30_000 + 5_000);
  assert.ok(HTTP_TIMEOUTS.requestMs >= 60_000, 'a 16 MiB import body has a minute to arrive');
});
