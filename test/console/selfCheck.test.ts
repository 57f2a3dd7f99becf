/**
 * The public self-check in a real browser (Chromium, as console.test.ts), as a person on a phone uses
 * it, against a register and a border replica in this process:
 *   - the page is titled for the public, not "Border replica console", and fits 390 px without
 *     scrolling sideways;
 *   - the date of birth is three boxes; an empty or wrong form shows every mistake at once, beside its
 *     field and in an error summary at the top that takes the focus and whose links focus the field;
 *   - a typo never reads as an all-clear: "no restriction found for passport N, born D", and that a
 *     restriction under other details would not show;
 *   - a restriction shows its legal basis, issuing office (saying when its contact details are not
 *     recorded), since when, and how to contest it;
 *   - a refusal (429) or no answer at all is said in plain words in the summary, never the raw message.
 * Screenshots at 390×844 and 1280×720 of the empty form, the error summary, a "not found" answer and a
 * restricted answer go to the folder printed at the start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';
import { checkAccessible, launch, newPage, OUTPUT_DIR, screenshot, skipReason } from './browser.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 720 };

/** Both sizes of the page as it is now: phone first (with the no-sideways-scroll check), then desktop. */
async function shots(page: Page, name: string) {
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, `${name}: nothing is wider than a 390-px phone (scrolls sideways by ${String(overflow)} px)`);
  await screenshot(page, `self-check-${name}-390x844`);
  await page.setViewportSize(DESKTOP);
  await screenshot(page, `self-check-${name}-1280x720`);
  await page.setViewportSize(PHONE);
}

const focusedId = (page: Page) => page.evaluate('document.activeElement && (document.activeElement.id || document.activeElement.className)') as Promise<string>;
/** Focus moves in an effect after the summary renders: wait (briefly) for it to land on `id`, then report where it is. */
const focusLandsOn = async (page: Page, id: string): Promise<string> => {
  // A function, not a string: the page's CSP refuses to evaluate strings (no 'unsafe-eval').
  await page.waitForFunction((want: string) => (globalThis as { document?: { activeElement?: { id?: string } | null } }).document?.activeElement?.id === want, id, { timeout: 2000 }).catch(() => undefined);
  return focusedId(page);
};

