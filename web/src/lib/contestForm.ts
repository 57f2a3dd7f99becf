/**
 * The checks of the two contest forms on the self-check page (components/ContestForms.tsx), before
 * anything is sent: every mistake at once, in plain words, tied to the input to fix (GOV.UK wording).
 * The passport number and the date of birth are checked exactly as the self-check checks them
 * (selfCheckForm.ts). Pure: no DOM.
 */
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
  if (restrictionId && !/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/.test(restrictionId)) errors.push({ question: 'restrictionId', ids: ['ct-restriction'], message: 'Restriction number must be as shown on the self-check, like CU-2024-0001' });
  const contact = input.contact.trim();
  if (!contact) errors.push({ question: 'contact', ids: ['ct-contact'], message: 'Enter an email address or phone number so the office can tell you its answer' });
  else if (!CONTACT.test(contact) || contact.length > 200) errors.push({ question: 'contact', ids: ['ct-contact'], message: 'Enter an email address like name@example.com, or a phone number like +7 900 123 45 67' });
  const reason = input.reason.trim();
  if (!reason) errors.push({ question: 'reason', ids: ['ct-reason'], message: 'Enter why the restriction is wrong' });
  else if (reason.length > 4000) errors.push({ question: 'reason', ids: ['ct-reason'], message: 'Reason must be 4000 characters or fewer' });
  if (errors.length > 0) return { errors };
  return { request: { documentNumber: id.documentNumber, dateOfBirth: id.dateOfBirth, ...(restrictionId ? { restrictionId } : {}), contact, reason } };
}

/** A case number as a person may type it: spaces dropped, letters in capitals. */
export const cleanCaseNumber = (s: string) => s.replace(/\s+/g, '').toUpperCase();

export function checkFollowForm(input: FollowInput): { errors: FormError[] } | { request: { caseNumber: string; documentNumber: string; dateOfBirth: string } } {
  const errors: FormError[] = [];
  const caseNumber = cleanCaseNumber(input.caseNumber);
  if (!caseNumber) errors.push({ question: 'caseNumber', ids: ['fl-case'], message: 'Enter your case number' });
  else if (!/^C-\d{4}-[A-Z2-7]{16}$/.test(caseNumber)) errors.push({ question: 'caseNumber', ids: ['fl-case'], message: 'Case number must be as you were given it, like C-2026-ABCDEFGHJKLMNPQR' });
  const id = identityErrors('fl', input);
  errors.push(...id.errors);
  if (errors.length > 0) return { errors };
  return { request: { caseNumber, documentNumber: id.documentNumber, dateOfBirth: id.dateOfBirth } };
}

/** A refusal from the service as the form's error, in words a person can act on. */
export function contestServiceError(status: number, field: string | undefined, message: string, form: 'ct' | 'fl'): FormError {
  const whole = (m: string): FormError => ({ question: 'form', ids: [], message: m });
  if (status === 429) return whole('You have tried too many times in a short while. Wait a minute, then try again.');
  if (status === 0 || status === 503) return whole('The register cannot be reached just now, so nothing was sent. Try again later.');
  if (status === 404 && form === 'ct') return whole('No open restriction was found for this passport number and date of birth. Check both, or use the self-check above.');
  if (status === 404) return whole('No case was found with this number for this passport number and date of birth. Check all three.');
  if (status === 409) return whole(message);
  if (status === 400 && field === 'restrictionId') return { question: 'restrictionId', ids: ['ct-restriction'], message };
  if (status === 400 && field === 'contact') return { question: 'contact', ids: ['ct-contact'], message: 'Enter an email address like name@example.com, or a phone number like +7 900 123 45 67' };
  return whole(status >= 500 ? 'Sorry, the service has a problem. Try again later.' : `It could not be sent: ${message}`);
}
