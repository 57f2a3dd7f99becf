/**
 * On the self-check page, under the result: "Contest a restriction" (the person's passport number and
 * date of birth, which restriction, a contact address, why) → the case number; and "Follow a case"
 * (the case number with the same identification) → its state and the office's answer. GOV.UK patterns
 * as in the self-check: every mistake at once beside its field and in a summary that takes the focus.
 * The identification of a follow goes in headers, never in the address (access logs keep addresses).
 */
import type { ContestCase } from '@api/contests';
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ApiError } from '../lib/api';
import { checkContestForm, checkFollowForm, contestServiceError, type FormError } from '../lib/contestForm';
import { localTime } from '../lib/format';
import { DateOfBirthFields, type DateParts } from './DateOfBirthFields';
import { ErrorSummary, FieldError, type SummaryItem } from './ErrorSummary';

const inputValue = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value;
const EMPTY_DATE: DateParts = { day: '', month: '', year: '' };

function useErrors() {
  const [errors, setErrors] = useState<FormError[]>([]);
  const [attempt, setAttempt] = useState(0);
  const messageFor = (question: string) => errors.find((e) => e.question === question)?.message;
  const invalidDate = (prefix: string) => (['day', 'month', 'year'] as const).filter((p) => errors.some((e) => e.ids.includes(`${prefix}-dob-${p}`)));
  const summary: SummaryItem[] = errors.map((e) => ({ message: e.message, ...(e.ids[0] ? { target: e.ids[0] } : {}) }));
  const show = (list: FormError[]) => {
    setErrors(list);
    setAttempt((n) => n + 1);
  };
  return { errors, attempt, messageFor, invalidDate, summary, show };
}

