/**
 * The public statistics page in a real browser, without any token: the totals, the table by kind and
 * office with small counts withheld ("fewer than 10"), and no request refused for want of a token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { createRegister } from '../../src/app/registerServer.js';
import { callUp, person, tempDir } from '../helpers.js';
import { checkAccessible, launch, newPage, screenshot, skipReason } from './browser.js';

test('web console: the statistics page opens without a token and withholds counts under 10', { timeout: 120_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  const reg = await createRegister({ dataDir: tempDir(t) });
  t.after(() => reg.close());
  const servedNow = { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'in-person' };
  // 12 call-ups in force at one office (published), 3 court orders at another (withheld).
  await reg.service.upsertPerson(person({ personId: 'P-ST1', restrictions: Array.from({ length: 12 }, (_, i) => callUp(`R-ST${i}`, servedNow)) }));
  await reg.service.upsertPerson(person({ personId: 'P-ST2', restrictions: Array.from({ length: 3 }, (_, i) => callUp(`R-CO${i}`, { ...servedNow, kind: 'court-order', office: 'CT-Kazan-1' })) }));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const R = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;

  const browser = await launch();
  t.after(() => browser.close());
  const problems: string[] = [];
  const page = await newPage(browser, problems);
  const refused: string[] = [];
  page.on('response', (res) => [401, 403].includes(res.status()) && refused.push(res.url()));
  await page.goto(`${R}/console/statistics`);
  await page.locator('[data-testid="totals"]').waitFor();
  await page.locator('details.chart-table summary').click();
  const table = await page.locator('details.chart-table table').innerText();
  assert.match(table, /call-up\s+MO-Moscow-12\s+12\s+fewer than 10\s+fewer than 10/);
  assert.match(table, /court-order\s+CT-Kazan-1\s+fewer than 10/);
  const byKind = await page.locator('[data-testid="by-kind"]').innerText();
  assert.match(byKind, /call-up\s+12/);
  // The grand total would reveal the 3 court orders: withheld.
  assert.match(await page.locator('[data-testid="totals"]').innerText(), /Imposed \(came into force\)\s+fewer than 10/);
  assert.ok(!(await page.content()).includes('>3<'), 'the withheld count appears nowhere');
  assert.deepEqual(refused, []);
  assert.deepEqual(await checkAccessible(page), []);
  await screenshot(page, 'statistics');
  assert.deepEqual(problems, []);
});
