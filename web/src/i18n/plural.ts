/**
 * Counting words as each language needs them: Russian and Ukrainian have three forms (1 строка,
 * 2 строки, 5 строк), English two. Intl.PluralRules knows the rules, so none are written by hand here.
 */

export interface PluralForms {
  one: string;
  few?: string;
  many?: string;
  other: string;
}

/** The form of `forms` that fits `n` in `lang`, with `{n}` replaced by the number in that language. */
export function plural(lang: string, n: number, forms: PluralForms): string {
  const category = new Intl.PluralRules(lang).select(n) as keyof PluralForms;
  const form = forms[category] ?? forms.other;
  return form.replace('{n}', new Intl.NumberFormat(lang).format(n));
}

/** A number as `lang` writes it: 12 345 in Russian and Ukrainian, 12,345 in English. */
export const num = (lang: string, n: number) => new Intl.NumberFormat(lang).format(n);

/** A code's words from a catalogue table, or the code itself when the table has no entry for it. */
export function lookup(table: object, key: string): string {
  const value = (table as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : key;
}
