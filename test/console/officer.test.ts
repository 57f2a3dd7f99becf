/**
 * The officer's screen, one traveller at a time, in a real browser (Debian's Chromium via
 * playwright-core) against a register and a border replica started as processes: a decision read for
 * the wrong traveller is the failure this guards against. It checks that
 *   - a screening that starts takes the previous decision off the screen at once (the answer is held
 *     back by route interception, so "pending" lasts as long as the test wants), and an answer that
 *     arrives after "Next traveller" is dropped;
 *   - the banner names whom it is about; Esc ("Next traveller") clears the fields and the decision in
 *     both modes; typed fields are emptied after a decision; typed mode starts in Surname;
 *   - a refer says which it is: a possible match (traveller beside the candidate, scores behind
 *     "details") or data too old (how old, what to do — that answer is the replica's own, rewritten in
 *     flight into the stale refer it gives past --max-staleness);
 *   - a bad zone and an unreachable replica give the officer what to do, not the parser's or the
 *     browser's message;
 *   - at 1280×720, 1024×768 and 800×1280 the page does not scroll sideways and the decision is above
 *     the fold.
 * Screenshots (the visible window only, as the officer sees it) go to the folder it prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { SHOWCASE } from '../../src/demo/showcase.js';
import { generatePersons } from '../../src/demo/synthetic.js';
import { tempDir } from '../helpers.js';
import { caughtUp, post, startBorder, startRegister, tokenFor } from '../integration/processes.js';
import { checkAccessible, launch, OUTPUT_DIR, skipReason } from './browser.js';

const SHOTS = join(OUTPUT_DIR, 'officer');
const { restricted, deferred } = SHOWCASE;
const mrzOf = (p: typeof restricted | typeof deferred) =>
  td3({ surname: p.surname, givenNames: p.givenNames, documentNumber: p.documents[0]!.number, country: 'RUS', dateOfBirth: p.dateOfBirth, sex: p.sex as 'M', expires: '2031-05-01' });
const HIT_MRZ = mrzOf(restricted);
const CLEAR_MRZ = mrzOf(deferred);
const BAD_MRZ = (() => {
  const [l1, l2] = HIT_MRZ.split('\n') as [string, string];
  return `${l1}\n${l2.slice(0, 9)}${(Number(l2[9]) + 1) % 10}${l2.slice(10)}`;
})();
const SCREENINGS = '**/v1/screenings';

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Holds every screening request until `release()`; the browser sees "pending" meanwhile. */
async function holdScreenings(page: Page) {
  const held: Route[] = [];
  let arrived: () => void = () => {};
  let first = new Promise<void>((r) => (arrived = r));
  await page.route(SCREENINGS, (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    held.push(route);
    arrived();
  });
  return {
    arrived: () => first,
    async release() {
      await page.unroute(SCREENINGS);
      for (const r of held.splice(0)) await r.continue().catch(() => {});
      first = new Promise<void>((r) => (arrived = r));
    },
  };
}

async function screenZone(page: Page, zone: string) {
  await page.locator('#mrz').fill(zone);
  await page.locator('#mrz').press('Control+Enter');
}

