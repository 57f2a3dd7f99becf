/**
 * The web console end to end, in a real browser (Debian's Chromium via playwright-core) against a
 * register and a border replica started as processes on ephemeral ports with a small register:
 *   the officer screens the showcase MRZ → HIT; the operator finds that person and lifts the
 *   restriction; the officer screens again → CLEAR within seconds; a bad check digit names itself;
 *   the self-check shows a person's status; the operations pages show the replica and the charts;
 *   an import reports its bad lines. Screenshots of every page go to test-output/console/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { SHOWCASE } from '../../src/demo/showcase.js';
import { generatePersons } from '../../src/demo/synthetic.js';
import { tempDir } from '../helpers.js';
import { caughtUp, freePort, post, startBorder, startRegister, tokenFor } from '../integration/processes.js';
import { checkAccessible, launch, newPage, screenshot, skipReason } from './browser.js';

const { restricted, toLift } = SHOWCASE;
const MRZ = td3({
  surname: restricted.surname,
  givenNames: restricted.givenNames,
  documentNumber: restricted.documents[0]!.number,
  country: 'RUS',
  dateOfBirth: restricted.dateOfBirth,
  sex: 'M',
  expires: '2031-05-01',
});
/** The same zone with the document number's check digit (line 2, character 10) made wrong. */
const BAD_MRZ = (() => {
  const [l1, l2] = MRZ.split('\n') as [string, string];
  const wrong = String((Number(l2[9]) + 1) % 10);
  return `${l1}\n${l2.slice(0, 9)}${wrong}${l2.slice(10)}`;
})();

async function screenOnce(page: Page): Promise<string> {
  const answered = page.waitForResponse((r) => r.url().endsWith('/v1/screenings') && r.request().method() === 'POST');
  await page.locator('#mrz').focus();
  await page.keyboard.press('Control+Enter');
  const res = await answered;
  if (res.status() !== 200) return `http ${res.status()}`;
  return ((await res.json()) as { decision: string }).decision;
}

