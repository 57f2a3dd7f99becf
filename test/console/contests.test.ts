/**
 * Contesting a restriction from the self-check page in a real browser (Chromium), on a phone (390 px):
 * the "Contest this restriction" form shows every mistake at once, beside its field and in a summary
 * that takes the focus; filled in, it is forwarded by the border replica to the register and shows the
 * register's case number; after the office upholds it at the register, "Follow a case" shows the
 * answer and its reasons. Nothing is wider than the phone. Screenshots go to the folder printed.
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

async function fitsPhone(page: Page, name: string) {
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, `${name}: nothing is wider than a 390-px phone`);
  await screenshot(page, `contest-${name}-390x844`);
}

test('contest a restriction on a phone: errors beside fields and in a summary, the case number, then the answer followed by its number', { timeout: 120_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  process.stdout.write(`screenshots: ${OUTPUT_DIR}/contest-*.png\n`);
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person({ personId: 'CT-R', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: '751000077', country: 'RUS' }], restrictions: [callUp('CU-CT-1', served)] }));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const R = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: R, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border' }), longPollMs: 200 });
  t.after(() => replica.close());
  await replica.app.listen({ port: 0, host: '127.0.0.1' });
  const B = `http://127.0.0.1:${(replica.app.server.address() as { port: number }).port}`;

  const browser = await launch();
  t.after(() => browser.close());
  const problems: string[] = [];
  const page = await newPage(browser, problems);
  await page.setViewportSize(PHONE);
  await page.goto(`${B}/console/self-check`);
  const contest = page.locator('#contest');
  await contest.locator('summary').click();

  // Sent empty: every mistake at once, beside its field and in the summary, which takes the focus.
  await contest.getByRole('button', { name: 'Send the contest' }).click();
  const summary = contest.getByTestId('error-summary');
  await summary.waitFor();
  assert.deepEqual(await summary.locator('li').allInnerTexts(), ['Enter your passport number', 'Enter your date of birth', 'Enter an email address or phone number so the office can tell you its answer', 'Enter why the restriction is wrong']);
  assert.deepEqual(await contest.locator('.error-message').allTextContents(), ['Error: Enter your passport number', 'Error: Enter your date of birth', 'Error: Enter an email address or phone number so the office can tell you its answer', 'Error: Enter why the restriction is wrong']);
  await page.waitForFunction(() => (globalThis as { document?: { activeElement?: { className?: string } | null } }).document?.activeElement?.className === 'error-summary', undefined, { timeout: 2000 });
  await summary.getByRole('link', { name: 'Enter why the restriction is wrong' }).click();
  assert.equal(await page.evaluate('document.activeElement.id'), 'ct-reason', 'a summary link focuses its field');
  await fitsPhone(page, 'errors');

  // Filled in (a wrong contact first, then right): sent through the replica, the register's case number shown.
  await page.fill('#ct-doc', '751 000 077');
  await page.fill('#ct-dob-day', '1');
  await page.fill('#ct-dob-month', '1');
  await page.fill('#ct-dob-year', '1990');
  await page.fill('#ct-contact', 'not an address');
  await page.fill('#ct-reason', 'The notice was served on my namesake; I was abroad that week.');
  await contest.getByRole('button', { name: 'Send the contest' }).click();
  await summary.getByRole('link', { name: /Enter an email address like/ }).waitFor();
  assert.equal(await contest.locator('.error-message').count(), 1, 'only the contact is wrong now');
  await page.fill('#ct-contact', 'person@example.org');
  await contest.getByRole('button', { name: 'Send the contest' }).click();
  const caseNumber = (await contest.getByTestId('case-number').innerText()).trim();
  assert.match(caseNumber, /^C-\d{4}-[A-Z2-7]{16}$/);
  const atRegister = await reg.store.getContest(caseNumber);
  assert.equal(atRegister?.restrictionId, 'CU-CT-1', 'the case is the register’s');
  await fitsPhone(page, 'filed');

  // The office upholds it at the register; the person follows the case by its number.
  const office = await issueToken(authSecret(regDir), { role: 'office', office: 'MO-Moscow-12', sub: 'clerk' });
  const answered = await reg.app.inject({ method: 'POST', url: `/v1/contests/${caseNumber}/answer`, headers: { authorization: `Bearer ${office}` }, payload: { decision: 'upheld', reasons: 'Served on a namesake: cancelled.' } });
  assert.equal(answered.statusCode, 200, answered.body);
  const follow = page.locator('#follow');
  await follow.locator('summary').click();
  await page.fill('#fl-case', caseNumber.toLowerCase());
  await page.fill('#fl-doc', '751000077');
  await page.fill('#fl-dob-day', '01');
  await page.fill('#fl-dob-month', '01');
  await page.fill('#fl-dob-year', '1990');
  await follow.getByRole('button', { name: 'Show the case' }).click();
  assert.equal(await follow.getByTestId('contest-state').innerText(), 'Upheld: the restriction has been lifted');
  assert.match(await follow.getByTestId('contest-case').innerText(), /Served on a namesake: cancelled\./);
  // Another person's date of birth: told plainly, nothing of the case shown.
  await page.fill('#fl-dob-year', '1991');
  await follow.getByRole('button', { name: 'Show the case' }).click();
  await follow.getByTestId('error-summary').waitFor();
  assert.match(await follow.getByTestId('error-summary').innerText(), /No case was found with this number for this passport number and date of birth/);
  assert.equal(await follow.getByTestId('contest-case').count(), 0);
  await fitsPhone(page, 'followed');
  assert.deepEqual(await checkAccessible(page), []);
  assert.deepEqual(problems, []);
});