test('officer screen: one traveller at a time', { timeout: 300_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  process.stdout.write(`# officer screenshots: ${SHOTS}\n`);
  const browser: Browser = await launch();
  t.after(() => browser.close());
  const dir = tempDir(t, 'erx-officer-');
  const register = await startRegister(t, join(dir, 'register'));
  const R = register.url;
  const loaded = await post(`${R}/v1/import`, { persons: [...Object.values(SHOWCASE), ...generatePersons({ count: 100, seed: 17 })] });
  assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
  const border = await startBorder(t, R, join(dir, 'border'));
  const B = border.url;
  await caughtUp(B, R, 60_000);
  const checkpoint = await tokenFor(B, 'checkpoint', { sub: 'officer-test' });

  const problems: string[] = [];
  async function officerPage(width: number, height: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console error: ${m.text()}`);
    });
    await page.goto(`${B}/console/officer#token=${checkpoint}`);
    await page.locator('#mrz:focus').waitFor();
    return page;
  }
  const page = await officerPage(1280, 720);
  const decision = page.locator('[data-decision]');
  const answer = page.locator('section.answer');

  await t.test('a screening that starts takes the previous decision off the screen at once', async () => {
    await screenZone(page, HIT_MRZ);
    await page.locator('[data-decision="hit"]').waitFor();
    const hold = await holdScreenings(page);
    await screenZone(page, CLEAR_MRZ);
    await hold.arrived();
    assert.equal(await decision.count(), 0, 'no decision while the next traveller is screened');
    await page.getByTestId('screening-pending').waitFor();
    assert.equal((await answer.innerText()).trim(), 'Screening …', 'only "Screening …" shows');
    await shot(page, 'officer-pending-1280x720');
    await hold.release();
    await page.locator('[data-decision="clear"]').waitFor();
    assert.match(await page.getByTestId('decision-about').innerText(), /KHABIBULLIN ARTEM.*733456789.*15 July 2004/);
  });

  await t.test('new data for the next traveller takes the last decision away; a late answer is dropped', async () => {
    await page.locator('#mrz').fill(HIT_MRZ.split('\n')[0]!);
    assert.equal(await decision.count(), 0, 'the first line of the next scan clears the decision');
    const hold = await holdScreenings(page);
    await screenZone(page, HIT_MRZ);
    await hold.arrived();
    await page.keyboard.press('Escape');
    await hold.release();
    await page.waitForTimeout(800);
    assert.equal(await decision.count(), 0, 'the answer for the traveller the officer moved on from is not shown');
    assert.equal(await page.locator('#mrz').inputValue(), '');
  });

  await t.test('the banner names the traveller; Esc is "Next traveller" in the zone', async () => {
    await screenZone(page, HIT_MRZ);
    await page.locator('[data-decision="hit"]').waitFor();
    const about = await page.getByTestId('decision-about').innerText();
    for (const expected of ['IVANOV', 'IURII', '751234567', '4 March 1999']) assert.ok(about.includes(expected), `the banner names “${expected}”: ${about}`);
    // The decision is above the fold, with whom it is about.
    const box = await page.getByTestId('decision-about').boundingBox();
    assert.ok(box && box.y + box.height <= 720, `the banner ends above the fold at 1280×720: ${JSON.stringify(box)}`);
    assert.equal(await page.locator('.features').first().isVisible(), false, 'scores and name keys are behind "details"');
    assert.doesNotMatch(await answer.innerText(), /\d+ %/, 'no score is shown before "details" is opened');
    assert.deepEqual(await checkAccessible(page), []);
    await shot(page, 'officer-hit-1280x720');
    await page.getByRole('button', { name: /Next traveller/ }).click();
    assert.equal(await decision.count(), 0);
    assert.equal(await page.locator('#mrz').inputValue(), '');
    await page.locator('#mrz:focus').waitFor();
  });

  await t.test('typed mode starts in Surname; fields never carry over; Esc clears them', async () => {
    await page.getByRole('button', { name: 'Type the fields', exact: true }).click();
    await page.locator('#t-surname:focus').waitFor();
    await page.keyboard.type('IVANOV');
    await page.locator('#t-givenNames').fill('IURII');
    await page.locator('#t-dateOfBirth').fill('1999-03-04');
    await page.locator('#t-dateOfBirth').press('Enter');
    await page.locator('[data-decision="hit"]').waitFor();
    for (const id of ['surname', 'givenNames', 'dateOfBirth', 'documentNumber', 'nationality', 'sex']) {
      assert.equal(await page.locator(`#t-${id}`).inputValue(), '', `${id} is emptied after the decision`);
    }
    await page.locator('#t-surname:focus').waitFor();
    // The next traveller's name alone: the last one's date of birth is not sent with it.
    const sent = page.waitForRequest((r) => r.url().endsWith('/v1/screenings') && r.method() === 'POST');
    await page.keyboard.type('PETROV');
    assert.equal(await decision.count(), 0, 'typing the next traveller clears the decision');
    await page.locator('#t-givenNames').fill('PAVEL');
    await page.locator('#t-givenNames').press('Enter');
    assert.deepEqual((await sent).postDataJSON(), { surname: 'PETROV', givenNames: 'PAVEL' });
    await decision.waitFor();
    await page.locator('#t-sex').fill('M');
    await page.keyboard.press('Escape');
    assert.equal(await decision.count(), 0);
    assert.equal(await page.locator('#t-sex').inputValue(), '');
    await page.locator('#t-surname:focus').waitFor();
  });

  await t.test('a refer for a possible match shows the candidate beside the traveller', async () => {
    await page.locator('#t-surname').fill('IVANOV');
    await page.locator('#t-givenNames').fill('IURII');
    await page.locator('#t-dateOfBirth').fill('1999-03-05');
    await page.locator('#t-dateOfBirth').press('Enter');
    await page.locator('[data-decision="refer"]').waitFor();
    await page.locator('[data-refer="possible-match"]').waitFor();
    const table = page.getByTestId('match-comparison');
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.ok(rows.some((r) => /Surname\s+IVANOV\s+Иванов \(IVANOV\)\s+same/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /Date of birth\s+5 March 1999\s+4 March 1999\s+similar/.test(r)), rows.join('\n'));
    assert.doesNotMatch(await table.innerText(), /→|%/, 'no name keys or scores beside the traveller');
    await shot(page, 'officer-refer-match-1280x720');
    await page.locator('details.reason-details summary').first().click();
    assert.match(await page.locator('details.reason-details').first().innerText(), /Match score \d+ ?%/);
  });

  await t.test('a refer for data too old says how old and what to do', async () => {
    await page.route(SCREENINGS, async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { decision: string; reasons: unknown[]; lagSeconds: number | null };
      body.decision = 'refer';
      body.lagSeconds = 1250;
      body.reasons.unshift({ kind: 'replica-data-too-old', detail: 'replica data too old: last in step with the register 1250 s ago (bound 900 s); a ban issued since may be missing', lagSeconds: 1250, maxStalenessSeconds: 900 });
      await route.fulfill({ response: res, json: body });
    });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Machine-readable zone', exact: true }).click();
    await screenZone(page, CLEAR_MRZ);
    const why = page.locator('[data-refer="data-too-old"]');
    await why.waitFor();
    const text = await why.innerText();
    for (const expected of ['20 min 50 s ago', 'the limit is 15 min', 'secondary inspection', 'Do not clear']) assert.ok(text.includes(expected), `“${expected}” in:\n${text}`);
    await shot(page, 'officer-refer-stale-1280x720');
    await page.unroute(SCREENINGS);
  });

  await t.test('a bad zone says what to do next, in plain words', async () => {
    await screenZone(page, BAD_MRZ);
    const alert = page.locator('#screen-error[role="alert"]');
    await alert.waitFor();
    const text = await alert.innerText();
    for (const expected of ['check digit of the document number', 'line 2, character 10', 'Scan the zone again', 'type the fields', 'refer the traveller to secondary inspection']) {
      assert.ok(text.includes(expected), `“${expected}” in:\n${text}`);
    }
    assert.doesNotMatch(text, /invalid check digit|mrz:/, 'the parser’s message stays behind "Technical detail"');
    assert.equal(await decision.count(), 0);
    assert.equal(await page.locator('.mrz-marked mark').count(), 1);
    await shot(page, 'officer-bad-zone-1280x720');
    await alert.getByRole('button', { name: 'Type the fields' }).click();
    await page.locator('#t-surname:focus').waitFor();
    await page.getByRole('button', { name: 'Machine-readable zone', exact: true }).click();
  });

  await t.test('an unreachable replica gives the procedure, not "Failed to fetch"', async () => {
    await screenZone(page, HIT_MRZ);
    await page.locator('[data-decision="hit"]').waitFor();
    await page.route(SCREENINGS, (route) => route.abort('connectionrefused'));
    await screenZone(page, CLEAR_MRZ);
    const alert = page.locator('[data-trouble="unreachable"]');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /Do not clear: refer to secondary inspection/);
    assert.doesNotMatch(text, /Failed to fetch|did not answer \(/);
    assert.equal(await decision.count(), 0, 'the previous decision is gone');
    await shot(page, 'officer-unreachable-1280x720');
    await page.unroute(SCREENINGS);
  });

  for (const [w, h] of [
    [1280, 720],
    [1024, 768],
    [800, 1280],
  ] as const) {
    await t.test(`at ${w}×${h}: no sideways scrolling, the decision above the fold`, async () => {
      const p = w === 1280 ? page : await officerPage(w, h);
      await p.keyboard.press('Escape');
      await screenZone(p, HIT_MRZ);
      await p.locator('[data-decision="hit"]').waitFor();
      const widths = (await p.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
      assert.ok(widths[0] <= widths[1], `no horizontal scrolling at ${w}×${h}: ${widths.join(' > ')}`);
      const box = await p.getByTestId('decision-about').boundingBox();
      assert.ok(box && box.y + box.height <= h, `the decision and whom it is about are above the fold at ${w}×${h}: ${JSON.stringify(box)}`);
      await shot(p, `officer-hit-${w}x${h}`);
    });
  }

  assert.deepEqual(problems, [], 'no script errors in the page');
});