test('web console: screen (hit), lift, screen (clear), bad MRZ, self-check, operations, import', { timeout: 300_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  const browser: Browser = await launch();
  t.after(() => browser.close());
  const dir = tempDir(t, 'erx-console-');
  // The register's console reads the replica's status at the address it is configured with (--console-peer).
  const borderPort = await freePort();
  const register = await startRegister(t, join(dir, 'register'), 0, ['--console-peer', `http://127.0.0.1:${borderPort}`]);
  const R = register.url;
  const persons = [...Object.values(SHOWCASE), ...generatePersons({ count: 300, seed: 11 })];
  const loaded = await post(`${R}/v1/import`, { persons });
  assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
  assert.ok(
    (loaded.body.results as { ok: boolean }[]).every((r) => r.ok),
    JSON.stringify((loaded.body.results as { ok: boolean }[]).filter((r) => !r.ok).slice(0, 3)),
  );
  const border = await startBorder(t, R, join(dir, 'border'), ['--port', String(borderPort)]);
  const B = border.url;
  await caughtUp(B, R, 60_000);

  const operator = await tokenFor(R, 'operator', { sub: 'console-operator' });
  const checkpoint = await tokenFor(B, 'checkpoint', { sub: 'console-checkpoint' });
  const auditor = await tokenFor(B, 'auditor', { sub: 'console-auditor' });

  const problems: string[] = [];
  const officer = await newPage(browser, problems);
  const desk = await newPage(browser, problems);
  const a11y = async (page: Page, name: string) => assert.deepEqual(await checkAccessible(page), [], `accessibility basics on ${name}`);

  await t.test('the officer screens the showcase MRZ and sees HIT with its reasons', async () => {
    await officer.goto(`${B}/console/officer#token=${checkpoint}&token=${auditor}&peer=${encodeURIComponent(R)}&peerToken=${operator}`);
    await officer.locator('#mrz:focus').waitFor();
    assert.equal(new URL(officer.url()).hash, '', 'the tokens are taken out of the address bar');
    // As a scanner types it: line, Enter (the zone is not complete: a new line), line, Enter (complete: screens).
    const [l1, l2] = MRZ.split('\n') as [string, string];
    const answered = officer.waitForResponse((r) => r.url().endsWith('/v1/screenings') && r.request().method() === 'POST');
    await officer.keyboard.type(l1);
    await officer.keyboard.press('Enter');
    await officer.keyboard.type(l2);
    await officer.keyboard.press('Enter');
    assert.equal((await answered).status(), 200);
    const banner = officer.locator('[data-decision]');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-decision'), 'hit');
    const result = await officer.locator('.result').innerText();
    for (const expected of ['HIT', 'CU-2024-77', 'Call-up notice 77/2024', 'MO-Moscow-12', 'in force — counts', 'Replica data as of']) {
      assert.ok(result.includes(expected), `the answer shows “${expected}”:\n${result}`);
    }
    await officer.locator('#recent-heading').waitFor();
    await officer.getByRole('cell', { name: 'HIT', exact: true }).first().waitFor();
    await a11y(officer, 'officer');
    await screenshot(officer, '1-officer-hit');
  });

  await t.test('the operator finds the person and lifts the restriction', async () => {
    await desk.goto(`${R}/console/persons#token=${operator}&peer=${encodeURIComponent(B)}`);
    await desk.locator('#person-q:focus').waitFor();
    await desk.keyboard.type(restricted.documents[0]!.number);
    await desk.keyboard.press('Enter');
    const row = desk.locator('tr[data-restriction="CU-2024-77"]');
    await row.waitFor();
    assert.match(await desk.locator('#person-heading').innerText(), /Иванов Юрий Сергеевич/);
    assert.match(await row.innerText(), /in force/);
    await desk.locator('#history-heading').waitFor();
    await desk.locator('table.history').waitFor();
    await row.getByRole('button', { name: 'Lift' }).click();
    await desk.locator('#lift-CU-2024-77-at:focus').waitFor();
    await desk.getByLabel('Cancelled by the issuing office or a court').check();
    await desk.getByRole('button', { name: 'Continue' }).click();
    await desk.getByRole('button', { name: 'Yes, lift CU-2024-77' }).click();
    const status = desk.locator('.note-ok[role="status"]');
    await status.waitFor();
    assert.match(await status.innerText(), /Lifted CU-2024-77/);
    await desk.locator('tr[data-restriction="CU-2024-77"] .badge-lifted').waitFor();
    await desk.getByRole('cell', { name: 'restriction lift' }).first().waitFor();
    await a11y(desk, 'persons');
    await screenshot(desk, '2-operator-lifted');
  });

  await t.test('the officer screens again and sees CLEAR within seconds', async () => {
    const started = Date.now();
    let decision = '';
    while (Date.now() - started < 20_000) {
      decision = await screenOnce(officer);
      if (decision === 'clear') break;
      await officer.waitForTimeout(250);
    }
    assert.equal(decision, 'clear', 'the lift reached the border');
    assert.ok(Date.now() - started < 20_000);
    await officer.locator('[data-decision="clear"]').waitFor();
    assert.match(await officer.locator('.result').innerText(), /CU-2024-77[\s\S]*lifted — does not count/);
    await screenshot(officer, '3-officer-clear');
  });

  await t.test('a bad MRZ names the failing check digit', async () => {
    await officer.locator('#mrz').fill(BAD_MRZ);
    assert.match(await screenOnce(officer), /http 400/);
    const alert = officer.locator('#screen-error[role="alert"]');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /check digit/i);
    assert.match(text, /line 2/);
    assert.equal(await officer.locator('#mrz').getAttribute('aria-invalid'), 'true');
    assert.equal(await officer.locator('.mrz-marked mark').count(), 1, 'the failing character is marked');
    assert.equal(await officer.locator('[data-decision]').count(), 0, 'no decision is shown for a zone that did not read');
    await screenshot(officer, '4-officer-bad-mrz');
  });

  await t.test('a category-wide rule shows as its own reason, with its version and scope checks', async () => {
    const rule = { ruleId: 'R-CONSOLE', title: 'Men aged 18 to 60 may not leave', scope: { nationalities: ['RUS'], sex: 'M', ageFrom: 18, ageTo: 60 }, basis: 'Decree 647, art. 3', authority: 'Government', validFrom: '2020-01-01', exemptCategories: ['health'] };
    assert.equal((await post(`${R}/v1/rules`, rule)).status, 201);
    await caughtUp(B, R, 30_000);
    await officer.locator('#mrz').fill(MRZ);
    assert.equal(await screenOnce(officer), 'hit', 'the restriction was lifted, but the traveller is in scope of the rule');
    const card = officer.locator('[aria-label="Rule R-CONSOLE"]');
    await card.waitFor();
    const text = await card.innerText();
    for (const expected of ['category-wide rule, version 1', 'in scope — counts', 'Decree 647, art. 3', 'Government', 'nationality', 'age']) {
      assert.ok(text.includes(expected), `the rule card shows “${expected}”`);
    }
    await screenshot(officer, '4b-officer-rule');
    // Revoked again, so the rest of the flow sees the list alone.
    assert.equal((await post(`${R}/v1/rules/R-CONSOLE/revoke`, { revokedAt: new Date().toISOString() })).status, 200);
    await caughtUp(B, R, 30_000);
    assert.equal(await screenOnce(officer), 'clear');
  });

  await t.test('the self-check shows a person their own status', async () => {
    const person = await newPage(browser, problems);
    await person.goto(`${B}/console/self-check`);
    assert.equal(await person.locator('.tokens').count(), 0, 'no token panel for the public');
    await person.getByLabel('Passport number').fill(toLift.documents[0]!.number);
    const [year, month, day] = toLift.dateOfBirth.split('-') as [string, string, string];
    await person.getByLabel('Day', { exact: true }).fill(day);
    await person.getByLabel('Month', { exact: true }).fill(month);
    await person.getByLabel('Year', { exact: true }).fill(year);
    await person.keyboard.press('Enter');
    const banner = person.locator('[data-restricted]');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-restricted'), 'true');
    const text = await person.locator('main').innerText();
    for (const expected of ['An exit restriction applies to you', 'Court order 2-1234/2025', 'CT-Moscow-Tverskoy', 'How to contest']) {
      assert.ok(text.includes(expected), `the self-check shows “${expected}”`);
    }
    await a11y(person, 'self-check');
    await screenshot(person, '5-self-check');
  });

  await t.test('the operations pages show the replica, its integrity and the charts', async () => {
    await officer.goto(`${B}/console/operations`);
    await officer.locator('.health-ok').waitFor();
    await officer.locator('canvas#per-minute').waitFor();
    await officer.locator('#per-minute-caption', { hasText: /[1-9]\d* in all/ }).waitFor();
    assert.match(await officer.locator('main').innerText(), /none \(every batch verified/);
    await a11y(officer, 'border operations');
    await screenshot(officer, '6-border-operations');

    await desk.goto(`${R}/console/operations`);
    const row = desk.locator('table.followers tbody tr').first();
    await row.waitFor();
    assert.match(await row.innerText(), /border/);
    await desk.locator('.health-ok').waitFor(); // the replica's own status, read across origins
    await a11y(desk, 'register operations');
    await screenshot(desk, '7-register-operations');
  });

  await t.test('an import shows progress and lists its bad lines', async () => {
    await desk.goto(`${R}/console/import`);
    const good = { personId: 'R-CONSOLE-1', surname: 'Петров', givenNames: 'Пётр', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: '700000011', country: 'RUS' }] };
    const lines = [JSON.stringify(good), '{"personId": "R-CONSOLE-2", oops', JSON.stringify({ personId: 'R-CONSOLE-3', givenNames: 'Иван', dateOfBirth: '1990-01-01' })];
    await desk.locator('#import-file').setInputFiles({ name: 'persons.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n') + '\n') });
    await desk.getByRole('button', { name: 'Import', exact: true }).click();
    await desk.getByRole('heading', { name: 'Import finished' }).waitFor();
    assert.match(await desk.getByTestId('import-counts').innerText(), /100 % .* 3 lines · 1 loaded · 2 with errors/);
    const errors = await desk.locator('table.import-errors tbody tr').allInnerTexts();
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /^2\s[\s\S]*not valid JSON/);
    assert.match(errors[1]!, /^3\s[\s\S]*surname/);
    await a11y(desk, 'import');
    await screenshot(desk, '8-import');
  });

  await t.test('the landing pages link both sides', async () => {
    await desk.goto(`${R}/`);
    await desk.getByRole('heading', { name: 'Register console' }).waitFor();
    const toBorder = await desk.getByRole('link', { name: 'Border replica console →' }).getAttribute('href');
    assert.ok(toBorder?.startsWith(`${B}/console/officer#`), toBorder ?? 'no link');
    await screenshot(desk, '9-register-home');
  });

  assert.deepEqual(problems, [], 'no script errors in the pages');
  assert.ok(existsSync(join(WEB_ROOT, 'index.html')));
});
