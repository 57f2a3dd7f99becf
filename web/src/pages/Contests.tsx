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
import { t } from '../i18n';
import { api, ROLES } from '../lib/api';
import { inputToIso, kindLabel, localTime, number } from '../lib/format';
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
  const words = t().contests;
  return (
    <form class="contest-answer" onSubmit={send} noValidate>
      {error ? <ErrorNote error={error} /> : null}
      <fieldset>
        <legend>{words.answer}</legend>
        <label>
          <input type="radio" name={`d-${id}`} value="upheld" checked={decision === 'upheld'} onChange={() => setDecision('upheld')} /> {words.upheld}
        </label>{' '}
        <label>
          <input type="radio" name={`d-${id}`} value="rejected" checked={decision === 'rejected'} onChange={() => setDecision('rejected')} /> {words.rejected}
        </label>
      </fieldset>
      <label for={`r-${id}`}>{words.reasons}</label>
      <textarea id={`r-${id}`} rows={3} value={reasons} onInput={(e) => setReasons(inputValue(e))} />
      <button type="submit" class="primary" disabled={busy}>
        {words.send}
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
  const words = t().contests;
  return (
    <form class="contest-answer" onSubmit={send} noValidate>
      {error ? <ErrorNote error={error} /> : null}
      <label for={`n-${id}`}>{words.whyStays}</label>
      <textarea id={`n-${id}`} rows={2} value={note} onInput={(e) => setNote(inputValue(e))} />
      <label for={`u-${id}`}>{words.nextReview}</label> <input id={`u-${id}`} type="datetime-local" value={until} onInput={(e) => setUntil(inputValue(e))} />{' '}
      <button type="submit">{words.reviewed}</button>
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
  const words = t().contests;
  const open = [...(contests?.contests ?? [])].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.deadline.localeCompare(b.deadline));
  return (
    <>
      <h1>{words.heading}</h1>
      <p class="lead">{words.lead}</p>
      {error ? <ErrorNote error={error} /> : null}
      <section class="card" aria-labelledby="contests-heading">
        <h2 id="contests-heading">
          {words.open} <span data-testid="contests-open">{contests ? number(contests.open) : '…'}</span>, {words.overdueCount}{' '}
          <span data-testid="contests-overdue" class={contests && contests.overdue > 0 ? 'overdue' : ''}>
            {contests ? number(contests.overdue) : '…'}
          </span>
        </h2>
        {contests && open.length === 0 ? <p class="muted">{words.noneWaiting}</p> : null}
        {open.map((c) => (
          <article key={c.caseNumber} class="card" data-testid="contest">
            <h3>
              {words.contestHeading(c.caseNumber, c.restrictionId, c.office)}
              {c.overdue ? <span class="overdue">{words.overdue}</span> : null}
            </h3>
            <dl class="pairs">
              <dt>{words.filed}</dt>
              <dd>{localTime(c.filedAt)}</dd>
              <dt>{words.answerBy}</dt>
              <dd class={c.overdue ? 'overdue' : ''}>{localTime(c.deadline)}</dd>
              <dt>{words.person}</dt>
              <dd>
                <a href={`/console/persons?id=${encodeURIComponent(c.personId)}`}>{c.personId}</a>
              </dd>
              <dt>{words.contact}</dt>
              <dd>{c.contact}</dd>
              <dt>{words.theirReason}</dt>
              <dd>{c.reason}</dd>
            </dl>
            <AnswerForm c={c} onDone={refresh} />
          </article>
        ))}
      </section>
      <section class="card" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">
          {words.due} <span data-testid="reviews-due">{due ? number(due.restrictions.length) : '…'}</span>
        </h2>
        {due && due.restrictions.length === 0 ? <p class="muted">{words.nothingDue}</p> : null}
        {due?.restrictions.map((d) => (
          <article key={d.restriction.restrictionId} class="card">
            <h3>
              {words.dueHeading(d.restriction.restrictionId, kindLabel(d.restriction.kind), d.restriction.office, localTime(d.reviewDeadline))}
              {d.overdue ? <span class="overdue">{words.willBeLifted}</span> : null}
            </h3>
            <p>{d.restriction.basis}</p>
            <ReviewForm d={d} onDone={refresh} />
          </article>
        ))}
      </section>
    </>
  );
}
