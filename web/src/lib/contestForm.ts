/**
 * The checks of the two contest forms on the self-check page (components/ContestForms.tsx), before
 * anything is sent: every mistake at once, in plain words, tied to the input to fix (GOV.UK wording).
 * The passport number and the date of birth are checked exactly as the self-check checks them
 * (selfCheckForm.ts). Pure: no DOM. The words are the catalogue's, in the reader's language.
 */
import { t } from '../i18n';
import { checkSelfCheckForm, type FormError as SelfCheckError } from './selfCheckForm';

export interface ContestInput {
  documentNumber: string;
  day: string;
  month: string;
  year: string;
  restrictionId: string;
  contact: string;
  reason: string;
}

export interface FollowInput {
  caseNumber: string;
  documentNumber: string;
  day: string;
  month: string;
  year: string;
}

/** One mistake: the question it belongs to, the ids of the inputs to mark (the summary links to the first), and what to do. */
export interface FormError {
  question: string;
  ids: string[];
  message: string;
}

/** Maps the self-check's errors about passport number and date of birth onto this form's inputs. */
function identityErrors(prefix: string, input: { documentNumber: string; day: string; month: string; year: string }): { errors: FormError[]; documentNumber: string; dateOfBirth: string } {
  const checked = checkSelfCheckForm({ ...input, sex: '', nationality: '' });
  if ('request' in checked) return { errors: [], documentNumber: checked.request.documentNumber, dateOfBirth: checked.request.dateOfBirth };
  const id = (f: string) => (f === 'documentNumber' ? `${prefix}-doc` : `${prefix}-dob-${f}`);
  return { errors: checked.errors.map((e: SelfCheckError) => ({ question: e.question, ids: e.fields.map(id), message: e.message })), documentNumber: '', dateOfBirth: '' };
}

const CONTACT = /^([^\s@]+@[^\s@]+\.[^\s@]+|\+?[0-9][0-9 ()-]{5,30})$/;

export function checkContestForm(input: ContestInput): { errors: FormError[] } | { request: { documentNumber: string; dateOfBirth: string; restrictionId?: string; contact: string; reason: string } } {
  const id = identityErrors('ct', input);
  const errors = [...id.errors];
  const restrictionId = input.restrictionId.trim();
  if (restrictionId && !/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/.test(restrictionId)) errors.push({ question: 'restrictionId', ids: ['ct-restriction'], message: t().contestForms.errors.restrictionId });
  const contact = input.contact.trim();
  if (!contact) errors.push({ question: 'contact', ids: ['ct-contact'], message: t().contestForms.errors.enterContact });
  else if (!CONTACT.test(contact) || contact.length > 200) errors.push({ question: 'contact', ids: ['ct-contact'], message: t().contestForms.errors.contact });
  const reason = input.reason.trim();
  if (!reason) errors.push({ question: 'reason', ids: ['ct-reason'], message: t().contestForms.errors.enterReason });
  else if (reason.length > 4000) errors.push({ question: 'reason', ids: ['ct-reason'], message: t().contestForms.errors.reasonLength });
  if (errors.length > 0) return { errors };
  return { request: { documentNumber: id.documentNumber, dateOfBirth: id.dateOfBirth, ...(restrictionId ? { restrictionId } : {}), contact, reason } };
}

/** A case number as a person may type it: spaces dropped, letters in capitals. */
export const cleanCaseNumber = (s: string) => s.replace(/\s+/g, '').toUpperCase();

export function checkFollowForm(input: FollowInput): { errors: FormError[] } | { request: { caseNumber: string; documentNumber: string; dateOfBirth: string } } {
  const errors: FormError[] = [];
  const caseNumber = cleanCaseNumber(input.caseNumber);
  if (!caseNumber) errors.push({ question: 'caseNumber', ids: ['fl-case'], message: t().contestForms.errors.enterCase });
  else if (!/^C-\d{4}-[A-Z2-7]{16}$/.test(caseNumber)) errors.push({ question: 'caseNumber', ids: ['fl-case'], message: t().contestForms.errors.caseNumber });
  const id = identityErrors('fl', input);
  errors.push(...id.errors);
  if (errors.length > 0) return { errors };
  return { request: { caseNumber, documentNumber: id.documentNumber, dateOfBirth: id.dateOfBirth } };
}

/** A refusal from the service as the form's error, in words a person can act on. */
export function contestServiceError(status: number, field: string | undefined, message: string, form: 'ct' | 'fl'): FormError {
  const words = t().contestForms.errors;
  const whole = (m: string): FormError => ({ question: 'form', ids: [], message: m });
  if (status === 429) return whole(words.tooMany);
  if (status === 0 || status === 503) return whole(words.unreachable);
  if (status === 404 && form === 'ct') return whole(words.noRestriction);
  if (status === 404) return whole(words.noCase);
  if (status === 409) return whole(message);
  if (status === 400 && field === 'restrictionId') return { question: 'restrictionId', ids: ['ct-restriction'], message };
  if (status === 400 && field === 'contact') return { question: 'contact', ids: ['ct-contact'], message: words.contact };
  return whole(status >= 500 ? words.serviceProblem : words.notSent(message));
}
