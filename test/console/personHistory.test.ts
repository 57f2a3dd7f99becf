/**
 * The person page's history in a real browser (Chromium, as console.test.ts): after an operator
 * renames a person and changes their deferments, the history shows each change before → after, the
 * earlier values the register kept, and who granted each deferment on what basis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { createRegister } from '../../src/app/registerServer.js';
import { tempDir } from '../helpers.js';
import { checkAccessible, launch, newPage, screenshot, skipReason } from './browser.js';

test('web console: a person’s history shows identity and relief changes before → after, and the earlier values', { timeout: 120_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  const dir = tempDir(t);
  const reg = await createRegister({ dataDir: dir });
  t.after(() => reg.close());
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const R = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const operator = await issueToken(authSecret(dir), { role: 'operator', sub: 'ana' });
  const post = async (payload: object) => (await reg.app.inject({ method: 'POST', url: '/v1/persons', headers: { authorization: `Bearer ${operator}` }, payload })).statusCode;
  const person = { personId: 'H-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }] };
  assert.equal(await post(person), 200);
  const deferment = { category: 'student', validFrom: '2025-09-01', validTo: '2029-06-30', grantedBy: 'MO-Kazan-3', basis: 'Decision 12/2025 of the draft board' };
  assert.equal(await post({ ...person, surname: 'Петров', deferments: [deferment] }), 200);

  const browser = await launch();
  t.after(() => browser.close());
  const problems: string[] = [];
  const page = await newPage(browser, problems);
  await page.goto(`${R}/console/persons?id=H-1#token=${operator}`);
  await page.locator('table.history').first().waitFor();
  const changes = await page.locator('table.history .changes').first().innerText();
  assert.match(changes, /surname:\s*Иванов\s*→\s*Петров/);
  assert.match(changes, /deferments:\s*\(none\)\s*→\s*student deferment 2025-09-01 to 2029-06-30, granted by MO-Kazan-3 \(Decision 12\/2025 of the draft board\)/);
  const versions = await page.locator('table.versions').innerText();
  assert.match(versions, /1\s.*operator:ana\s+Иванов Юрий/s);
  const deferments = await page.locator('section[aria-labelledby="deferments-heading"]').innerText();
  assert.match(deferments, /MO-Kazan-3/);
  assert.match(deferments, /Decision 12\/2025 of the draft board/);
  assert.deepEqual(await checkAccessible(page), []);
  await screenshot(page, 'person-history');
  assert.deepEqual(problems, []);
});
