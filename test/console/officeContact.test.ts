/**
 * The issuing office on the self-check, in a real browser on a phone (Chromium, as selfCheck.test.ts),
 * with the office's record entered at the register and carried to the replica: its name, address,
 * telephone (a tap calls), e-mail and website, opening hours, how to contest and the last day to do it,
 * within a 390-px-wide screen. Screenshots: test-output/console/self-check-office-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';
import { checkAccessible, checkOwnStatus, launch, newPage, OUTPUT_DIR, screenshot, skipReason } from './browser.js';

const PHONE = { width: 390, height: 844 };

test('self-check on a phone: the issuing office with its address and contacts as links, how to contest and the deadline', { timeout: 120_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  process.stdout.write(`screenshots: ${OUTPUT_DIR}/self-check-office-*.png\n`);
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person({ personId: 'OC-1', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: '751000001', country: 'RUS' }], restrictions: [callUp('CU-OC-1', served)] }));
  const operator = { authorization: `Bearer ${await issueToken(authSecret(regDir), { role: 'operator' })}` };
  const office = {
    name: 'Military Commissariat of Moscow, district no. 12',
    address: 'Sadovaya St 14, Moscow, 101014',
    phone: '+7 495 612-34-56',
    email: 'commissariat-12@moscow.mil.example',
    web: 'https://moscow.mil.example/commissariat-12',
    hours: 'Mon–Thu 09:00–18:00, Fri 09:00–16:45',
    howToContest: 'Write to the draft commission of the region (through this commissariat, or in person) or file a claim with the district court.',
    contestDays: 90,
  };
  assert.equal((await reg.app.inject({ method: 'PUT', url: '/v1/offices/MO-Moscow-12', headers: operator, payload: office })).statusCode, 201);
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
  await checkOwnStatus(page, { document: '751000001', day: '1', month: '1', year: '1990' });
  const card = page.locator('[data-restriction="CU-OC-1"]');
  await card.waitFor();
  const contact = card.locator('.office-contact[data-recorded="true"]');
  const text = await contact.innerText();
  assert.match(text, /^Military Commissariat of Moscow, district no\. 12/);
  assert.match(text, /Sadovaya St 14, Moscow, 101014/);
  assert.match(text, /Opening hours: Mon–Thu 09:00–18:00, Fri 09:00–16:45/);
  assert.match(text, /Office code MO-Moscow-12/);
  assert.equal(await contact.getByRole('link', { name: '+7 495 612-34-56' }).getAttribute('href'), 'tel:+74956123456', 'one tap calls the office');
  assert.equal(await contact.getByRole('link', { name: office.email }).getAttribute('href'), `mailto:${office.email}`);
  assert.equal(await contact.getByRole('link', { name: 'moscow.mil.example/commissariat-12' }).getAttribute('href'), office.web);
  assert.equal(await contact.locator('address').count(), 1, 'the address is marked up as one');
  const facts = await card.innerText();
  assert.match(facts, /How to contest it\s+Write to the draft commission of the region/);
  // Served through the portal on 2 October 2024, in force 9 October; 90 days later.
  assert.match(facts, /Deadline: 7 January 2025 \(90 days from the day it came into force\)/);
  assert.doesNotMatch(facts, /not recorded/);
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.equal(overflow, 0, `nothing is wider than a 390-px phone (scrolls sideways by ${String(overflow)} px)`);
  assert.deepEqual(await checkAccessible(page), []);
  await card.scrollIntoViewIfNeeded();
  await screenshot(page, 'self-check-office-390x844');
  await page.setViewportSize({ width: 1280, height: 720 });
  await screenshot(page, 'self-check-office-1280x720');

  // A Russian browser gets the same restricted answer in Russian: the office's contacts, how to
  // contest it and the deadline, the date in words.
  const ru = await browser.newContext({ viewport: PHONE, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
  t.after(() => ru.close());
  const ruPage = await ru.newPage();
  ruPage.on('pageerror', (err) => problems.push(`page error on ${ruPage.url()}: ${err.message}`));
  await ruPage.goto(`${B}/console/self-check`);
  await checkOwnStatus(ruPage, { document: '751000001', day: '1', month: '1', year: '1990' }, 'ru');
  const ruCard = ruPage.locator('[data-restriction="CU-OC-1"]');
  await ruCard.waitFor();
  const ruResult = await ruPage.locator('[data-restricted="true"]').innerText();
  assert.match(ruResult, /В отношении вас действует ограничение на выезд/);
  const ruFacts = await ruCard.innerText();
  assert.match(ruFacts, /Орган, вынесший ограничение\s+Military Commissariat of Moscow, district no\. 12/);
  assert.match(ruFacts, /Телефон: \+7 495 612-34-56/);
  assert.match(ruFacts, /Часы приёма: Mon–Thu 09:00–18:00/);
  assert.match(ruFacts, /Код органа MO-Moscow-12/);
  assert.match(ruFacts, /Как его обжаловать\s+Write to the draft commission of the region/);
  assert.match(ruFacts, /Срок обжалования: до 7 января 2025 г\. \(90 дней со дня вступления в силу\)/);
  assert.doesNotMatch(ruResult, /Legal basis|Issued by|How to contest|Deadline|Opening hours|Office code|Check other details/, 'no English left in the answer');
  await screenshot(ruPage, 'self-check-office-ru-390x844');
  assert.deepEqual(problems, [], 'no script errors in the page');
});
