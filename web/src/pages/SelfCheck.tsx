/**
 * A person checks their own status, usually on a phone: passport number and date of birth in; whether
 * an exit restriction applies, on what basis, from which office, since when and how to contest it, out.
 * The form follows the GOV.UK patterns: the date of birth as three boxes, every mistake at once beside
 * its field and in an error summary at the top that takes the focus, plain words throughout. The
 * service answers "nothing found" both when nothing applies and when the details match nobody, so the
 * page reveals nothing about anyone else — and therefore says exactly which details it checked
 * (components/SelfCheckResult.tsx). The page is titled for the public, not as a staff console.
 */
import type { SelfCheckAnswer } from '@api/selfCheck';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ContestForm, FollowForm } from '../components/ContestForms';
import { DateOfBirthFields, type DateParts } from '../components/DateOfBirthFields';
import { ErrorSummary, FieldError, type SummaryItem } from '../components/ErrorSummary';
import { type Checked, SelfCheckResult } from '../components/SelfCheckResult';
import { t } from '../i18n';
import { api, ApiError } from '../lib/api';
import { checkSelfCheckForm, FIELD_IDS, type FormError, serviceError } from '../lib/selfCheckForm';


const inputValue = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;

export function SelfCheck() {
  const [documentNumber, setDocumentNumber] = useState('');
  const [dob, setDob] = useState<DateParts>({ day: '', month: '', year: '' });
  const [sex, setSex] = useState('');
  const [nationality, setNationality] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormError[]>([]);
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<{ answer: SelfCheckAnswer; checked: Checked } | null>(null);
  const docInput = useRef<HTMLInputElement>(null);

  // GOV.UK: the title starts with "Error: " while the page shows errors, so it is announced first.
  useEffect(() => {
    document.title = t().selfCheck.docTitle(errors.length > 0, t().selfCheck.title);
  });

  const messageFor = (question: FormError['question']) => errors.find((e) => e.question === question)?.message;
  const isInvalid = (field: keyof typeof FIELD_IDS) => errors.some((e) => e.fields.includes(field));
  const summary: SummaryItem[] = errors.map((e) => ({ message: e.message, ...(e.fields[0] ? { target: FIELD_IDS[e.fields[0]] } : {}) }));

  async function check(e: Event) {
    e.preventDefault();
    setResult(null);
    const checkedForm = checkSelfCheckForm({ documentNumber, ...dob, sex, nationality });
    setAttempt((n) => n + 1);
    if ('errors' in checkedForm) {
      setErrors(checkedForm.errors);
      return;
    }
    setErrors([]);
    setBusy(true);
    try {
      const answer = await api<SelfCheckAnswer>('/v1/self-check', { body: checkedForm.request });
      setResult({ answer, checked: { documentNumber: checkedForm.request.documentNumber, dateOfBirth: checkedForm.request.dateOfBirth } });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setErrors([serviceError(status, err instanceof ApiError ? err.field : undefined, (err as Error).message)]);
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  function checkAgain() {
    setResult(null);
    docInput.current?.focus();
    docInput.current?.select();
  }

  const docError = messageFor('documentNumber');
  const natError = messageFor('nationality');
  const sexError = messageFor('sex');
  const dobError = messageFor('dateOfBirth');
  const words = t().selfCheck;
  return (
    <div class="self-check">
      <ErrorSummary items={summary} attempt={attempt} />
      <h1>{words.title}</h1>
      <p class="lead">{words.lead}</p>
      <form onSubmit={check} noValidate class="sc-form">
        <div class={`form-group${docError ? ' form-group-error' : ''}`}>
          <label class="question" for={FIELD_IDS.documentNumber}>
            {words.passport}
          </label>
          <p id="sc-doc-hint" class="hint">
            {words.passportHint}
          </p>
          <FieldError id="sc-doc-error" message={docError} />
          <input
            id={FIELD_IDS.documentNumber}
            ref={docInput}
            class="sc-doc"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            value={documentNumber}
            aria-describedby={`sc-doc-hint${docError ? ' sc-doc-error' : ''}`}
            aria-invalid={docError ? true : undefined}
            onInput={(e) => setDocumentNumber(inputValue(e))}
          />
        </div>

        <DateOfBirthFields
          id="sc-dob"
          legend={words.dob}
          hint={words.dobHint}
          value={dob}
          onChange={setDob}
          error={dobError}
          invalid={(['day', 'month', 'year'] as const).filter(isInvalid)}
        />

        <details class="sc-more">
          <summary>{words.more}</summary>
          <p class="hint">{words.moreHint}</p>
          <div class={`form-group${sexError ? ' form-group-error' : ''}`}>
            <label class="question" for={FIELD_IDS.sex}>
              {words.sex}
            </label>
            <FieldError id="sc-sex-error" message={sexError} />
            <select id={FIELD_IDS.sex} value={sex} aria-invalid={sexError ? true : undefined} onChange={(e) => setSex(inputValue(e))}>
              <option value="">{words.sexNotGiven}</option>
              <option value="M">M</option>
              <option value="F">F</option>
              <option value="X">X</option>
            </select>
          </div>
          <div class={`form-group${natError ? ' form-group-error' : ''}`}>
            <label class="question" for={FIELD_IDS.nationality}>
              {words.nationality}
            </label>
            <p id="sc-nat-hint" class="hint">
              {words.nationalityHint}
            </p>
            <FieldError id="sc-nat-error" message={natError} />
            <input
              id={FIELD_IDS.nationality}
              class="sc-nat"
              autocomplete="off"
              autocapitalize="characters"
              spellcheck={false}
              value={nationality}
              aria-describedby={`sc-nat-hint${natError ? ' sc-nat-error' : ''}`}
              aria-invalid={natError ? true : undefined}
              onInput={(e) => setNationality(inputValue(e))}
            />
          </div>
        </details>

        <button type="submit" class="primary sc-submit" disabled={busy}>
          {busy ? words.checking : words.check}
        </button>
      </form>

      <section aria-live="polite" aria-busy={busy} aria-label={words.resultRegion}>
        {result ? <SelfCheckResult answer={result.answer} checked={result.checked} onCheckAgain={checkAgain} /> : null}
      </section>

      <ContestForm restrictionIds={result ? result.answer.restrictions.filter((r) => r.applies).map((r) => r.restrictionId) : []} />
      <FollowForm />

      <h2 class="sc-privacy-title">{words.privacyTitle}</h2>
      <p class="hint">{words.privacy}</p>
    </div>
  );
}
