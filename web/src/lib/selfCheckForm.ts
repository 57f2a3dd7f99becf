/**
 * The self-check form's own checks, before anything is sent: every mistake found at once, each in
 * plain words and tied to the field (or the part of the date) to fix, as the GOV.UK design system
 * words them ("Enter your …", "Date of birth must include a month", "… must be a real date"). The
 * service checks again (src/api/selfCheck.ts); these only spare a person a round trip and a vague
 * message. Pure: no DOM, so it reads as the list of rules it is. The words are the catalogue's, in the
 * reader's language.
 */
import { t } from '../i18n';

export interface SelfCheckInput {
  documentNumber: string;
  day: string;
  month: string;
  year: string;
  sex: string;
  nationality: string;
}

/** The inputs an error can point at; each is also the element id the error summary links to. */
export const FIELD_IDS = {
  documentNumber: 'sc-doc',
  day: 'sc-dob-day',
  month: 'sc-dob-month',
  year: 'sc-dob-year',
  nationality: 'sc-nat',
  sex: 'sc-sex',
} as const;
export type FieldName = keyof typeof FIELD_IDS;

/** One mistake: the question it belongs to, the inputs to mark, and what to do, in words. */
export interface FormError {
  /** The question (one message each): the date's three inputs share "dateOfBirth". */
  question: 'documentNumber' | 'dateOfBirth' | 'nationality' | 'sex' | 'form';
  /** Inputs to mark invalid; the summary links to the first. Empty for an error about the whole form. */
  fields: FieldName[];
  message: string;
}

export interface SelfCheckRequestBody {
  documentNumber: string;
  dateOfBirth: string;
  sex?: string;
  nationality?: string;
}

const digits = (s: string) => /^\d+$/.test(s);

/** The passport number as the service wants it: spaces and dashes a person may type are dropped. */
export const cleanDocumentNumber = (s: string) => s.replace(/[\s-]+/g, '').toUpperCase();

function documentNumberError(raw: string): FormError | null {
  const n = cleanDocumentNumber(raw);
  const at = (message: string): FormError => ({ question: 'documentNumber', fields: ['documentNumber'], message });
  if (!n) return at(t().selfCheck.errors.enterPassport);
  if (!/^[A-Z0-9]+$/.test(n)) return at(t().selfCheck.errors.passportChars);
  if (n.length > 20) return at(t().selfCheck.errors.passportLength);
  return null;
}

/** The date of birth's error, or its ISO form (YYYY-MM-DD). */
function dateOfBirth(dayRaw: string, monthRaw: string, yearRaw: string, today: Date): FormError | string {
  const day = dayRaw.trim();
  const month = monthRaw.trim();
  const year = yearRaw.trim();
  const at = (fields: FieldName[], message: string): FormError => ({ question: 'dateOfBirth', fields, message });
  const missing = (['day', 'month', 'year'] as const).filter((k) => ({ day, month, year })[k] === '');
  if (missing.length === 3) return at(['day', 'month', 'year'], t().selfCheck.errors.enterDob);
  if (missing.length > 0) return at([...missing], t().selfCheck.errors.dobMissing([...missing]));
  const notNumbers = (['day', 'month', 'year'] as const).filter((k) => !digits({ day, month, year }[k]));
  if (notNumbers.length > 0) return at([...notNumbers], t().selfCheck.errors.dobNumbers);
  if (year.length !== 4) return at(['year'], t().selfCheck.errors.yearDigits);
  const d = Number(day);
  const m = Number(month);
  const y = Number(year);
  if (m < 1 || m > 12) return at(['month'], t().selfCheck.errors.monthRange);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth) return at(['day'], t().selfCheck.errors.dayRange(daysInMonth));
  const iso = `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const todayIso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  if (iso > todayIso) return at(['day', 'month', 'year'], t().selfCheck.errors.dobPast);
  if (y < 1900) return at(['year'], t().selfCheck.errors.year1900);
  return iso;
}

function nationalityError(raw: string): FormError | null {
  const n = raw.trim();
  if (n && !/^[A-Za-z]{3}$/.test(n)) return { question: 'nationality', fields: ['nationality'], message: t().selfCheck.errors.nationality };
  return null;
}

/** All the form's mistakes, in the order of the fields on the page, or the request to send. */
export function checkSelfCheckForm(input: SelfCheckInput, today = new Date()): { errors: FormError[] } | { request: SelfCheckRequestBody } {
  const errors: FormError[] = [];
  const doc = documentNumberError(input.documentNumber);
  if (doc) errors.push(doc);
  const dob = dateOfBirth(input.day, input.month, input.year, today);
  if (typeof dob !== 'string') errors.push(dob);
  const nat = nationalityError(input.nationality);
  if (nat) errors.push(nat);
  if (errors.length > 0 || typeof dob !== 'string') return { errors };
  return {
    request: {
      documentNumber: cleanDocumentNumber(input.documentNumber),
      dateOfBirth: dob,
      ...(input.sex ? { sex: input.sex } : {}),
      ...(input.nationality.trim() ? { nationality: input.nationality.trim().toUpperCase() } : {}),
    },
  };
}

/** A refusal from the service (400 naming a field, 429, no answer) as the form's errors. */
export function serviceError(status: number, field: string | undefined, message: string): FormError {
  if (status === 429) return { question: 'form', fields: [], message: t().selfCheck.errors.tooMany };
  if (status === 0) return { question: 'form', fields: [], message: t().selfCheck.errors.unreachable };
  if (field === 'documentNumber') return { question: 'documentNumber', fields: ['documentNumber'], message: t().selfCheck.errors.passportChars };
  if (field === 'dateOfBirth') return { question: 'dateOfBirth', fields: ['day', 'month', 'year'], message: t().selfCheck.errors.dobReal };
  if (field === 'nationality') return { question: 'nationality', fields: ['nationality'], message: t().selfCheck.errors.nationality };
  if (field === 'sex') return { question: 'sex', fields: ['sex'], message: t().selfCheck.errors.sex };
  return { question: 'form', fields: [], message: status >= 500 ? t().selfCheck.errors.serviceProblem : t().selfCheck.errors.notDone(message) };
}
