/**
 * The console's message catalogue (web/src/i18n): every English key is in Russian and Ukrainian, with
 * the same shape, and no message is empty — the compiler already refuses a missing key (ru and uk are
 * typed as the English catalogue's type), this test also catches an empty or untranslated message and
 * a function that writes "undefined". And the language is chosen as documented: the stored choice,
 * then the browser's languages, then English.
 *
 * The catalogue is web code (built by Vite, not by this project's tsc), so the test compiles its files
 * itself with TypeScript's transpiler into a temporary folder and imports them from there.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const I18N = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/src/i18n');

type Catalogue = Record<string, unknown>;
interface I18nModule {
  CATALOGUES: Record<'en' | 'ru' | 'uk', Catalogue>;
  chooseLanguage(stored: string | null, browser: readonly string[]): string;
  chooseLocale(language: string, browser: readonly string[]): string;
}

async function loadI18n(): Promise<{ i18n: I18nModule; plural: (lang: string, n: number, forms: object) => string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'erx-i18n-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const file of readdirSync(I18N).filter((f) => f.endsWith('.ts'))) {
    const out = ts.transpileModule(readFileSync(join(I18N, file), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), out.outputText);
  }
  const i18n = (await import(pathToFileURL(join(dir, 'index.js')).href)) as I18nModule;
  const { plural } = (await import(pathToFileURL(join(dir, 'plural.js')).href)) as { plural: (lang: string, n: number, forms: object) => string };
  return { i18n, plural, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every message of a catalogue as [key path, value], functions and strings alike. */
function leaves(node: unknown, path: string[] = []): [string, unknown][] {
  if (typeof node === 'string' || typeof node === 'function') return [[path.join('.'), node]];
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [[path.join('.'), node]];
}

/** A function message's text for sample arguments: strings first, then numbers, then lists of date parts. */
function sample(fn: (...args: unknown[]) => unknown): string {
  const attempts: unknown[][] = [Array(fn.length).fill('7'), Array(fn.length).fill(7), Array(fn.length).fill(['day', 'month'])];
  for (const args of attempts) {
    try {
      const text = fn(...args);
      if (typeof text === 'string') return text;
    } catch {
      // try the next kind of argument
    }
  }
  throw new Error('the message function answers no sample arguments with a string');
}

/** Messages that are the same in every language (abbreviations, symbols). */
const SAME_EVERYWHERE = new Set(['frame.api', 'import.noField']);

test('the message catalogue', async (t) => {
  const { i18n, plural, cleanup } = await loadI18n();
  t.after(cleanup);
  const en = new Map(leaves(i18n.CATALOGUES.en));

  for (const lang of ['ru', 'uk'] as const) {
    await t.test(`${lang}: every English key, the same kind of message, none empty, none left in English`, () => {
      const other = new Map(leaves(i18n.CATALOGUES[lang]));
      assert.deepEqual([...other.keys()].sort(), [...en.keys()].sort(), `${lang} has exactly the English keys`);
      const problems: string[] = [];
      for (const [key, english] of en) {
        const value = other.get(key);
        if (typeof value !== typeof english) {
          problems.push(`${key}: ${typeof value}, English has ${typeof english}`);
          continue;
        }
        const text = typeof value === 'function' ? sample(value as (...args: unknown[]) => unknown) : String(value);
        const englishText = typeof english === 'function' ? sample(english as (...args: unknown[]) => unknown) : String(english);
        if (text.trim() === '') problems.push(`${key}: empty`);
        if (/undefined|NaN|\[object/.test(text)) problems.push(`${key}: writes “${text}”`);
        if (!SAME_EVERYWHERE.has(key) && text === englishText && /[a-z]{3}/i.test(text)) problems.push(`${key}: not translated (“${text}”)`);
      }
      assert.deepEqual(problems, []);
    });
  }

  await t.test('English: no message empty or writing undefined', () => {
    const problems: string[] = [];
    for (const [key, value] of en) {
      const text = typeof value === 'function' ? sample(value as (...args: unknown[]) => unknown) : String(value);
      if (text.trim() === '') problems.push(`${key}: empty`);
      if (/undefined|NaN|\[object/.test(text)) problems.push(`${key}: writes “${text}”`);
    }
    assert.deepEqual(problems, []);
  });

  await t.test('the language: the stored choice, else the first browser language we speak, else English', () => {
    assert.equal(i18n.chooseLanguage(null, ['ru-RU', 'en-US']), 'ru');
    assert.equal(i18n.chooseLanguage(null, ['de-DE', 'uk', 'ru']), 'uk');
    assert.equal(i18n.chooseLanguage(null, ['de-DE', 'fr']), 'en');
    assert.equal(i18n.chooseLanguage(null, []), 'en');
    assert.equal(i18n.chooseLanguage('uk', ['ru-RU']), 'uk', 'the switch wins over the browser');
    assert.equal(i18n.chooseLanguage('xx', ['ru-RU']), 'ru', 'an unknown stored value is ignored');
    assert.equal(i18n.chooseLocale('en', ['en-US']), 'en-US', "the browser's own region for the language");
    assert.equal(i18n.chooseLocale('ru', ['en-US']), 'ru-RU');
  });

  await t.test('counting words take the language’s plural forms', () => {
    const lines = { one: '{n} строка', few: '{n} строки', many: '{n} строк', other: '{n} строки' };
    assert.deepEqual([1, 2, 5, 11, 21, 22, 1000].map((n) => plural('ru', n, lines)), ['1 строка', '2 строки', '5 строк', '11 строк', '21 строка', '22 строки', '1 000 строк'.replace(' ', '\u00a0')]);
    assert.equal(plural('en', 1000, { one: '{n} line', other: '{n} lines' }), '1,000 lines');
  });
});
