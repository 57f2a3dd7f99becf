/**
 * On the register's operations page: contests open and overdue, and restrictions due for review, as
 * numbers (the same as the gauges erx_register_contests_overdue and
 * erx_register_restrictions_due_for_review), linking to the Contests page.
 */
import type { z } from 'zod';
import type { contestListAnswer } from '@api/contests';
import type { reviewsDueAnswer } from '@api/reviews';
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ROLES } from '../lib/api';
import { number } from '../lib/format';
import { usePoll } from '../lib/poll';
import { ErrorNote } from './ErrorNote';

export function DueProcessSummary() {
  const [counts, setCounts] = useState<{ open: number; overdue: number; due: number; dueOverdue: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  usePoll(async () => {
    try {
      const c = await api<z.infer<typeof contestListAnswer>>('/v1/contests?overdue=true&limit=1', { roles: ROLES.readRegister });
      const d = await api<z.infer<typeof reviewsDueAnswer>>('/v1/reviews/due?limit=1000', { roles: ROLES.readRegister });
      setCounts({ open: c.open, overdue: c.overdue, due: d.restrictions.length, dueOverdue: d.restrictions.filter((r) => r.overdue).length });
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, 5000);
  const words = t().dueProcess;
  return (
    <section class="card" aria-labelledby="due-process-heading">
      <h2 id="due-process-heading">{words.heading}</h2>
      {error ? <ErrorNote error={error} /> : null}
      {counts ? (
        <dl class="pairs">
          <dt>{words.open}</dt>
          <dd>{number(counts.open)}</dd>
          <dt>{words.overdue}</dt>
          <dd data-testid="ops-contests-overdue" class={counts.overdue > 0 ? 'overdue' : ''}>
            {number(counts.overdue)}
          </dd>
          <dt>{words.due}</dt>
          <dd>
            {number(counts.due)}
            {counts.dueOverdue > 0 ? <span class="overdue">{words.pastDeadline(counts.dueOverdue)}</span> : null}
          </dd>
        </dl>
      ) : null}
      <p class="help">
        <a href="/console/contests">{words.link}</a>
      </p>
    </section>
  );
}
