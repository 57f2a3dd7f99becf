/**
 * On a person's page in the register's console: every hit or refer on their restrictions at the border
 * and what came of it (GET /v1/persons/{id}/outcomes; an office sees its own restrictions'), with any
 * confirmed non-match's reference and whether it was revoked.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PersonOutcome } from '@api/outcomes';
import { ErrorNote } from './ErrorNote';
import { api, ROLES } from '../lib/api';
import { localTime } from '../lib/format';

const OUTCOME_TEXT: Record<PersonOutcome['outcome'], string> = {
  'refused-exit': 'refused exit (the listed person)',
  'not-the-listed-person': 'not the listed person (confirmed non-match)',
  released: "released on a supervisor's decision",
  withdrew: 'withdrew from the crossing',
};

export function ScreeningOutcomes({ personId }: { personId: string }) {
  const [outcomes, setOutcomes] = useState<PersonOutcome[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    api<{ outcomes: PersonOutcome[] }>(`/v1/persons/${encodeURIComponent(personId)}/outcomes`, { roles: ROLES.readRegister })
      .then((a) => live && (setOutcomes(a.outcomes), setError(null)))
      .catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [personId]);

  return (
    <section class="card" aria-labelledby="outcomes-heading">
      <h3 id="outcomes-heading">Stops at the border and what came of them</h3>
      <ErrorNote error={error} />
      {outcomes === null && !error ? <p class="muted">Loading…</p> : null}
      {outcomes?.length === 0 ? <p class="muted">None reported.</p> : null}
      {outcomes && outcomes.length > 0 ? (
        <table class="outcomes">
          <thead>
            <tr>
              <th scope="col">Screened</th>
              <th scope="col">Checkpoint</th>
              <th scope="col">Answer</th>
              <th scope="col">Restrictions</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reference</th>
            </tr>
          </thead>
          <tbody>
            {outcomes.map((o) => (
              <tr key={`${o.replica}:${o.n}`} data-outcome={o.screeningId}>
                <td>{localTime(o.screenedAt)}</td>
                <td>{o.checkpoint}</td>
                <td>
                  <span class={`badge badge-${o.decision}`}>{o.decision}</span>
                </td>
                <td>{o.restrictions.map((r) => `${r.restrictionId} (${r.office})`).join(', ') || '—'}</td>
                <td>
                  {OUTCOME_TEXT[o.outcome]}
                  {o.note ? <div class="muted">{o.note}</div> : null}
                </td>
                <td>{o.attestation ? `${o.attestation.ref}${o.attestation.revokedAt ? ` (revoked ${localTime(o.attestation.revokedAt)})` : ''}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
