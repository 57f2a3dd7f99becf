import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ERX_BIN } from '../../src/cli/child.js';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { caughtUp, eventually, get, post, startBorder, startRegister, tokenFor } from './processes.js';

const run = promisify(execFile);

for (const workers of [1, 2]) test(`register → exchange → border: impose (hit), lift (clear), across two processes (replica with ${workers} worker${workers > 1 ? 's' : ''})`, async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  const ivanov = personLine({ personId: 'R-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }] });
  assert.equal((await post(`${R}/v1/persons`, ivanov)).status, 200);
  assert.equal((await post(`${R}/v1/persons`, personLine({ personId: 'R-2', surname: 'Петров', givenNames: 'Пётр' }))).status, 200);

  const border = await startBorder(t, R, join(dir, 'border'), [], {}, R, workers);
  const B = border.url;
  await caughtUp(B, R);
  const traveller = { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04' };
  assert.equal((await post(`${B}/v1/screenings`, traveller)).body.decision, 'clear', 'no restriction yet');

  // Impose while the replica is following: issue, then serve.
  assert.equal((await post(`${R}/v1/restrictions`, { personId: 'R-1', ...callUp('CU-2024-77') })).status, 201);
  assert.equal((await post(`${R}/v1/restrictions/CU-2024-77/service`, served)).status, 200);
  const hit = await eventually('hit', async () => {
    const r = (await post(`${B}/v1/screenings`, traveller)).body;
    return r.decision === 'hit' ? r : undefined;
  });
  assert.equal(hit.reasons[0].restrictionId, 'CU-2024-77');
  assert.equal(hit.reasons[0].personId, 'R-1');
  assert.equal(hit.reasons[0].office, 'MO-Moscow-12');
  assert.deepEqual(hit.reasons[0].matchedOn, ['name', 'dateOfBirth']);
  assert.ok(hit.screeningId);
  assert.ok(hit.dataAsOf);

  // By document, and by a passport MRZ.
  const byDoc = (await post(`${B}/v1/screenings`, { documentNumber: '751234567', nationality: 'RUS' })).body;
  assert.equal(byDoc.decision, 'hit');
  assert.ok(byDoc.reasons[0].matchedOn.includes('documentNumber'));
  const mrz = td3({ surname: 'Иванов', givenNames: 'Юрий', documentNumber: '751234567', country: 'RUS', dateOfBirth: '1999-03-04', sex: 'M', expires: '2031-01-01' });
  assert.equal((await post(`${B}/v1/screenings`, { mrz })).body.decision, 'hit');

  // Lift: the border turns clear, and says why.
  const liftedAt = new Date().toISOString();
  assert.equal((await post(`${R}/v1/restrictions/CU-2024-77/lift`, { liftedAt, liftReason: 'cancellation' })).status, 200);
  const clear = await eventually('clear after lift', async () => {
    const r = (await post(`${B}/v1/screenings`, traveller)).body;
    return r.decision === 'clear' ? r : undefined;
  }, 5000);
  assert.equal(clear.reasons[0].status, 'lifted');

  const status = await get(`${B}/v1/border/status`);
  assert.equal(status.replicaSeq, status.registerSeq);
  assert.equal(status.lagSeconds, 0);
  const audit = (await get(`${B}/v1/screenings?limit=100`)).screenings;
  assert.ok(audit.length >= 5, 'every screening is audited');
  assert.ok(audit.some((a: { decision: string }) => a.decision === 'hit'));
});

test('screening input errors name the field; a bad MRZ check digit is named', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const border = await startBorder(t, register.url, join(dir, 'border'));
  await caughtUp(border.url, register.url);
  const B = border.url;
  const bad = await post(`${B}/v1/screenings`, { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-02-30' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, 'dateOfBirth');
  const empty = await post(`${B}/v1/screenings`, {});
  assert.equal(empty.status, 400);
  const mrz = td3({ surname: 'Иванов', givenNames: 'Юрий', documentNumber: '751234567', country: 'RUS', dateOfBirth: '1999-03-04', sex: 'M', expires: '2031-01-01' });
  const lines = mrz.split('\n');
  const broken = lines[0] + '\n' + lines[1]!.slice(0, 9) + ((Number(lines[1]![9]) + 1) % 10) + lines[1]!.slice(10);
  const res = await post(`${B}/v1/screenings`, { mrz: broken });
  assert.equal(res.status, 400);
  assert.match(res.body.error, /Document number check digit/);
  assert.equal(res.body.field, 'mrz.documentNumberCheckDigit');
  const garbage = await post(`${B}/v1/screenings`, { mrz: 'hello' });
  assert.equal(garbage.status, 400);
  assert.equal(garbage.body.field, 'mrz');
});

test('erx register import: bad lines reported with their numbers, good lines load; erx screen prints the decision', async (t) => {
  const dir = tempDir(t);
  const register = await startRegister(t, join(dir, 'register'));
  const file = join(dir, 'people.jsonl');
  writeFileSync(
    file,
    [
      JSON.stringify(personLine({ personId: 'I-1', restrictions: [callUp('CU-I1', served)] })),
      '{"personId": "I-2", "surname": ',
      JSON.stringify(personLine({ personId: 'I-3', dateOfBirth: '1999-13-01' })),
      JSON.stringify(personLine({ personId: 'I-4', surname: 'Сидоров', givenNames: 'Семён', dateOfBirth: '1990-05-05' })),
      JSON.stringify({ ...personLine({ personId: 'I-5' }), surname: undefined }),
      // A foreign national: the register holds the name in Latin letters.
      JSON.stringify(personLine({ personId: 'I-6', surname: 'Smith', givenNames: 'John', dateOfBirth: '1970-04-04', restrictions: [callUp('CU-I6', served)] })),
    ].join('\n') + '\n',
  );
  const operator = await tokenFor(register.url);
  const failed = await run(process.execPath, [ERX_BIN, 'register', 'import', file, '--register', register.url, '--token', operator]).catch((e) => e);
  assert.equal(failed.code, 1, 'exit code says some lines failed');
  assert.match(failed.stderr, /line 2: not valid JSON/);
  assert.match(failed.stderr, /line 3: dateOfBirth: month 13 does not exist/);
  assert.match(failed.stderr, /line 5: surname: is required/);
  assert.match(failed.stdout, /imported 3 of 6 lines .*; 3 bad lines/);
  assert.equal((await get(`${register.url}/v1/persons/I-4`)).surname, 'Сидоров');

  const again = await run(process.execPath, [ERX_BIN, 'register', 'import', file, '--register', register.url], { env: { ...process.env, ERX_TOKEN: operator } }).catch((e) => e);
  assert.match(again.stdout, /imported 3 of 6 lines .*\(0 changes/, 'importing the same file twice changes nothing');

  const border = await startBorder(t, register.url, join(dir, 'border'));
  await caughtUp(border.url, register.url);
  const checkpoint = await tokenFor(border.url, 'checkpoint', { sub: 'test-checkpoint' });
  const child = execFile(process.execPath, [ERX_BIN, 'screen', '--border', border.url, '--token', checkpoint]);
  child.stdin!.end(JSON.stringify({ surname: 'SIDOROV', givenNames: 'SEMEN', dateOfBirth: '1990-05-05' }));
  const out = await new Promise<string>((resolve) => {
    let s = '';
    child.stdout!.on('data', (d) => (s += d));
    child.on('close', () => resolve(s));
  });
  assert.equal(JSON.parse(out).decision, 'clear');
  const hit = await run(process.execPath, [ERX_BIN, 'screen', '--border', border.url, '--token', checkpoint, '--mrz', td3({ surname: 'Иванов', givenNames: 'Юрий', documentNumber: '700000001', country: 'RUS', dateOfBirth: '1999-03-04', sex: 'M', expires: '2031-01-01' })]);
  assert.equal(JSON.parse(hit.stdout).decision, 'hit', 'I-1 is Иванов Юрий 1999-03-04 with a served call-up');
  const foreign = await post(`${border.url}/v1/screenings`, { surname: 'SMITH', givenNames: 'JOHN', dateOfBirth: '1970-04-04' }, checkpoint);
  assert.equal(foreign.body.decision, 'hit', 'a name held in Latin letters is found by name and date');
  assert.deepEqual(foreign.body.reasons.map((r: { restrictionId: string }) => r.restrictionId), ['CU-I6']);
});
