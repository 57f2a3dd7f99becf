/**
 * One message catalogue for the whole console (en.ts is the key set; ru.ts and uk.ts must match it).
 * The language is the one the person chose with the switch (kept in localStorage), else the first of
 * the browser's languages (`navigator.languages`) the console speaks, else English. Components read
 * their words with `t()` while rendering, so re-rendering the app after `setLanguage` is enough.
 */
import { en, type Messages } from './en.js';
import { ru } from './ru.js';
import { uk } from './uk.js';

export type { Messages } from './en.js';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
  { code: 'uk', name: 'Українська' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

export const CATALOGUES: Record<Language, Messages> = { en, ru, uk };

/** Where the switch keeps the choice. */
export const STORAGE_KEY = 'erx.language';

const isLanguage = (x: string | null | undefined): x is Language => LANGUAGES.some((l) => l.code === x);

/** The language to show: the stored choice, else the first browser language we have, else English. Pure. */
export function chooseLanguage(stored: string | null, browser: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/**
 * The locale for dates and numbers: the browser's own tag for the chosen language when it has one
 * (en-US keeps month-first dates), else a default region for it.
 */
export function chooseLocale(language: Language, browser: readonly string[]): string {
  const own = browser.find((tag) => tag.toLowerCase().split('-')[0] === language);
  return own ?? { en: 'en-GB', ru: 'ru-RU', uk: 'uk-UA' }[language];
}

function readStored(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage disabled: the browser's languages decide
  }
}

const browserLanguages = (): readonly string[] => globalThis.navigator?.languages ?? [];

let current: Language = chooseLanguage(readStored(), browserLanguages());

export const language = (): Language => current;
export const locale = (): string => chooseLocale(current, browserLanguages());
export const t = (): Messages => CATALOGUES[current];

/** Switch language: remembered for the next visit, and `<html lang>` follows. The caller re-renders. */
export function setLanguage(next: Language): void {
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  applyDocumentLanguage();
}

export function applyDocumentLanguage(): void {
  if (globalThis.document) document.documentElement.lang = current;
}