test('self-check on a phone: public title, three date boxes, every error at once in a summary, a precise "not found", a restriction with its basis, office, date and how to contest', { timeout: 120_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  process.stdout.write(`screenshots: ${OUTPUT_DIR}/self-check-*.png\n`);
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person({ personId: 'SC-R', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: '751000001', country: 'RUS' }], restrictions: [callUp('CU-SC-1', served)] }));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const R = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: R, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border' }), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  await replica.app.listen({ port: 0, host: '127.0.0.1' });
  const B = `http://127.0.0.1:${(replica.app.server.address() as { port: number }).port}`;

  const browser = await launch();
  t.after(() => browser.close());
  const problems: string[] = [];
  const page = await newPage(browser, problems);
  await page.setViewportSize(PHONE);
  await page.goto(`${B}/console/self-check`);

  await t.test('the empty form: titled for the public, the date of birth as day, month and year', async () => {
    const h1 = page.getByRole('heading', { level: 1 });
    await h1.waitFor();
    assert.equal(await h1.innerText(), 'Check if an exit restriction applies to you');
    assert.match(await page.title(), /^Check if an exit restriction applies to you/);
    assert.doesNotMatch(await page.title(), /console|replica/i);
    assert.doesNotMatch(await page.locator('header').innerText(), /console|replica/i, 'the header does not name staff systems');
    const group = page.getByRole('group', { name: 'Date of birth' });
    for (const part of ['Day', 'Month', 'Year']) assert.equal(await group.getByLabel(part, { exact: true }).getAttribute('inputmode'), 'numeric', `${part} is a box of its own with a number pad`);
    assert.deepEqual(await checkAccessible(page), []);
    await shots(page, '1-empty');
  });

  await t.test('mistakes: all at once, beside each field and in a summary at the top that takes the focus', async () => {
    // An empty passport number, a month missing, a nationality of two letters: three mistakes, one submit.
    await page.getByLabel('Day', { exact: true }).fill('1');
    await page.getByLabel('Year', { exact: true }).fill('1990');
    await page.getByText('Also check bans that cover whole groups').click();
    await page.getByLabel('Nationality').fill('RU');
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/v1/self-check')) requests.push(r.url());
    });
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const summary = page.getByTestId('error-summary');
    await summary.waitFor();
    assert.equal(await focusLandsOn(page, 'error-summary'), 'error-summary', 'focus moves to the summary');
    assert.match(await summary.innerText(), /^There is a problem/);
    const links = summary.getByRole('link');
    assert.deepEqual(await links.allInnerTexts(), ['Enter your passport number', 'Date of birth must include a month', 'Nationality must be 3 letters, as in your passport, like RUS']);
    assert.deepEqual(await page.locator('.error-message').allTextContents(), ['Error: Enter your passport number', 'Error: Date of birth must include a month', 'Error: Nationality must be 3 letters, as in your passport, like RUS']);
    assert.equal(await page.getByLabel('Month', { exact: true }).getAttribute('aria-invalid'), 'true', 'the missing month is marked');
    assert.equal(await page.getByLabel('Day', { exact: true }).getAttribute('aria-invalid'), null, 'the day given is not');
    assert.match((await page.getByLabel('Passport number').getAttribute('aria-describedby')) ?? '', /sc-doc-error/, 'the field’s error is read with it');
    assert.match(await page.title(), /^Error: /);
    assert.deepEqual(requests, [], 'nothing was sent');
    await links.nth(1).click();
    assert.equal(await focusedId(page), 'sc-dob-month', 'a summary link focuses the box to fix');
    assert.deepEqual(await checkAccessible(page), []);
    await page.locator('#error-summary-title').scrollIntoViewIfNeeded();
    await shots(page, '2-errors');
  });

  await t.test('a date that does not exist is named as such, in words', async () => {
    await page.getByLabel('Passport number').fill('751000001');
    await page.getByLabel('Day', { exact: true }).fill('31');
    await page.getByLabel('Month', { exact: true }).fill('2');
    await page.getByLabel('Nationality').fill('');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByTestId('error-summary').getByRole('link', { name: 'Day must be a number from 1 to 28 for that month' }).waitFor();
    assert.equal(await page.locator('.error-message').count(), 1, 'only the date is wrong now');
  });

  await t.test('a typo is "no restriction found for passport N, born D", never an all-clear', async () => {
    // The restricted person's passport, with the day of birth one off: the service answers as for nobody.
    await page.getByLabel('Day', { exact: true }).fill('2');
    await page.getByLabel('Month', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const result = page.locator('[data-restricted]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-restricted'), 'false');
    assert.equal(await page.getByTestId('error-summary').count(), 0, 'the summary is gone once the form is right');
    const heading = page.locator('#sc-result-heading');
    assert.equal(await heading.innerText(), 'No restriction found for passport 751000001, born 2 January 1990');
    assert.equal(await focusedId(page), 'sc-result-heading', 'focus moves to the answer');
    const text = await result.innerText();
    assert.match(text, /restriction recorded under other details .* would not show here/);
    assert.doesNotMatch(text, /not restricted|no exit restriction applies to you|you may leave/i);
    assert.equal(await page.locator('.decision-clear, .sc-panel-restricted').count(), 0, 'no green or red banner');
    assert.doesNotMatch(await page.title(), /^Error/);
    await shots(page, '3-not-found');
  });

  await t.test('a restriction: its legal basis, issuing office, since when, and how to contest it', async () => {
    await page.getByRole('button', { name: 'Check other details' }).click();
    assert.equal(await focusedId(page), 'sc-doc');
    await page.getByLabel('Day', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const result = page.locator('[data-restricted="true"]');
    await result.waitFor();
    assert.equal(await page.locator('#sc-result-heading').innerText(), 'An exit restriction applies to you');
    assert.match(await result.innerText(), /Found for passport 751000001, born 1 January 1990/);
    const card = page.locator('[data-restriction="CU-SC-1"]');
    const facts = await card.innerText();
    assert.match(facts, /^Call-up notice/);
    assert.match(facts, /Legal basis\s+Call-up notice CU-SC-1, art\. 31/);
    assert.match(facts, /Issued by\s+MO-Moscow-12/);
    assert.match(facts, /Contact details not recorded for this office/, 'no record of the office: said so, nothing invented (test/console/officeContact.test.ts shows a recorded one)');
    assert.match(facts, /In force since\s+9 October 2024/, 'since when, as a date in words (served through the portal on 2 October: in force 7 days later)');
    assert.doesNotMatch(facts, /\d{4}-\d{2}-\d{2}T/, 'no raw timestamps');
    const contest = page.getByRole('region', { name: 'How to contest it' });
    assert.match(await contest.innerText(), /apply to the issuing office named here/);
    assert.deepEqual(await checkAccessible(page), []);
    await shots(page, '4-restricted');
  });

  await t.test('a refusal or no answer from the service is said in words, in the summary, with no raw message', async () => {
    await page.route('**/v1/self-check', (route) => route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify({ error: 'too many requests: at most 10 self-checks a minute from one address; try again in 42 s' }) }));
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const summary = page.getByTestId('error-summary');
    await summary.waitFor();
    assert.equal(await focusLandsOn(page, 'error-summary'), 'error-summary');
    assert.match(await summary.innerText(), /You have checked too many times in a short while\. Wait a minute, then try again\./);
    assert.equal(await page.locator('[data-restricted]').count(), 0, 'no answer is shown');
    await page.unroute('**/v1/self-check');
    await page.route('**/v1/self-check', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await summary.getByText('The service could not be reached. Check your connection and try again in a few minutes.').waitFor();
    assert.doesNotMatch(await summary.innerText(), /fetch|http|127\.0\.0\.1/i);
    await page.unroute('**/v1/self-check');
  });

  assert.deepEqual(problems.filter((p) => !/ERR_CONNECTION_REFUSED/.test(p)), [], 'no script errors in the page');
});
