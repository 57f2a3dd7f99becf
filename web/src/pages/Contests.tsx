/**
 * The issuing office's contests and reviews (register): contests of its restrictions, the overdue ones
 * first and marked, each answered here — upheld (the restriction is lifted) or rejected, with reasons;
 * and restrictions due for review within the notice period, each reviewed here with a note (and a new
 * review date, if the office gives one). An office token sees its own office's; an operator, all.
 */
import type { z } from 'zod';
import type { contestListAnswer } from '@api/contests';
import type { reviewsDueAnswer } from '@api/reviews';
import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { api, ROLES } from '../lib/api';
import { inputToIso, localTime } from '../lib/format';
import { usePoll } from '../lib/poll';

type ContestList = z.infer<typeof contestListAnswer>;
type Contest = ContestList['contests'][number];
type DueList = z.infer<typeof reviewsDueAnswer>;
type Due = DueList['restrictions'][number];

const inputValue = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value;

function AnswerForm({ c, onDone }: { c: Contest; onDone: () => void }) {
  const [decision, setDecision] = useState<'upheld' | 'rejected' | ''>('');
  const [reasons, setReasons] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = c.caseNumber;
  async function send(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      await api(`/v1/contests/${id}/answer`, { body: { decision, reasons }, roles: ROLES.writeRegister });
      setError(null);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="contest-answer" onSubmit={send} noValidate>
      {error ? <ErrorNote error={error} /> : null}
      <fieldset>
        <legend>Answer</legend>
        <label>
          <input type="radio" name={`d-${id}`} value="upheld" checked={decision === 'upheld'} onChange={() => setDecision('upheld')} /> Upheld — lift the restriction
        </label>{' '}
        <label>
          <input type="radio" name={`d-${id}`} value="rejected" checked={decision === 'rejected'} onChange={() => setDecision('rejected')} /> Rejected — it stays
        </label>
      </fieldset>
      <label for={`r-${id}`}>Reasons (the person reads them)</label>
      <textarea id={`r-${id}`} rows={3} value={reasons} onInput={(e) => setReasons(inputValue(e))} />
      <button type="submit" class="primary" disabled={busy}>
        Send the answer
      </button>
    </form>
  );
}

function ReviewForm({ d, onDone }: { d: Due; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState<unknown>(null);
  const id = d.restriction.restrictionId;
  async function send(e: Event) {
    e.preventDefault();
    try {
      const extendUntil = until ? inputToIso(until) : null;
      await api(`/v1/restrictions/${encodeURIComponent(id)}/review`, { body: { note, ...(extendUntil ? { extendUntil } : {}) }, roles: ROLES.writeRegister });
      setError(null);
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form class="contest-answer" onSubmit={send} noValidate>
      {error ? <ErrorNote error={error} /> : null}
      <label for={`n-${id}`}>Why it stays (audited)</label>
      <textarea id={`n-${id}`} rows={2} value={note} onInput={(e) => setNote(inputValue(e))} />
      <label for={`u-${id}`}>Next review by (optional; default one review interval)</label> <input id={`u-${id}`} type="datetime-local" value={until} onInput={(e) => setUntil(inputValue(e))} />{' '}
      <button type="submit">Reviewed: keep it</button>
    </form>
  );
}

export function Contests() {
  const [contests, setContests] = useState<ContestList | null>(null);
  const [due, setDue] = useState<DueList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  usePoll(
    async () => {
      try {
        setContests(await api<ContestList>('/v1/contests?state=open', { roles: ROLES.readRegister }));
        setDue(await api<DueList>('/v1/reviews/due', { roles: ROLES.readRegister }));
        setError(null);
      } catch (err) {
        setError(err);
      }
    },
    5000,
    [tick],
  );
  const refresh = () => setTick((n) => n + 1);
  const open = [...(contests?.contests ?? [])].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.deadline.localeCompare(b.deadline));
  return (
    <>
      <h1>Contests and reviews</h1>
      <p class="lead">Contests of your office's restrictions wait for your answer; restrictions due for review are lifted with reason “expiry” if nobody reviews them in time.</p>
      {error ? <ErrorNote error={error} /> : null}
      <section class="card" aria-labelledby="contests-heading">
        <h2 id="contests-heading">
          Open contests: <span data-testid="contests-open">{contests?.open ?? '…'}</span>, overdue: <span data-testid="contests-overdue" class={contests && contests.overdue > 0 ? 'overdue' : ''}>{contests?.overdue ?? '…'}</span>
        </h2>
        {contests && open.length === 0 ? <p class="muted">No contest is waiting for an answer.</p> : null}
        {open.map((c) => (
          <article key={c.caseNumber} class="card" data-testid="contest">
            <h3>
              {c.caseNumber} — restriction {c.restrictionId} ({c.office}){c.overdue ? <span class="overdue"> overdue</span> : null}
            </h3>
            <dl class="pairs">
              <dt>Filed</dt>
              <dd>{localTime(c.filedAt)}</dd>
              <dt>Answer by</dt>
              <dd class={c.overdue ? 'overdue' : ''}>{localTime(c.deadline)}</dd>
              <dt>Person</dt>
              <dd>
                <a href={`/console/persons?id=${encodeURIComponent(c.personId)}`}>{c.personId}</a>
              </dd>
              <dt>Contact</dt>
              <dd>{c.contact}</dd>
              <dt>Their reason</dt>
              <dd>{c.reason}</dd>
            </dl>
            <AnswerForm c={c} onDone={refresh} />
          </article>
        ))}
      </section>
      <section class="card" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">
          Due for review: <span data-testid="reviews-due">{due?.restrictions.length ?? '…'}</span>
        </h2>
        {due && due.restrictions.length === 0 ? <p class="muted">Nothing is due for review within the notice period.</p> : null}
        {due?.restrictions.map((d) => (
          <article key={d.restriction.restrictionId} class="card">
            <h3>
              {d.restriction.restrictionId} ({d.restriction.kind}, {d.restriction.office}) — review by {localTime(d.reviewDeadline)}
              {d.overdue ? <span class="overdue"> overdue: will be lifted</span> : null}
            </h3>
            <p>{d.restriction.basis}</p>
            <ReviewForm d={d} onDone={refresh} />
          </article>
        ))}
      </section>
    </>
  );
}
