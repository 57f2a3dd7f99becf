/**
 * The border console's manifest page in Chromium: a carrier uploads a PAXLST file and a JSON file and
 * sees each traveller's answer in order (and nothing about restrictions); a bad file is explained,
 * naming the segment; an officer looks the manifest up and sees the restriction behind do-not-board.
 * In a Russian browser the same page speaks Russian, dates included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { callUp, personLine, served, tempDir } from '../helpers.js';
import { caughtUp, post, startBorder, startRegister, tokenFor } from '../integration/processes.js';
import { paxlstOf } from '../manifests/paxlstFixture.js';
import { checkAccessible, launch, newPage, screenshot, skipReason } from './browser.js';

test('manifest page: a carrier uploads PAXLST and JSON, an officer sees the reasons', { timeout: 300_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  const browser: Browser = await launch();
  t.after(() => browser.close());
  const dir = tempDir(t, 'erx-manifest-page-');
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  await post(`${R}/v1/persons`, personLine({ personId: 'R-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }] }));
  await post(`${R}/v1/restrictions`, { personId: 'R-1', ...callUp('CU-PAGE-1') });
  await post(`${R}/v1/restrictions/CU-PAGE-1/service`, served);
  const border = await startBorder(t, R, join(dir, 'border'));
  const B = border.url;
  await caughtUp(B, R, 60_000);
  const carrier = await tokenFor(B, 'carrier', { carrier: 'SU' });
  const checkpoint = await tokenFor(B, 'checkpoint', { sub: 'gate-7' });

  const manifest = {
    carrier: 'SU',
    service: 'SU2130',
    departureAt: new Date(Date.now() + 86_400_000).toISOString(),
    from: 'SVO',
    to: 'IST',
    travellers: [
      { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04', documentNumber: '751234567', nationality: 'RUS' },
      { surname: 'SMITH', givenNames: 'ANNA', dateOfBirth: '1990-01-01', documentNumber: 'GB1234567', nationality: 'GBR' },
    ],
  };
  const edi = join(dir, 'su2130.edi');
  const json = join(dir, 'su2130.json');
  const bad = join(dir, 'bad.edi');
  writeFileSync(edi, paxlstOf(manifest));
  writeFileSync(json, JSON.stringify(manifest));
  writeFileSync(bad, paxlstOf(manifest).replace('DOC+P:110:111+751234567', 'DOC+P:110:111'));

  const problems: string[] = [];
  const page = await newPage(browser, problems);
  await page.goto(`${B}/console/manifests#token=${carrier}&token=${checkpoint}`);
  await page.getByRole('heading', { level: 1, name: 'Manifests' }).waitFor();

  const rows = page.locator('tr[data-answer]');
  for (const file of [edi, json]) {
    await page.locator('#manifest-file').setInputFiles(file);
    await page.getByRole('button', { name: 'Screen the manifest' }).click();
    await page.locator('[data-manifest-id]').waitFor();
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-answer'))), ['do-not-board', 'board'], file);
    assert.match((await rows.first().innerText()).replace(/\s+/g, ' '), /IVANOV IURII 4 March 1999 751234567 Do not board/);
    const text = await page.locator('main').innerText();
    assert.ok(!text.includes('CU-PAGE-1') && !text.includes('MO-Moscow-12'), 'the carrier sees nothing about the restriction');
  }
  await screenshot(page, 'manifest-carrier');
  assert.deepEqual(await checkAccessible(page), []);
  const manifestId = (await page.locator('[data-manifest-id]').innerText()).trim();

  await page.locator('#manifest-file').setInputFiles(bad);
  await page.getByRole('button', { name: 'Screen the manifest' }).click();
  const error = page.locator('#manifest-error');
  await error.waitFor();
  assert.match(await error.innerText(), /segment \d+ \(DOC\): DOC has no document number/);

  await page.locator('#manifest-id').fill(manifestId);
  await page.getByRole('button', { name: 'Show the reasons' }).click();
  const first = page.locator('tr[data-position="1"]');
  await first.waitFor();
  assert.match(await first.innerText(), /restriction CU-PAGE-1 \(call-up notice, MO-Moscow-12\): in force — counts/);
  await screenshot(page, 'manifest-officer');

  const russian = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU', timezoneId: 'Europe/Moscow' })).newPage();
  russian.on('pageerror', (err) => problems.push(`page error on ${russian.url()}: ${err.message}`));
  await russian.goto(`${B}/console/manifests#token=${carrier}&token=${checkpoint}`);
  await russian.getByRole('heading', { level: 1, name: 'Списки пассажиров' }).waitFor();
  await russian.locator('#manifest-file').setInputFiles(json);
  await russian.getByRole('button', { name: 'Проверить список' }).click();
  await russian.locator('[data-manifest-id]').waitFor();
  assert.match((await russian.locator('tr[data-answer]').first().innerText()).replace(/\s+/g, ' '), /IVANOV IURII 4 марта 1999 г\. 751234567 Посадка запрещена/);
  assert.match((await russian.locator('main').innerText()).replace(/\s+/g, ' '), /2 пассажира: посадка — 1, проверка на границе — 0, посадка запрещена — 1\./);
  await russian.locator('#manifest-id').fill(manifestId);
  await russian.getByRole('button', { name: 'Показать причины' }).click();
  assert.match(await russian.locator('tr[data-position="1"]').innerText(), /ограничение CU-PAGE-1 \(повестка, MO-Moscow-12\): действует — учитывается/);
  assert.deepEqual(problems, []);
});
