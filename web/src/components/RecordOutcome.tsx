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
import { api } from '../lib/api';

type Answer = z.infer<typeof outcomeAnswer>;
type Outcome = Answer['outcome'];

const CHOICES: { value: Outcome; text: string }[] = [
  { value: 'refused-exit', text: 'Refused exit: the listed person, restriction applied' },
  { value: 'not-the-listed-person', text: 'Not the listed person: secondary inspection established another person' },
  { value: 'released', text: "Released on a supervisor's decision (give the decision)" },
  { value: 'withdrew', text: 'The traveller withdrew from the crossing' },
];

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

  if (done) {
    return (
      <section class="card" aria-labelledby="outcome-heading">
        <h3 id="outcome-heading">Outcome recorded</h3>
        <p role="status">
          {CHOICES.find((c) => c.value === done.outcome)?.text}. It is sent to the register.
        </p>
        {done.reference ? (
          <p class="note note-ok">
            Give the traveller this reference: <strong data-reference>{done.reference}</strong>. {done.forTraveller}
          </p>
        ) : null}
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="outcome-heading">
      <h3 id="outcome-heading">What came of it</h3>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Outcome of this {result.decision}</legend>
          {CHOICES.map((c) => (
            <label key={c.value} class="choice">
              <input type="radio" name="outcome" value={c.value} checked={outcome === c.value} onChange={() => setOutcome(c.value)} /> {c.text}
            </label>
          ))}
        </fieldset>
        <label>
          Note{outcome === 'released' ? " (the supervisor's decision, required)" : ' (optional)'}
          <textarea name="note" maxLength={1000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        </label>
        <ErrorNote error={error} />
        <p class="buttons">
          <button type="submit" disabled={!outcome || busy}>
            Record outcome
          </button>
        </p>
      </form>
    </section>
  );
}
