/**
 * After a hit or refer on the officer's page: record what came of it (POST
 * /v1/screenings/{screeningId}/outcome), once. A confirmed non-match answers with the reference the
 * officer hands to the traveller.
 */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { outcomeAnswer } from '@api/outcomes';
import type { ScreeningAnswer } from '@api/screening';
import { ErrorNote } from './ErrorNote';
import { t } from '../i18n';
import { api } from '../lib/api';

type Answer = z.infer<typeof outcomeAnswer>;
type Outcome = Answer['outcome'];

/** The choices in the order the officer reads them. */
const CHOICES: Outcome[] = ['refused-exit', 'not-the-listed-person', 'released', 'withdrew'];

export function RecordOutcome({ result }: { result: ScreeningAnswer }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);
  if (result.decision === 'clear') return null;

  async function submit(e: Event) {
    e.preventDefault();
    if (!outcome) return;
    setBusy(true);
    try {
      const body = { outcome, ...(note.trim() ? { note: note.trim() } : {}) };
      setDone(await api<Answer>(`/v1/screenings/${encodeURIComponent(result.screeningId)}/outcome`, { body, roles: ['checkpoint'] }));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const words = t().recordOutcome;
  if (done) {
    return (
      <section class="card" aria-labelledby="outcome-heading">
        <h3 id="outcome-heading">{words.recorded}</h3>
        <p role="status">{words.sent(words.choices[done.outcome])}</p>
        {done.reference ? (
          <p class="note note-ok">
            {words.giveReference} <strong data-reference>{done.reference}</strong>. {done.forTraveller}
          </p>
        ) : null}
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="outcome-heading">
      <h3 id="outcome-heading">{words.heading}</h3>
      <form onSubmit={submit}>
        <fieldset>
          <legend>{words.legend[result.decision]}</legend>
          {CHOICES.map((c) => (
            <label key={c} class="choice">
              <input type="radio" name="outcome" value={c} checked={outcome === c} onChange={() => setOutcome(c)} /> {words.choices[c]}
            </label>
          ))}
        </fieldset>
        <label>
          {words.note}
          {outcome === 'released' ? words.noteRequired : words.noteOptional}
          <textarea name="note" maxLength={1000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        </label>
        <ErrorNote error={error} />
        <p class="buttons">
          <button type="submit" disabled={!outcome || busy}>
            {words.record}
          </button>
        </p>
      </form>
    </section>
  );
}
