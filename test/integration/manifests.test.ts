/**
 * Carriers' manifests across real processes (a register and a border replica of two workers, so a
 * manifest may be screened by a reader and re-screened by the writer): a carrier screens a
 * JSON and a PAXLST manifest with `erx manifest`; one traveller is do-not-board; the register lifts the
 * restriction; both manifests' answers become board before departure; the carrier's webhook is down, so
 * the signed change waits in the outbox — the replica is killed and restarted, and the delivery arrives
 * (signed, verifiable) from the restarted process. The CLI's errors for bad files are checked too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ERX_BIN } from '../../src/cli/child.js';
import { verifyDelivery } from '../../src/border/manifests/webhookSignature.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { paxlstOf } from '../manifests/paxlstFixture.js';
import { caughtUp, eventually, get, post, startBorder, startRegister, tokenFor } from './processes.js';

const run = promisify(execFile);

test('manifests end to end: CLI (JSON and PAXLST), a lift reaching the carrier, a pending webhook surviving a replica restart', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  const ivanov = personLine({ personId: 'R-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }] });
  assert.equal((await post(`${R}/v1/persons`, ivanov)).status, 200);
  assert.equal((await post(`${R}/v1/restrictions`, { personId: 'R-1', ...callUp('CU-77') })).status, 201);
  assert.equal((await post(`${R}/v1/restrictions/CU-77/service`, served)).status, 200);

  const borderDir = join(dir, 'border');
  let border = await startBorder(t, R, borderDir, [], {}, R, 2);
  await caughtUp(border.url, R);
  const token = await tokenFor(border.url, 'carrier', { carrier: 'SU' });

  // The carrier's webhook: down (503) until the test says otherwise.
  let up = false;
  const received: { headers: IncomingHttpHeaders; body: string; answered: number }[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body, answered: up ? 200 : 503 });
      res.statusCode = up ? 200 : 503;
      res.end();
    });
  }).listen(0, '127.0.0.1');
  await once(hook, 'listening');
  t.after(() => new Promise((r) => hook.close(r)));
  const put = await fetch(`${border.url}/v1/carriers/webhook`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/erx` }) });
  assert.equal(put.status, 200);
  const { secret } = (await put.json()) as { secret: string };

  const departureAt = new Date(Date.now() + 6 * 3600_000).toISOString();
  const manifest = {
    carrier: 'SU',
    service: 'SU2130',
    departureAt,
    from: 'SVO',
    to: 'IST',
    travellers: [
      { surname: 'SMITH', givenNames: 'ANNA', dateOfBirth: '1990-01-01', documentNumber: 'GB1234567', nationality: 'GBR' },
      { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04', sex: 'M' as const, documentNumber: '751234567', nationality: 'RUS' },
    ],
  };
  const jsonFile = join(dir, 'su2130.json');
  const ediFile = join(dir, 'su2130.edi');
  writeFileSync(jsonFile, JSON.stringify(manifest));
  writeFileSync(ediFile, paxlstOf(manifest));

  const [jsonRun, ediRun] = await Promise.all([
    run(process.execPath, [ERX_BIN, 'manifest', jsonFile, '--border', border.url, '--token', token, '--json']),
    run(process.execPath, [ERX_BIN, 'manifest', ediFile, '--border', border.url, '--token', token]),
  ]);
  const fromJson = JSON.parse(jsonRun.stdout);
  assert.deepEqual(fromJson.travellers.map((x: { answer: string }) => x.answer), ['board', 'do-not-board']);
  const table = ediRun.stdout;
  assert.match(table, /^#\s+surname\s+given names\s+born\s+document\s+answer$/m);
  assert.match(table, /^2\s+IVANOV\s+IURII\s+1999-03-04\s+751234567\s+do-not-board$/m);
  assert.match(table, /2 travellers: 1 board, 0 check at the border, 1 do not board/);
  const ediId = /^manifest (\S+) \(version 1\)/.exec(table)![1]!;

  // Bad files: explained by the CLI, exit code 2, nothing sent.
  const badEdi = join(dir, 'bad.edi');
  writeFileSync(badEdi, paxlstOf(manifest).replace('PAXLST:D:05B', 'CUSCAR:D:05B'));
  const notJson = join(dir, 'notes.txt');
  writeFileSync(notJson, 'surname,givenNames\n');
  const failing = (file: string) => run(process.execPath, [ERX_BIN, 'manifest', file, '--border', border.url, '--token', token]).then(() => assert.fail(`${file} accepted`), (e: { code: number; stderr: string }) => e);
  const [edi, text, missing] = await Promise.all([failing(badEdi), failing(notJson), failing(join(dir, 'missing.json'))]);
  assert.equal(edi.code, 2);
  assert.match(edi.stderr, /bad\.edi: segment 2 \(UNH\): the message type is "CUSCAR", not PAXLST/);
  assert.match(text.stderr, /notes\.txt: neither JSON \(.*\) nor a PAXLST message/);
  assert.match(missing.stderr, /cannot read .*missing\.json: no such file/);

  // The register lifts: both manifests turn to board, as the border's own screening does.
  assert.equal((await post(`${R}/v1/restrictions/CU-77/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' })).status, 200);
  for (const id of [fromJson.manifestId as string, ediId]) {
    const now = await eventually(`manifest ${id} to change`, async () => {
      const m = await get(`${border.url}/v1/manifests/${id}?since=1`, token);
      return m.version === 2 ? m : undefined;
    });
    assert.deepEqual(now.travellers.map((x: { answer: string }) => x.answer), ['board', 'board']);
    assert.deepEqual(now.changes.map((c: { position: number; from: string; to: string }) => [c.position, c.from, c.to]), [[2, 'do-not-board', 'board']]);
  }
  // The webhook was tried and refused; the deliveries wait in the outbox. Kill the replica mid-retry.
  await eventually('a refused delivery attempt', async () => received.some((r) => r.answered === 503));
  await border.stop('SIGKILL');
  const refusedBefore = received.length;
  up = true;

  border = await startBorder(t, R, borderDir, [], {}, R, 2);
  const delivered = await eventually('both deliveries from the restarted replica', async () => {
    const ok = received.filter((r) => r.answered === 200);
    return new Set(ok.map((r) => JSON.parse(r.body).manifestId)).size === 2 ? ok : undefined;
  }, 30_000);
  assert.ok(refusedBefore >= 1);
  for (const r of delivered) {
    assert.ok(verifyDelivery(secret, r.headers['x-erx-timestamp'] as string, r.body, r.headers['x-erx-signature'] as string), 'signed with the carrier secret');
    const body = JSON.parse(r.body);
    assert.equal(body.version, 2);
    assert.deepEqual(body.changes.map((c: { position: number; to: string }) => [c.position, c.to]), [[2, 'board']]);
    assert.ok(!r.body.includes('CU-77'), 'nothing about the restriction');
  }
  // The manifest itself survived the restart.
  assert.equal((await get(`${border.url}/v1/manifests/${ediId}`, token)).version, 2);
});
