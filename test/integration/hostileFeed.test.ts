/**
 * A replica behind a feed that lies: a proxy between register and replica rewrites pages (tampering,
 * stripping signatures, reordering, replaying already-applied sequence numbers with another body).
 * Nothing of a bad page may be applied; each is counted by its reason; when the proxy turns honest,
 * the replica catches up by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { batchHash } from '../../src/exchange/protocol.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { caughtUp, eventually, get, post, startBorder, startRegister } from './processes.js';

type Mode = 'honest' | 'hold' | 'tamper' | 'unsign' | 'reorder' | 'replay';

function lyingProxy(target: string, state: { mode: Mode; replay?: unknown }): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const upstream = await fetch(target + req.url, { headers: { accept: 'application/json', authorization: req.headers.authorization ?? '' } }).catch(() => null);
    if (!upstream) {
      res.writeHead(502).end();
      return;
    }
    if (!req.url!.startsWith('/v1/exchange/changes') || !upstream.ok) {
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    const page = (await upstream.json()) as any;
    if (state.mode === 'hold') {
      page.batches = [];
      page.registerSeq = page.after;
    } else if (page.batches.length > 0) {
      if (state.mode === 'tamper') page.batches[0].changes[0].body.surname = 'Подделкин';
      if (state.mode === 'unsign') for (const b of page.batches) delete b.signature;
      if (state.mode === 'reorder') page.batches.reverse();
      if (state.mode === 'replay') page.batches = [state.replay, ...page.batches];
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(page));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

test('tampered, unsigned, reordered and replayed pages are refused whole and counted by reason; honest pages then apply', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  const state: { mode: Mode; replay?: unknown } = { mode: 'honest' };
  const proxy = await lyingProxy(R, state);
  t.after(() => proxy.server.close());
  await post(`${R}/v1/persons`, personLine({ personId: 'H-1', restrictions: [callUp('CU-H1', served)] }));
  const border = await startBorder(t, proxy.url, join(dir, 'border'), [], {}, R);
  await caughtUp(border.url, R);
  await post(`${R}/v1/persons`, personLine({ personId: 'H-2' }));
  await caughtUp(border.url, R);

  // A replay: the already-applied first batch again, validly signed with the register's own key (as a
  // compromised or buggy register could), but with another body.
  const applied = (await get(`${R}/v1/exchange/changes?after=0`)).batches[0];
  const forged = { ...applied, changes: [{ ...applied.changes[0], body: { ...applied.changes[0].body, surname: 'Подделкин' } }, ...applied.changes.slice(1)] };
  forged.hash = batchHash(forged);
  const stored = JSON.parse(readFileSync(join(dir, 'register', 'keys.json'), 'utf8')).keys[0];
  forged.signature = sign(null, Buffer.from(forged.hash), createPrivateKey({ key: Buffer.from(stored.privateKey, 'base64'), format: 'der', type: 'pkcs8' })).toString('base64');
  state.replay = forged;

  const expected = { tamper: 'tampered', unsign: 'unsigned', reorder: 'gap', replay: 'replayed' } as const;
  for (const mode of ['tamper', 'unsign', 'reorder', 'replay'] as const) {
    state.mode = 'hold';
    const before = await get(`${border.url}/v1/border/status`);
    await post(`${R}/v1/persons`, personLine({ personId: `H-${mode}`, restrictions: [callUp(`CU-${mode}`, served)] }));
    await post(`${R}/v1/persons`, personLine({ personId: `H2-${mode}` }));
    state.mode = mode;
    const after = await eventually(`a ${mode} page to be refused`, async () => {
      const s = await get(`${border.url}/v1/border/status`);
      return total(s.integrity.rejected) > total(before.integrity.rejected) ? s : undefined;
    });
    assert.equal(after.replicaSeq, before.replicaSeq, `${mode}: nothing of the page was applied`);
    assert.equal(after.integrity.rejected[expected[mode]], before.integrity.rejected[expected[mode]] + 1, `${mode} counted as ${expected[mode]}: ${JSON.stringify(after.integrity.rejected)}`);
    assert.equal(after.integrity.lastRejection.reason, expected[mode]);
    state.mode = 'honest';
    await caughtUp(border.url, R);
  }
  const final = await get(`${border.url}/v1/border/status`);
  assert.equal(final.replicaSeq, final.registerSeq);
  const screening = (await post(`${border.url}/v1/screenings`, { surname: 'PODDELKIN', givenNames: 'IURII', dateOfBirth: '1999-03-04' })).body;
  assert.equal(screening.decision, 'clear', 'no forged name ever reached the replica');
});
