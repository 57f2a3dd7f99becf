/**
 * The register operator's page: find a person (name in either script, document number, person id),
 * see their documents, deferments and restrictions with each one's lifecycle, and the full audit
 * history; issue a restriction, record service, lift. The selected person is in the address (?id=), so
 * a link to a person works.
 */
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { IssueForm, ServeForm } from '../components/Forms';
import { LiftFlow, LiftReach, type LiftReachTarget } from '../components/LiftFlow';
import { ScreeningOutcomes } from '../components/ScreeningOutcomes';
import { t } from '../i18n';
import { ApiError, api, ROLES } from '../lib/api';
import { changeLines, detailText, fieldValue, kindLabel, label, localTime } from '../lib/format';
import { longDate } from '../lib/plainDates';
import type { AuditEntryAnswer as AuditEntry, PersonFound as Found, PersonHistoryAnswer, PersonSearchAnswer, PersonVersion, PersonWithRestrictions } from '@api/persons';
import type { RestrictionRecord as Restriction } from '@api/restrictions';

/** Finds persons; before the register had a search endpoint, or for an exact id, reads by id. */
async function search(q: string): Promise<Found[]> {
  let found: Found[] = [];
  try {
    found = (await api<PersonSearchAnswer>(`/v1/persons?q=${encodeURIComponent(q)}&limit=20`, { roles: ROLES.readRegister })).persons;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  if (found.length === 0 && /^\S+$/.test(q)) {
    try {
      const p = await api<PersonWithRestrictions>(`/v1/persons/${encodeURIComponent(q)}`, { roles: ROLES.readRegister });
      found = [{ ...p, restrictions: p.restrictions.length }];
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  return found;
}

/** A restriction's place in its lifecycle: issued → served (in force) → lifted, or expired. */
export function lifecycle(r: Restriction, now = Date.now()): { key: 'issued' | 'pending' | 'in-force' | 'lifted' | 'expired'; text: string } {
  const words = t().persons;
  if (r.liftedAt) return { key: 'lifted', text: words.liftedOn(localTime(r.liftedAt), r.liftReason ?? '') };
  if (r.expiresAt && Date.parse(r.expiresAt) <= now) return { key: 'expired', text: words.expiredOn(localTime(r.expiresAt)) };
  if (!r.servedAt) return { key: 'issued', text: words.notServed };
  const served = words.served(localTime(r.servedAt), r.serviceChannel ?? '');
  if (r.inForceFrom && Date.parse(r.inForceFrom) > now) return { key: 'pending', text: words.inForceFrom(served, localTime(r.inForceFrom)) };
  return { key: 'in-force', text: words.inForceSince(localTime(r.inForceFrom ?? r.servedAt), served) };
}

function History({ personId, version }: { personId: string; version: number }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [versions, setVersions] = useState<PersonVersion[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    api<PersonHistoryAnswer>(`/v1/persons/${encodeURIComponent(personId)}/history`, { roles: ROLES.readRegister })
      .then((h) => {
        if (!live) return;
        setEntries(h.entries);
        setVersions(h.versions ?? []);
        setTruncated(h.truncated);
        setError(null);
      })
      .catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [personId, version]);
  const words = t().persons;
  return (
    <section class="card" aria-labelledby="history-heading">
      <h3 id="history-heading">{words.history}</h3>
      <p class="help">{words.historyHelp}</p>
      {error ? <ErrorNote error={error} /> : null}
      {entries === null && !error ? <p class="muted">{words.loadingHistory}</p> : null}
      {entries && entries.length === 0 ? <p class="muted">{words.noEntries}</p> : null}
      {entries && entries.length > 0 ? (
        <table class="history">
          <thead>
            <tr>
              <th scope="col">{words.when}</th>
              <th scope="col">{words.what}</th>
              <th scope="col">{words.about}</th>
              <th scope="col">{words.who}</th>
              <th scope="col">{words.detail}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td>{localTime(e.at)}</td>
                <td>{label(e.action.replace('.', ' '))}</td>
                <td>{e.subject}</td>
                <td>{e.actor}</td>
                <td>
                  {changeLines(e.detail).length > 0 ? (
                    <ul class="changes">
                      {changeLines(e.detail).map((c) => (
                        <li key={c.field}>
                          <span class="field">{c.field}:</span> <del>{c.before}</del> → <ins>{c.after}</ins>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  <span class="detail">{detailText(e.detail)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {truncated ? <p class="help">{words.truncated}</p> : null}
      {versions.length > 0 ? (
        <>
          <h4 id="versions-heading">{words.earlier(versions.length)}</h4>
          <table class="history versions" aria-labelledby="versions-heading">
            <thead>
              <tr>
                <th scope="col">{words.version}</th>
                <th scope="col">{words.replaced}</th>
                <th scope="col">{words.by}</th>
                <th scope="col">{words.nameDob}</th>
                <th scope="col">{words.documents}</th>
                <th scope="col">{words.deferments}</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.version}>
                  <td>{v.version}</td>
                  <td>{localTime(v.supersededAt)}</td>
                  <td>{v.supersededBy}</td>
                  <td>
                    {[v.person.surname, v.person.givenNames, v.person.patronymic].filter(Boolean).join(' ')}, {longDate(v.person.dateOfBirth)}
                  </td>
                  <td>{fieldValue('documents', v.person.documents)}</td>
                  <td>{fieldValue('deferments', v.person.deferments ?? [])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

function PersonDetail({ id }: { id: string }) {
  const [person, setPerson] = useState<PersonWithRestrictions | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<{ id: string; action: 'lift' | 'serve' } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [reach, setReach] = useState<LiftReachTarget | null>(null);
  const [version, setVersion] = useState(0);
  const messageRef = useRef<HTMLParagraphElement>(null);
  // Focus moves to the person's heading once, when a newly selected person has loaded — not on a timer,
  // which could fire after the officer had already opened a form and take the focus away from it.
  const headingFocusedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!person || person.personId !== id || headingFocusedFor.current === id) return;
    headingFocusedFor.current = id;
    document.getElementById('person-heading')?.focus();
  }, [person, id]);

  useEffect(() => {
    let live = true;
    api<PersonWithRestrictions>(`/v1/persons/${encodeURIComponent(id)}`, { roles: ROLES.readRegister })
      .then((p) => live && (setPerson(p), setError(null)))
      .catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [id, version]);

  const done = (text: string, lifted: LiftReachTarget | null = null) => {
    setOpen(null);
    setMessage(text);
    setReach(lifted);
    setVersion((v) => v + 1);
    setTimeout(() => messageRef.current?.focus(), 0);
  };

  const words = t().persons;
  if (error) return <ErrorNote error={error} />;
  if (!person) return <p class="muted">{words.loading(id)}</p>;
  return (
    <article class="person" aria-labelledby="person-heading">
      <h2 id="person-heading" tabIndex={-1}>
        {person.surname} {person.givenNames} {person.patronymic ?? ''} <span class="muted">({person.personId})</span>
      </h2>
      {message ? (
        <p class="note note-ok" role="status" tabIndex={-1} ref={messageRef}>
          {message}
        </p>
      ) : null}
      {reach ? <LiftReach {...reach} key={`${reach.restrictionId}-${reach.seq}`} /> : null}
      <dl class="pairs">
        <dt>{words.dob}</dt>
        <dd>{longDate(person.dateOfBirth)}</dd>
        {person.sex ? (
          <>
            <dt>{words.sex}</dt>
            <dd>{person.sex}</dd>
          </>
        ) : null}
        <dt>{words.documents}</dt>
        <dd>{person.documents.length === 0 ? words.none : person.documents.map((d) => `${d.type} ${d.number} (${d.country})`).join('; ')}</dd>
      </dl>

      <section class="card" aria-labelledby="restrictions-heading">
        <h3 id="restrictions-heading">{words.restrictions(person.restrictions.length)}</h3>
        {person.restrictions.length === 0 ? <p class="muted">{words.noneYet}</p> : null}
        {person.restrictions.length > 0 ? (
          <table class="restrictions">
            <thead>
              <tr>
                <th scope="col">{words.restriction}</th>
                <th scope="col">{words.kind}</th>
                <th scope="col">{words.basis}</th>
                <th scope="col">{words.office}</th>
                <th scope="col">{words.issued}</th>
                <th scope="col">{words.status}</th>
                <th scope="col">{words.actions}</th>
              </tr>
            </thead>
            <tbody>
              {person.restrictions.map((r) => {
                const state = lifecycle(r);
                const formOpen = open?.id === r.restrictionId ? open.action : null;
                return (
                  <Fragment key={r.restrictionId}>
                    <tr data-restriction={r.restrictionId}>
                      <th scope="row">{r.restrictionId}</th>
                      <td>{kindLabel(r.kind)}</td>
                      <td>{r.basis}</td>
                      <td>{r.office}</td>
                      <td>{localTime(r.issuedAt)}</td>
                      <td>
                        <span class={`badge badge-${state.key}`}>{words.lifecycle[state.key]}</span> {state.text}
                        {r.expiresAt && state.key !== 'expired' ? <div class="muted">{words.expires(localTime(r.expiresAt))}</div> : null}
                        {r.campaign ? <div class="muted">{words.campaign(r.campaign)}</div> : null}
                      </td>
                      <td class="actions">
                        {state.key === 'issued' ? (
                          <button type="button" aria-expanded={formOpen === 'serve'} onClick={() => setOpen(formOpen === 'serve' ? null : { id: r.restrictionId, action: 'serve' })}>
                            Record service
                          </button>
                        ) : null}
                        {state.key === 'in-force' || state.key === 'pending' ? (
                          <button type="button" aria-expanded={formOpen === 'lift'} onClick={() => setOpen(formOpen === 'lift' ? null : { id: r.restrictionId, action: 'lift' })}>
                            Lift
                          </button>
                        ) : null}
                      </td>
                    </tr>
                    {formOpen ? (
                      <tr class="form-row">
                        <td colSpan={7}>
                          {formOpen === 'lift' ? <LiftFlow r={r} onLifted={done} onCancel={() => setOpen(null)} /> : <ServeForm r={r} onDone={done} onCancel={() => setOpen(null)} />}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        ) : null}
        <details class="issue">
          <summary>{words.issueNew(person.surname)}</summary>
          <IssueForm personId={person.personId} onDone={done} />
        </details>
      </section>

      <section class="card" aria-labelledby="deferments-heading">
        <h3 id="deferments-heading">{words.deferments}</h3>
        {(person.deferments ?? []).length === 0 ? (
          <p class="muted">{words.noneYet}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{words.kind}</th>
                <th scope="col">{words.category}</th>
                <th scope="col">{words.validFrom}</th>
                <th scope="col">{words.validTo}</th>
                <th scope="col">{words.grantedBy}</th>
                <th scope="col">{words.basis}</th>
                <th scope="col">{words.evidence}</th>
              </tr>
            </thead>
            <tbody>
              {(person.deferments ?? []).map((d, i) => (
                <tr key={i}>
                  <td>{d.kind ?? words.deferment}</td>
                  <td>{d.category}</td>
                  <td>{longDate(d.validFrom)}</td>
                  <td>{longDate(d.validTo)}</td>
                  <td>{d.grantedBy ?? words.theRegister}</td>
                  <td>{d.basis ?? '—'}</td>
                  <td>{d.evidence ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="help">{words.defermentsHelp}</p>
      </section>
      <ScreeningOutcomes personId={person.personId} />
      <History personId={person.personId} version={version} />
    </article>
  );
}

export function Persons() {
  const initial = new URLSearchParams(location.search).get('id');
  const [q, setQ] = useState(initial ?? '');
  const [results, setResults] = useState<Found[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<string | null>(initial);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!initial) input.current?.focus();
  }, []);

  const select = (id: string) => {
    setSelected(id);
    const url = new URL(location.href);
    url.searchParams.set('id', id);
    history.replaceState(null, '', url.pathname + url.search);
  };

  async function find(e: Event) {
    e.preventDefault();
    const query = q.trim();
    if (query.length < 2) {
      setError(new ApiError(400, t().persons.tooShort, 'q'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const found = await search(query);
      setResults(found);
      if (found.length === 1) select(found[0]!.personId);
    } catch (err) {
      setError(err);
      setResults(null);
    } finally {
      setBusy(false);
    }
  }

  const words = t().persons;
  return (
    <>
      <h1>{words.heading}</h1>
      <form class="card search" onSubmit={find} role="search">
        <label for="person-q">{words.find}</label>
        <div class="inline-form">
          <input
            id="person-q"
            ref={input}
            value={q}
            autocomplete="off"
            spellcheck={false}
            aria-describedby="person-q-help"
            onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? words.searching : words.search}
          </button>
        </div>
        <p id="person-q-help" class="help">
          {words.searchHelp}
        </p>
      </form>
      <section aria-live="polite" aria-label={words.results}>
        <ErrorNote error={error} />
        {results && results.length === 0 ? <p class="muted">{words.nobody(q)}</p> : null}
        {results && results.length > 1 ? <p>{results.length === 20 ? words.best(20) : words.found(results.length)}</p> : null}
        {results && results.length > 1 ? (
          <ul class="results">
            {results.map((p) => (
              <li key={p.personId}>
                <button type="button" class="result-button" aria-current={selected === p.personId ? 'true' : undefined} onClick={() => select(p.personId)}>
                  <strong>
                    {p.surname} {p.givenNames} {p.patronymic ?? ''}
                  </strong>{' '}
                  <span>{words.born(longDate(p.dateOfBirth))}</span> <span class="muted">{p.personId}</span> <span class="muted">{p.documents.map((d) => d.number).join(', ')}</span>{' '}
                  <span class="badge">{words.restrictionsBadge(p.restrictions)}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {selected ? <PersonDetail key={selected} id={selected} /> : null}
    </>
  );
}
