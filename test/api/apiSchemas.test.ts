/**
 * src/api: the HTTP API's schemas, imported by both servers, the OpenAPI document and the web console.
 * These tests hold it to being a leaf the browser can import (zod and src/domain only, nothing with
 * I/O), and hold the servers to their declared answers: what they send parses with the schema, the
 * OpenAPI document shows it, and a declared answer is sent as the handler made it (never filtered).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { personWithRestrictionsSchema, personHistoryAnswer, personSearchAnswer } from '../../src/api/persons.js';
import { restrictionWriteAnswer } from '../../src/api/restrictions.js';
import { consoleConfigAnswer } from '../../src/api/consoleConfig.js';
import { followersAnswer } from '../../src/api/followers.js';
import { registerStatusAnswer } from '../../src/api/status.js';
import { createRegister } from '../../src/app/registerServer.js';
import { createServer } from '../../src/shared/http.js';
import { route } from '../../src/auth/route.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s(?:[^'"]*?from\s+)?'([^']+)'/gm)].map((m) => m[1]!);

test('src/api is a leaf the browser can import: zod, its own files and src/domain only — and src/domain imports no I/O', () => {
  const apiDir = join(repo, 'src/api');
  const files = readdirSync(apiDir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10, `src/api holds the API's schemas (found ${files.join(', ')})`);
  const seen = new Set<string>();
  const queue = files.map((f) => join(apiDir, f));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file)) {
      const where = `${file.slice(repo.length + 1)} imports ${spec}`;
      if (spec === 'zod') continue;
      assert.ok(spec.startsWith('.'), `${where}: only zod may come from a package (no node:, no I/O)`);
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      assert.ok(target.startsWith(join(repo, 'src/api') + '/') || target.startsWith(join(repo, 'src/domain') + '/'), `${where}: src/api may import src/domain only`);
      queue.push(target);
    }
  }
});

test("the register's answers parse with the schemas src/api declares for them, and its OpenAPI document shows them", async (t) => {
  const reg = await createRegister({ dataDir: tempDir(t), auth: false });
  t.after(() => reg.close());
  const app = reg.app;
  const p = personLine();
  assert.equal((await app.inject({ method: 'POST', url: '/v1/persons', payload: { ...p, restrictions: [callUp('CU-1')] } })).statusCode, 200);
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json();
  };
  const person = personWithRestrictionsSchema.parse(await get(`/v1/persons/${p.personId}`));
  assert.equal(person.restrictions[0]?.restrictionId, 'CU-1');
  const servedNow = await app.inject({ method: 'POST', url: '/v1/restrictions/CU-1/service', payload: served });
  assert.equal(restrictionWriteAnswer.parse(servedNow.json()).restriction.serviceChannel, 'portal');
  assert.ok(personSearchAnswer.parse(await get(`/v1/persons?q=${encodeURIComponent(String(p.surname))}`)).persons.some((f) => f.personId === p.personId));
  assert.ok(personHistoryAnswer.parse(await get(`/v1/persons/${p.personId}/history`)).entries.length >= 2);
  registerStatusAnswer.parse(await get('/v1/register/status'));
  followersAnswer.parse(await get('/v1/exchange/followers'));
  assert.equal(consoleConfigAnswer.parse(await get('/v1/console/config')).role, 'register');

  const doc = await get('/openapi.json');
  const answer = doc.paths['/v1/persons/{id}'].get.responses['200'];
  assert.ok(answer.content['application/json'].schema.properties.restrictions, 'the declared answer is in the OpenAPI document');
  assert.ok(doc.paths['/v1/register/status'].get.responses['200'].content['application/json'].schema.properties.registerSeq);
});

test('a declared answer is sent as the handler made it: the schema documents it, it never filters it', async (t) => {
  const app = await createServer({ name: 'test' });
  t.after(() => app.close());
  const made = { declared: 'yes', extra: { kept: true } };
  route(app, { secret: null }, { method: 'GET', url: '/answer', summary: 'An answer with more than it declares', tags: [], access: 'public', response: z.object({ declared: z.string() }) }, async () => made);
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/answer' });
  assert.deepEqual(res.json(), made);
});
