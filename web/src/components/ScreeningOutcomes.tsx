/**
 * On a person's page in the register's console: every hit or refer on their restrictions at the border
 * and what came of it (GET /v1/persons/{id}/outcomes; an office sees its own restrictions'), with any
 * confirmed non-match's reference and whether it was revoked.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PersonOutcome } from '@api/outcomes';
import { ErrorNote } from './ErrorNote';
import { t } from '../i18n';
import { api, ROLES } from '../lib/api';
import { localTime } from '../lib/format';

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

  const words = t().screeningOutcomes;
  return (
    <section class="card" aria-labelledby="outcomes-heading">
      <h3 id="outcomes-heading">{words.heading}</h3>
      <ErrorNote error={error} />
      {outcomes === null && !error ? <p class="muted">{words.loading}</p> : null}
      {outcomes?.length === 0 ? <p class="muted">{words.none}</p> : null}
      {outcomes && outcomes.length > 0 ? (
        <table class="outcomes">
          <thead>
            <tr>
              <th scope="col">{words.screened}</th>
              <th scope="col">{words.checkpoint}</th>
              <th scope="col">{words.answer}</th>
              <th scope="col">{words.restrictions}</th>
              <th scope="col">{words.outcome}</th>
              <th scope="col">{words.reference}</th>
            </tr>
          </thead>
          <tbody>
            {outcomes.map((o) => (
              <tr key={`${o.replica}:${o.n}`} data-outcome={o.screeningId}>
                <td>{localTime(o.screenedAt)}</td>
                <td>{o.checkpoint}</td>
                <td>
                  <span class={`badge badge-${o.decision}`}>{t().decision[o.decision]}</span>
                </td>
                <td>{o.restrictions.map((r) => `${r.restrictionId} (${r.office})`).join(', ') || '—'}</td>
                <td>
                  {words.outcomes[o.outcome]}
                  {o.note ? <div class="muted">{o.note}</div> : null}
                </td>
                <td>{o.attestation ? `${o.attestation.ref}${o.attestation.revokedAt ? words.revoked(localTime(o.attestation.revokedAt)) : ''}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