function CaseAnswer({ c }: { c: ContestCase }) {
  const words = t().contestForms;
  return (
    <div class="panel sc-case" data-testid="contest-case">
      <h3>{words.caseHeading(c.caseNumber)}</h3>
      <dl class="facts">
        <dt>{words.state}</dt>
        <dd data-testid="contest-state">{words.states[c.state]}</dd>
        <dt>{words.restriction}</dt>
        <dd>{c.restrictionId}</dd>
        <dt>{words.office}</dt>
        <dd>{c.office}</dd>
        <dt>{words.sent}</dt>
        <dd>{localTime(c.filedAt)}</dd>
        <dt>{c.state === 'open' ? words.answerBy : words.answered}</dt>
        <dd>{localTime(c.state === 'open' ? c.deadline : c.answeredAt)}</dd>
        {c.reasons ? (
          <>
            <dt>{words.reasons}</dt>
            <dd>{c.reasons}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

export function ContestForm({ restrictionIds = [] }: { restrictionIds?: string[] }) {
  const [documentNumber, setDocumentNumber] = useState('');
  const [dob, setDob] = useState<DateParts>(EMPTY_DATE);
  const [restrictionId, setRestrictionId] = useState('');
  const [contact, setContact] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [filed, setFiled] = useState<ContestCase | null>(null);
  // The inputs exist only while the section is open: closed, the page holds the self-check's alone.
  const [open, setOpen] = useState(false);
  const e = useErrors();

  async function send(ev: Event) {
    ev.preventDefault();
    const checked = checkContestForm({ documentNumber, ...dob, restrictionId: restrictionId || (restrictionIds.length === 1 ? restrictionIds[0]! : ''), contact, reason });
    if ('errors' in checked) return e.show(checked.errors);
    e.show([]);
    setBusy(true);
    try {
      setFiled(await api<ContestCase>('/v1/contests', { body: checked.request }));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      e.show([contestServiceError(status, err instanceof ApiError ? err.field : undefined, (err as Error).message, 'ct')]);
    } finally {
      setBusy(false);
    }
  }

  const docError = e.messageFor('documentNumber');
  const restrictionError = e.messageFor('restrictionId');
  const contactError = e.messageFor('contact');
  const reasonError = e.messageFor('reason');
  const words = t().contestForms;
  // Closed until the person opens it, so the page first asks only what the self-check needs.
  return (
    <details id="contest" class="sc-section" onToggle={(ev) => setOpen((ev.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <span class="sc-section-title">{words.contestTitle}</span>
      </summary>
      {!open ? null : filed ? (
        <div class="panel sc-confirm" role="status">
          <h3>{words.sentHeading}</h3>
          <p>{words.caseNumberIs}</p>
          <p class="sc-case-number" data-testid="case-number">
            {filed.caseNumber}
          </p>
          <p>{words.keepIt(localTime(filed.deadline))}</p>
        </div>
      ) : (
        <>
      <ErrorSummary items={e.summary} attempt={e.attempt} />
      <p>{words.contestLead}</p>
      <form onSubmit={send} noValidate class="sc-form" data-testid="contest-form">
        <div class={`form-group${docError ? ' form-group-error' : ''}`}>
          <label class="question" for="ct-doc">
            {words.passport}
          </label>
          <FieldError id="ct-doc-error" message={docError} />
          <input id="ct-doc" class="sc-doc" autocomplete="off" autocapitalize="characters" spellcheck={false} value={documentNumber} aria-describedby={docError ? 'ct-doc-error' : undefined} aria-invalid={docError ? true : undefined} onInput={(ev) => setDocumentNumber(inputValue(ev))} />
        </div>
        <DateOfBirthFields id="ct-dob" legend={words.dob} hint={words.dobHint} value={dob} onChange={setDob} error={e.messageFor('dateOfBirth')} invalid={e.invalidDate('ct')} />
        <div class={`form-group${restrictionError ? ' form-group-error' : ''}`}>
          <label class="question" for="ct-restriction">
            {words.restrictionNumber(restrictionIds.length <= 1)}
          </label>
          <p id="ct-restriction-hint" class="hint">
            {words.restrictionHint(restrictionIds.join(', '))}
          </p>
          <FieldError id="ct-restriction-error" message={restrictionError} />
          <input id="ct-restriction" class="sc-doc" autocomplete="off" spellcheck={false} value={restrictionId} aria-describedby={`ct-restriction-hint${restrictionError ? ' ct-restriction-error' : ''}`} aria-invalid={restrictionError ? true : undefined} onInput={(ev) => setRestrictionId(inputValue(ev))} />
        </div>
        <div class={`form-group${contactError ? ' form-group-error' : ''}`}>
          <label class="question" for="ct-contact">
            {words.contact}
          </label>
          <p id="ct-contact-hint" class="hint">
            {words.contactHint}
          </p>
          <FieldError id="ct-contact-error" message={contactError} />
          <input id="ct-contact" class="sc-contact" type="text" inputMode="email" autocomplete="email" spellcheck={false} value={contact} aria-describedby={`ct-contact-hint${contactError ? ' ct-contact-error' : ''}`} aria-invalid={contactError ? true : undefined} onInput={(ev) => setContact(inputValue(ev))} />
        </div>
        <div class={`form-group${reasonError ? ' form-group-error' : ''}`}>
          <label class="question" for="ct-reason">
            {words.reason}
          </label>
          <p id="ct-reason-hint" class="hint">
            {words.reasonHint}
          </p>
          <FieldError id="ct-reason-error" message={reasonError} />
          <textarea id="ct-reason" class="sc-reason" rows={5} value={reason} aria-describedby={`ct-reason-hint${reasonError ? ' ct-reason-error' : ''}`} aria-invalid={reasonError ? true : undefined} onInput={(ev) => setReason(inputValue(ev))} />
        </div>
        <button type="submit" class="primary sc-submit" disabled={busy}>
          {busy ? words.sending : words.send}
        </button>
      </form>
        </>
      )}
    </details>
  );
}

export function FollowForm() {
  const [caseNumber, setCaseNumber] = useState('');
  const [documentNumber, setDocumentNumber] = useState('');
  const [dob, setDob] = useState<DateParts>(EMPTY_DATE);
  const [busy, setBusy] = useState(false);
  const [found, setFound] = useState<ContestCase | null>(null);
  const [open, setOpen] = useState(false);
  const e = useErrors();

  async function look(ev: Event) {
    ev.preventDefault();
    setFound(null);
    const checked = checkFollowForm({ caseNumber, documentNumber, ...dob });
    if ('errors' in checked) return e.show(checked.errors);
    e.show([]);
    setBusy(true);
    try {
      const res = await fetch(`/v1/contests/${encodeURIComponent(checked.request.caseNumber)}`, {
        headers: { accept: 'application/json', 'erx-document-number': checked.request.documentNumber, 'erx-date-of-birth': checked.request.dateOfBirth },
      });
      const body = (await res.json().catch(() => ({}))) as ContestCase & { error?: string; field?: string };
      if (!res.ok) e.show([contestServiceError(res.status, body.field, body.error ?? `HTTP ${res.status}`, 'fl')]);
      else setFound(body);
    } catch {
      e.show([contestServiceError(0, undefined, '', 'fl')]);
    } finally {
      setBusy(false);
    }
  }

  const caseError = e.messageFor('caseNumber');
  const docError = e.messageFor('documentNumber');
  const words = t().contestForms;
  return (
    <details id="follow" class="sc-section" onToggle={(ev) => setOpen((ev.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <span class="sc-section-title">{words.followTitle}</span>
      </summary>
      {open ? (
        <>
      <ErrorSummary items={e.summary} attempt={e.attempt} />
      <form onSubmit={look} noValidate class="sc-form" data-testid="follow-form">
        <div class={`form-group${caseError ? ' form-group-error' : ''}`}>
          <label class="question" for="fl-case">
            {words.caseNumber}
          </label>
          <p id="fl-case-hint" class="hint">
            {words.caseHint}
          </p>
          <FieldError id="fl-case-error" message={caseError} />
          <input id="fl-case" class="sc-doc" autocomplete="off" autocapitalize="characters" spellcheck={false} value={caseNumber} aria-describedby={`fl-case-hint${caseError ? ' fl-case-error' : ''}`} aria-invalid={caseError ? true : undefined} onInput={(ev) => setCaseNumber(inputValue(ev))} />
        </div>
        <div class={`form-group${docError ? ' form-group-error' : ''}`}>
          <label class="question" for="fl-doc">
            {words.passport}
          </label>
          <FieldError id="fl-doc-error" message={docError} />
          <input id="fl-doc" class="sc-doc" autocomplete="off" autocapitalize="characters" spellcheck={false} value={documentNumber} aria-describedby={docError ? 'fl-doc-error' : undefined} aria-invalid={docError ? true : undefined} onInput={(ev) => setDocumentNumber(inputValue(ev))} />
        </div>
        <DateOfBirthFields id="fl-dob" legend={words.dob} hint={words.dobHint} value={dob} onChange={setDob} error={e.messageFor('dateOfBirth')} invalid={e.invalidDate('fl')} />
        <button type="submit" class="primary sc-submit" disabled={busy}>
          {busy ? words.looking : words.show}
        </button>
      </form>
      <div aria-live="polite">{found ? <CaseAnswer c={found} /> : null}</div>
        </>
      ) : null}
    </details>
  );
}
