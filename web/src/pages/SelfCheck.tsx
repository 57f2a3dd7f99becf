/**
 * A person checks their own status: document number and date of birth in; whether an exit restriction
 * applies, on what basis, from which office, and how to contest it or register a deferment, out. The
 * service answers "nothing applies" both when nothing does and when the two values match nobody, so
 * the page reveals nothing about anyone else; it is rate-limited per address.
 */
import type { SelfCheckAnswer } from '@api/selfCheck';
import { useState } from 'preact/hooks';
import { ErrorNote, errorText } from '../components/ErrorNote';
import { api } from '../lib/api';
import { kindLabel, localTime } from '../lib/format';

export function SelfCheck() {
  const [documentNumber, setDocumentNumber] = useState('');
  const [dateOfBirth, setDateOfBirth] = useState('');
  const [sex, setSex] = useState('');
  const [nationality, setNationality] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<SelfCheckAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const err = error ? errorText(error) : null;

  async function check(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      setAnswer(await api<SelfCheckAnswer>('/v1/self-check', {
          body: {
            documentNumber: documentNumber.trim().replace(/\s+/g, ''),
            dateOfBirth: dateOfBirth.trim(),
            ...(sex ? { sex } : {}),
            ...(nationality.trim() ? { nationality: nationality.trim().toUpperCase() } : {}),
          },
        }));
    } catch (error) {
      setError(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Check your own status</h1>
      <p class="lead">
        Enter the number of your passport and your date of birth to learn whether an exit restriction applies to you, on what basis, from which office, and how
        to contest it or register a deferment.
      </p>
      <form class="card grid-form" onSubmit={check}>
        <div class="field">
          <label for="sc-doc">Passport number</label>
          <input
            id="sc-doc"
            autofocus
            autocomplete="off"
            spellcheck={false}
            required
            value={documentNumber}
            aria-describedby={`sc-doc-help${err?.field === 'documentNumber' ? ' sc-error' : ''}`}
            aria-invalid={err?.field === 'documentNumber' ? true : undefined}
            onInput={(e) => setDocumentNumber((e.currentTarget as HTMLInputElement).value)}
          />
          <p id="sc-doc-help" class="help">
            Letters and digits only, as printed (e.g. 751234567).
          </p>
        </div>
        <div class="field">
          <label for="sc-dob">Date of birth</label>
          <input
            id="sc-dob"
            autocomplete="bday"
            inputMode="numeric"
            placeholder="YYYY-MM-DD"
            required
            value={dateOfBirth}
            aria-describedby={`sc-dob-help${err?.field === 'dateOfBirth' ? ' sc-error' : ''}`}
            aria-invalid={err?.field === 'dateOfBirth' ? true : undefined}
            onInput={(e) => setDateOfBirth((e.currentTarget as HTMLInputElement).value)}
          />
          <p id="sc-dob-help" class="help">
            Year, month and day, e.g. 1999-03-04.
          </p>
        </div>
        <div class="field">
          <label for="sc-sex">Sex, as in the passport (optional)</label>
          <select id="sc-sex" value={sex} aria-describedby="sc-rules-help" onChange={(e) => setSex((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">not given</option>
            <option value="M">M</option>
            <option value="F">F</option>
            <option value="X">X</option>
          </select>
        </div>
        <div class="field">
          <label for="sc-nat">Nationality, three letters (optional)</label>
          <input id="sc-nat" autocomplete="off" maxLength={3} placeholder="RUS" value={nationality} aria-describedby="sc-rules-help" onInput={(e) => setNationality((e.currentTarget as HTMLInputElement).value)} />
          <p id="sc-rules-help" class="help">
            With these two, the answer also covers category-wide bans (for example on men of a given age), which apply by category, not by name.
          </p>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Check my status'}
        </button>
      </form>
      <p class="help">
        Privacy: this page shows nothing about anyone else. If the two values do not match one person exactly, the answer is the same as “no restriction”, so
        check them if you expected one. To keep the register from being searched, each address may check a few times a minute.
      </p>

      <section aria-live="polite" aria-busy={busy} aria-label="Your status">
        {error ? <ErrorNote error={error} id="sc-error" /> : null}
        {answer ? (
          <div class="result">
            <div class={`decision ${answer.restricted ? 'decision-hit' : 'decision-clear'}`} data-restricted={String(answer.restricted)}>
              <span class="decision-word">{answer.restricted ? 'Restricted' : 'Not restricted'}</span>
              <span class="decision-advice">
                {answer.restricted ? 'An exit restriction applies to you.' : 'No exit restriction applies to you.'} Checked {localTime(answer.checkedAt)}.
              </span>
            </div>
            {answer.restrictions.length > 0 ? (
              <section aria-labelledby="sc-restrictions">
                <h2 id="sc-restrictions">Restrictions on record</h2>
                {answer.restrictions.map((r) => (
                  <article class={`reason ${r.applies ? 'reason-in-force' : 'reason-lifted'}`} key={r.restrictionId}>
                    <h3>
                      {kindLabel(r.kind)} {r.restrictionId} <span class={`badge ${r.applies ? 'badge-in-force' : 'badge-lifted'}`}>{r.applies ? 'applies' : 'does not apply'}</span>
                    </h3>
                    <dl class="pairs">
                      <dt>Legal basis</dt>
                      <dd>{r.basis}</dd>
                      <dt>Issuing office</dt>
                      <dd>{r.office}</dd>
                      <dt>Status</dt>
                      <dd>{r.status}</dd>
                    </dl>
                  </article>
                ))}
              </section>
            ) : null}
            {answer.rules && answer.rules.length > 0 ? (
              <section aria-labelledby="sc-rules">
                <h2 id="sc-rules">Category-wide bans</h2>
                {answer.rules.map((r) => (
                  <article class={`reason ${r.applies ? 'reason-in-force' : 'reason-lifted'}`} key={r.ruleId}>
                    <h3>
                      {r.title} <span class={`badge ${r.applies ? 'badge-in-force' : 'badge-lifted'}`}>{r.applies ? 'may apply' : 'does not apply'}</span>
                    </h3>
                    <dl class="pairs">
                      <dt>Legal basis</dt>
                      <dd>{r.basis}</dd>
                      <dt>Authority</dt>
                      <dd>
                        {r.authority} (rule {r.ruleId}, version {r.version})
                      </dd>
                      <dt>Why</dt>
                      <dd>{r.detail}</dd>
                    </dl>
                  </article>
                ))}
              </section>
            ) : null}
            {answer.deferments.length > 0 ? (
              <section aria-labelledby="sc-deferments">
                <h2 id="sc-deferments">Deferments and exemptions</h2>
                <ul>
                  {answer.deferments.map((d, i) => (
                    <li key={i}>
                      {d.kind ?? 'deferment'} ({d.category}) valid {d.validFrom} to {d.validTo}
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            <section aria-labelledby="sc-contest" class="card">
              <h2 id="sc-contest">How to contest a restriction or register a deferment</h2>
              <p>{answer.howToContest}</p>
            </section>
          </div>
        ) : null}
      </section>
    </>
  );
}
