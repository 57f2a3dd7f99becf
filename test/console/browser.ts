/**
 * Driving Debian's Chromium (apt-get install -y chromium) with playwright-core: never a downloaded
 * browser. Without the browser the console tests skip with the reason printed — except in CI
 * (CI=true), where they must run, so a missing browser fails them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ERX_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Screenshots for people to look at: <repo>/test-output/console/ (dist/test/console → ../../..). */
export const OUTPUT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test-output/console');

const inCi = () => process.env.CI === 'true' || process.env.CI === '1';

/** `false` to run, or the reason to skip (printed). In CI a missing browser is a failure, not a skip. */
export function skipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (inCi()) return false;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set ERX_CHROMIUM); browser tests skipped`;
  process.stdout.write(`# ${reason}\n`);
  return reason;
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: CI must install it (apt-get install -y chromium in .ci/run)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** A page that fails the test on any script error or console error it shows. */
export async function newPage(browser: Browser, problems: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    // A refused request (400, 401…) is logged by the browser as a console error; the page shows those itself.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  return page;
}

/** The self-check form's words, in the languages the tests read it in. */
const SELF_CHECK_WORDS = {
  en: { document: 'Passport number', day: 'Day', month: 'Month', year: 'Year', check: 'Check' },
  ru: { document: 'Номер паспорта', day: 'День', month: 'Месяц', year: 'Год', check: 'Проверить' },
} as const;

/** Fills in the self-check as a person would, finding each field by its label in `language`, and sends it. */
export async function checkOwnStatus(page: Page, who: { document: string; day: string; month: string; year: string }, language: keyof typeof SELF_CHECK_WORDS = 'en'): Promise<void> {
  const words = SELF_CHECK_WORDS[language];
  await page.getByLabel(words.document).fill(who.document);
  await page.getByLabel(words.day, { exact: true }).fill(who.day);
  await page.getByLabel(words.month, { exact: true }).fill(who.month);
  await page.getByLabel(words.year, { exact: true }).fill(who.year);
  await page.getByRole('button', { name: words.check, exact: true }).click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The accessibility basics every console page must keep: each form control has a label (or an
 * aria-label), the page has one h1 and a main landmark, and images (the charts) have text. Runs in the
 * page, so it is written as page script (the test's own TypeScript has no DOM types).
 */
const A11Y_CHECK = `(() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) problems.push('unlabelled ' + el.tagName.toLowerCase() + '#' + el.id);
  }
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements');
  if (!document.querySelector('main')) problems.push('no main landmark');
  for (const img of document.querySelectorAll('[role="img"], img')) {
    if (!img.getAttribute('aria-label') && !img.getAttribute('alt')) problems.push('image without text: ' + img.id);
  }
  return problems;
})()`;

export async function checkAccessible(page: Page): Promise<string[]> {
  return (await page.evaluate(A11Y_CHECK)) as string[];
}
