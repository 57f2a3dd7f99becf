/**
 * What holds on every console page, tried in Debian's Chromium as people would, at desktop (1280×720)
 * and phone (390×844) sizes, against a register and a border replica started as processes:
 *   - languages: a browser set to Russian or Ukrainian gets the self-check and the officer's screen in
 *     that language (`<html lang>` too, dates in words of that language); the switch changes the
 *     language and is remembered after a reload;
 *   - import errors are listed in line order (a bad-JSON line found while reading and a line the
 *     register refused come out sorted), in words, and download as a JSON Lines file of the rejected
 *     lines with their reasons;
 *   - the operations pages show no personal data: a named traveller is screened, then neither
 *     operations page shows their name, document number or date of birth;
 *   - axe-core, injected into each page in its interesting states, finds no serious or critical
 *     accessibility violation.
 * Screenshots go to test-output/console/<page>/ (the test prints each folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { SHOWCASE } from '../../src/demo/showcase.js';
import { generatePersons } from '../../src/demo/synthetic.js';
import { tempDir } from '../helpers.js';
import { caughtUp, freePort, post, startBorder, startRegister, tokenFor } from '../integration/processes.js';
import { checkOwnStatus, launch, OUTPUT_DIR, skipReason } from './browser.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SIZES = { desktop: { width: 1280, height: 720 }, phone: { width: 390, height: 844 } } as const;
type Size = keyof typeof SIZES;

const { restricted } = SHOWCASE;
const HIT_MRZ = td3({
  surname: 'IVANOV',
  givenNames: 'IURII',
  documentNumber: restricted.documents[0]!.number,
  country: 'RUS',
  dateOfBirth: restricted.dateOfBirth,
  sex: 'M',
  expires: '2031-05-01',
});

const shotFolders = new Set<string>();
async function shot(page: Page, folder: string, name: string, fullPage = false) {
  const dir = join(OUTPUT_DIR, folder);
  mkdirSync(dir, { recursive: true });
  if (!shotFolders.has(dir)) {
    shotFolders.add(dir);
    process.stdout.write(`# screenshots: ${dir}\n`);
  }
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage });
}

/** axe-core's serious and critical violations on the page as it is now, one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))`)) as {
    id: string;
    impact: string | null;
    help: string;
    nodes: string[];
  }[];
  const lesser = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (lesser.length > 0) process.stdout.write(`# axe, lesser findings on ${page.url()}: ${lesser.map((v) => `${v.impact} ${v.id}`).join(', ')}\n`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.join(', ')}`);
}

test('console, every page: languages, import errors, no personal data on operations, accessibility', { timeout: 600_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  const browser: Browser = await launch();
  t.after(() => browser.close());
  const dir = tempDir(t, 'erx-webwide-');
  const borderPort = await freePort();
  const register = await startRegister(t, join(dir, 'register'), 0, ['--console-peer', `http://127.0.0.1:${borderPort}`]);
  const R = register.url;
  const loaded = await post(`${R}/v1/import`, { persons: [...Object.values(SHOWCASE), ...generatePersons({ count: 50, seed: 23 })] });
  assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
  const border = await startBorder(t, R, join(dir, 'border'), ['--port', String(borderPort)]);
  const B = border.url;
  await caughtUp(B, R, 60_000);
  const operator = await tokenFor(R, 'operator', { sub: 'web-operator' });
  const checkpoint = await tokenFor(B, 'checkpoint', { sub: 'checkpoint-7' });
  const auditor = await tokenFor(B, 'auditor', { sub: 'web-auditor' });

  const problems: string[] = [];
  async function open(url: string, size: Size, locale = 'en-GB', timezoneId = 'UTC'): Promise<Page> {
    // bypassCSP: the pages allow no inline script (csp.ts), and axe-core is injected as one; the CSP itself is tested in server.test.ts.
    const context = await browser.newContext({ viewport: SIZES[size], locale, timezoneId, bypassCSP: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console error on ${page.url()}: ${m.text()}`);
    });
    await page.goto(url);
    await page.locator('h1').first().waitFor();
    return page;
  }
  async function screenHit(page: Page) {
    await page.locator('#mrz').fill(HIT_MRZ);
    await page.locator('#mrz').press('Control+Enter');
    await page.locator('[data-decision="hit"]').waitFor();
  }

  /** Every serious or critical axe finding, by page and state; asserted empty at the end. */
  const inaccessible: string[] = [];
  async function axe(page: Page, what: string) {
    for (const v of await axeViolations(page)) inaccessible.push(`${what}: ${v}`);
  }

  await t.test('a Russian browser gets the self-check in Russian, errors included', async () => {
    const page = await open(`${B}/console/self-check`, 'phone', 'ru-RU', 'Europe/Moscow');
    assert.equal(await page.locator('h1').innerText(), 'Проверьте, действует ли в отношении вас ограничение на выезд');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    assert.equal(await page.getByLabel('Язык').inputValue(), 'ru', 'the switch shows the language in use');
    await page.getByRole('button', { name: 'Проверить', exact: true }).click();
    const summary = page.getByTestId('error-summary');
    await summary.waitFor();
    assert.match(await summary.innerText(), /Есть ошибки[\s\S]*Введите номер паспорта[\s\S]*Введите дату рождения/);
    assert.match(await page.title(), /^Ошибка: /);
    await shot(page, 'self-check', 'ru-errors-390x844', true);
    await checkOwnStatus(page, { document: restricted.documents[0]!.number, day: '4', month: '3', year: '1999' }, 'ru');
    await page.locator('[data-restricted="true"]').waitFor();
    // The restricted answer's words are the offices helper's component; its dates already follow the language.
    assert.match(await page.locator('[data-restricted="true"]').innerText(), /4 марта 1999/);
    await shot(page, 'self-check', 'ru-restricted-390x844', true);
    await page.context().close();
  });

  await t.test('a Ukrainian browser gets the officer’s screen in Ukrainian, the decision with its Latin code', async () => {
    const page = await open(`${B}/console/officer#token=${checkpoint}`, 'desktop', 'uk-UA', 'Europe/Kyiv');
    assert.equal(await page.locator('h1').innerText(), 'Перевірити мандрівника');
    assert.equal(await page.locator('html').getAttribute('lang'), 'uk');
    await screenHit(page);
    const banner = page.locator('[data-decision="hit"]');
    assert.match(await banner.innerText(), /ЗБІГ \(HIT\)[\s\S]*Не пропускати/);
    assert.match(await page.getByTestId('decision-about').innerText(), /Кому IVANOV IURII · документ 751234567 · дата народження 4 березня 1999/);
    const text = await page.locator('main').innerText();
    assert.match(text, /Правова підстава/);
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:/, 'no raw ISO timestamps');
    await shot(page, 'officer', 'uk-hit-1280x720');
    await page.context().close();
  });

  await t.test('a Russian operator gets the persons page in Russian', async () => {
    const page = await open(`${R}/console/persons#token=${operator}`, 'desktop', 'ru-RU', 'Europe/Moscow');
    assert.equal(await page.locator('h1').innerText(), 'Лица');
    await page.getByLabel('Найти лицо').fill(restricted.documents[0]!.number);
    await page.getByLabel('Найти лицо').press('Enter');
    const row = page.locator('tr[data-restriction="CU-2024-77"]');
    await row.waitFor();
    assert.match(await row.innerText(), /действует/);
    assert.match(await page.locator('article.person').innerText(), /Дата рождения\s+4 марта 1999/);
    await shot(page, 'persons', 'ru-person-1280x720');
    await page.context().close();
  });

  await t.test('the switch changes the language and is remembered', async () => {
    const page = await open(`${B}/console/self-check`, 'desktop', 'en-GB');
    assert.equal(await page.locator('h1').innerText(), 'Check if an exit restriction applies to you');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByLabel('Language').selectOption('uk');
    await page.getByRole('heading', { level: 1, name: 'Перевірте, чи діє щодо вас обмеження на виїзд' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'uk');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Перевірте, чи діє щодо вас обмеження на виїзд' }).waitFor();
    await page.getByLabel('Мова').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Check if an exit restriction applies to you' }).waitFor();
    await page.context().close();
  });

  await t.test('import errors: in line order, in words, downloadable with the rejected lines', async () => {
    const person = (id: string, extra: object = {}) => ({ personId: id, surname: 'Петров', givenNames: 'Пётр', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: `70000${id.slice(-4)}`, country: 'RUS' }], ...extra });
    const lines = [
      JSON.stringify(person('W-IMP-0001')),
      JSON.stringify({ personId: 'W-IMP-0002', givenNames: 'Иван', dateOfBirth: '1990-01-01' }), // refused by the register: no surname
      '{"personId": "W-IMP-0003", oops', // not JSON: found while reading, before line 2's answer
      JSON.stringify(person('W-IMP-0004')),
      JSON.stringify(person('W-IMP-0005', { dateOfBirth: 'yesterday' })), // refused by the register
      '[1, 2]', // JSON, but not a person
    ];
    for (const size of ['desktop', 'phone'] as const) {
      const page = await open(`${R}/console/import#token=${operator}`, size);
      await page.locator('#import-file').setInputFiles({ name: 'persons.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n') + '\n') });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { name: 'Import finished' }).waitFor();
      assert.match(await page.getByTestId('import-counts').innerText(), /6 lines · 2 loaded · 4 with errors/);
      const rows = page.locator('table.import-errors tbody tr');
      assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-line')))), [2, 3, 5, 6], 'sorted by line');
      const texts = await rows.allInnerTexts();
      assert.match(texts[0]!, /“surname” is missing: every person needs it/);
      assert.match(texts[1]!, /This line is not valid JSON \(near character \d+\): check for a missing quote, comma or bracket/);
      assert.match(texts[2]!, /“dateOfBirth” is not right/);
      assert.match(texts[3]!, /must hold one person, written as a JSON object/);
      for (const text of texts) assert.doesNotMatch(text, /is required|Unexpected token|SyntaxError/, 'no parser or schema wording');
      const downloading = page.waitForEvent('download');
      await page.getByTestId('import-download').click();
      const download = await downloading;
      assert.equal(download.suggestedFilename(), 'persons-rejected-lines.jsonl');
      const file = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string; text: string; field?: string; error: string });
      assert.deepEqual(file.map((r) => r.line), [2, 3, 5, 6]);
      assert.deepEqual(file.map((r) => r.text), [lines[1], lines[2], lines[4], lines[5]], 'each rejected line as it was in the file');
      assert.match(file[0]!.reason, /“surname” is missing/);
      assert.equal(file[0]!.field, 'surname');
      await axe(page, `import with errors (${size})`);
      await shot(page, 'import', `errors-${size === 'desktop' ? '1280x720' : '390x844'}`, true);
      await page.context().close();
    }
  });

  await t.test('operations pages show no personal data of a traveller just screened', async () => {
    const officer = await open(`${B}/console/officer#token=${checkpoint}&token=${auditor}&peerToken=${operator}`, 'desktop');
    await screenHit(officer);
    const about = await officer.getByTestId('decision-about').innerText();
    assert.match(about, /IVANOV IURII.*751234567.*4 March 1999/, 'the officer does see whom the decision is about');
    const personal = ['IVANOV', 'IURII', 'Иванов', 'Юрий', 'Сергеевич', restricted.documents[0]!.number, restricted.dateOfBirth, '4 March 1999', '04.03.1999', '04/03/1999'];
    for (const size of ['desktop', 'phone'] as const) {
      const borderOps = await open(`${B}/console/operations#token=${auditor}`, size);
      await borderOps.locator('table', { has: borderOps.locator('caption', { hasText: 'Most recent screenings' }) }).locator('tbody tr').first().waitFor();
      await borderOps.locator('.health').waitFor();
      const borderText = await borderOps.locator('body').innerText();
      for (const p of personal) assert.ok(!borderText.includes(p), `the replica's operations page shows “${p}”`);
      assert.match(borderText, /HIT/, 'the screening is there, as a decision');
      await axe(borderOps, `replica operations (${size})`);
      await shot(borderOps, 'operations', `border-${size === 'desktop' ? '1280x720' : '390x844'}`, true);

      const registerOps = await open(`${R}/console/operations#token=${operator}`, size);
      await registerOps.locator('table.followers tbody tr').first().waitFor();
      await registerOps.locator('.health').waitFor();
      const registerText = await registerOps.locator('body').innerText();
      for (const p of personal) assert.ok(!registerText.includes(p), `the register's operations page shows “${p}”`);
      await axe(registerOps, `register operations (${size})`);
      await shot(registerOps, 'operations', `register-${size === 'desktop' ? '1280x720' : '390x844'}`, true);
      await borderOps.context().close();
      await registerOps.context().close();
    }
    await officer.context().close();
  });

  await t.test('axe-core: no serious or critical violations on any page, in its interesting states', async () => {
    // The check can fail: on a page with an unlabelled field and an image without text, axe reports both.
    const control = await browser.newPage();
    await control.setContent('<!doctype html><html lang="en"><title>control</title><main><h1>Control</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></html>');
    const found = await axeViolations(control);
    assert.ok(found.some((v) => / image-alt /.test(v)) && found.some((v) => / label /.test(v)), found.join('\n'));
    await control.close();
    for (const size of ['desktop', 'phone'] as const) {
      const tag = size === 'desktop' ? '1280x720' : '390x844';
      const officer = await open(`${B}/console/officer#token=${checkpoint}`, size);
      await axe(officer, `officer, empty (${size})`);
      await screenHit(officer);
      await axe(officer, `officer with a hit (${size})`);
      await shot(officer, 'officer', `hit-${tag}`);
      await officer.context().close();

      const self = await open(`${B}/console/self-check`, size);
      await axe(self, `self-check, empty (${size})`);
      await self.getByRole('button', { name: 'Check', exact: true }).click();
      await self.getByTestId('error-summary').waitFor();
      await axe(self, `self-check with errors (${size})`);
      await checkOwnStatus(self, { document: restricted.documents[0]!.number, day: '4', month: '3', year: '1999' });
      await self.locator('[data-restricted="true"]').waitFor();
      await axe(self, `self-check with a result (${size})`);
      await shot(self, 'self-check', `restricted-${tag}`, true);
      await self.context().close();

      const persons = await open(`${R}/console/persons#token=${operator}`, size);
      await axe(persons, `persons, empty (${size})`);
      await persons.locator('#person-q').fill(restricted.documents[0]!.number);
      await persons.locator('#person-q').press('Enter');
      await persons.locator('tr[data-restriction="CU-2024-77"]').waitFor();
      await persons.locator('table.history').waitFor();
      await axe(persons, `persons with a person open (${size})`);
      await shot(persons, 'persons', `person-${tag}`, true);
      await persons.context().close();

      const import_ = await open(`${R}/console/import#token=${operator}`, size);
      await axe(import_, `import, empty (${size})`);
      await import_.context().close();

      for (const [base, side] of [[B, 'border'], [R, 'register']] as const) {
        const missing = await open(`${base}/console/no-such-page`, size);
        assert.equal(await missing.locator('h1').innerText(), 'Page not found');
        assert.ok((await missing.locator('main a').count()) > 0, 'the 404 page offers pages to go to');
        await axe(missing, `404 on the ${side} (${size})`);
        await shot(missing, 'not-found', `${side}-${tag}`, true);
        await missing.context().close();

        const home = await open(`${base}/console/`, size);
        await axe(home, `${side} home (${size})`);
        await home.context().close();
      }
    }
    assert.deepEqual(inaccessible, [], 'axe-core: serious or critical violations');
  });

  assert.deepEqual(problems, [], 'no script errors in the pages');
});
