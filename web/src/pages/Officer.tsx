/**
 * The checkpoint officer's screen. Keyboard first: focus starts in the MRZ field; a scanner's lines (or
 * a paste) go in, and Enter after the last line screens; Ctrl+Enter screens at once; Esc clears. After
 * each answer the field's text stays selected, so the next scan replaces it. Typed fields are the
 * other way in, for a document without a readable zone.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNote, errorText } from '../components/ErrorNote';
import { ADVICE, ScreeningResult } from '../components/ScreeningResult';
import { ApiError, api, ROLES } from '../lib/api';
import { localTime } from '../lib/format';
import { errorSpan, expectedLength, mrzComplete, mrzLines } from '../lib/mrz';
import { usePoll } from '../lib/poll';
import type { AuditedScreening, ScreeningAnswer as Screening } from '@api/screening';

type Mode = 'mrz' | 'typed';
const TYPED = [
  { name: 'surname', label: 'Surname (Latin letters, as in the passport)', auto: 'family-name' },
  { name: 'givenNames', label: 'Given names', auto: 'given-name' },
  { name: 'dateOfBirth', label: 'Date of birth (YYYY-MM-DD, or YYYY-MM, or YYYY)', auto: 'off' },
  { name: 'documentNumber', label: 'Document number', auto: 'off' },
  { name: 'nationality', label: 'Nationality (three-letter code, e.g. RUS)', auto: 'off' },
  { name: 'sex', label: 'Sex (M, F or X, as in the passport; category-wide rules use it)', auto: 'off' },
] as const;
type TypedName = (typeof TYPED)[number]['name'];

/** The MRZ as typed, with the characters a check-digit error names marked. */
function MarkedMrz({ text, message }: { text: string; message: string }) {
  const span = errorSpan(message);
  const lines = mrzLines(text);
  if (!span || !lines[span.line - 1]) return null;
  return (
    <pre class="mrz-marked" aria-label="The zone with the failing characters marked">
      {lines.map((l, i) =>
        i === span.line - 1 ? (
          <div key={i}>
            {l.slice(0, span.start - 1)}
            <mark>{l.slice(span.start - 1, span.end)}</mark>
            {l.slice(span.end)}
          </div>
        ) : (
          <div key={i}>{l}</div>
        ),
      )}
    </pre>
  );
}

function Recent({ version }: { version: number }) {
  const [list, setList] = useState<AuditedScreening[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  usePoll(
    async () => {
      try {
        setList((await api<{ screenings: AuditedScreening[] }>('/v1/screenings?limit=10', { roles: ROLES.ownScreenings })).screenings);
        setError(null);
      } catch (err) {
        setError(err);
      }
    },
    10_000,
    [version],
  );
  return (
    <section aria-labelledby="recent-heading" class="card">
      <h2 id="recent-heading">Recent screenings at this checkpoint</h2>
      {error ? <ErrorNote error={error} /> : null}
      {list && list.length === 0 ? <p class="muted">None yet.</p> : null}
      {list && list.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Traveller</th>
              <th scope="col">Date of birth</th>
              <th scope="col">Document</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.screeningId}>
                <td>{localTime(s.at)}</td>
                <td>{[s.request.surname, s.request.givenNames].filter(Boolean).join(' ') || '—'}</td>
                <td>{s.request.dateOfBirth ?? '—'}</td>
                <td>{s.request.documentNumber ?? '—'}</td>
                <td>
                  <span class={`badge badge-${s.decision}`}>{s.decision}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function Officer() {
  const [mode, setMode] = useState<Mode>('mrz');
  const [mrz, setMrz] = useState('');
  const [typed, setTyped] = useState<Record<TypedName, string>>({ surname: '', givenNames: '', dateOfBirth: '', documentNumber: '', nationality: '', sex: '' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Screening | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [screened, setScreened] = useState(0);
  const mrzField = useRef<HTMLTextAreaElement>(null);
  const firstTyped = useRef<HTMLInputElement>(null);

  useEffect(() => {
    (mode === 'mrz' ? mrzField.current : firstTyped.current)?.focus();
  }, [mode]);

  async function screen() {
    if (busy) return;
    const body =
      mode === 'mrz'
        ? { mrz: mrzLines(mrz).join('\n') }
        : Object.fromEntries(Object.entries(typed).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, k === 'surname' || k === 'givenNames' || k === 'nationality' || k === 'sex' ? v.trim().toUpperCase() : v.trim()]));
    if (mode === 'mrz' && body.mrz === '') {
      setError(new ApiError(400, 'scan or paste the machine-readable zone first', 'mrz'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setResult(await api<Screening>('/v1/screenings', { body, roles: ROLES.screen }));
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
      setScreened((n) => n + 1);
      // Ready for the next traveller: the next scan replaces what is there.
      if (mode === 'mrz') mrzField.current?.select();
    }
  }

  const onMrzKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || mrzComplete(mrz))) {
      e.preventDefault();
      void screen();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setMrz('');
      setResult(null);
      setError(null);
    }
  };

  const lines = mrzLines(mrz);
  const want = expectedLength(lines);
  const err = error ? errorText(error) : null;
  const mrzError = err && (err.field?.startsWith('mrz') ?? false);

  return (
    <>
      <h1>Screen a traveller</h1>
      <p class="lead">Scan or paste the passport's machine-readable zone, or type the fields. The decision appears below with its reasons.</p>
      <div class="segmented" role="group" aria-label="How to enter the traveller">
        <button type="button" aria-pressed={mode === 'mrz'} onClick={() => setMode('mrz')}>
          Machine-readable zone
        </button>
        <button type="button" aria-pressed={mode === 'typed'} onClick={() => setMode('typed')}>
          Type the fields
        </button>
      </div>

      {mode === 'mrz' ? (
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            void screen();
          }}
        >
          <label for="mrz">Machine-readable zone (2 or 3 lines)</label>
          <textarea
            id="mrz"
            ref={mrzField}
            rows={3}
            class="mrz"
            value={mrz}
            autofocus
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            aria-describedby={`mrz-help mrz-count${mrzError ? ' screen-error' : ''}`}
            aria-invalid={mrzError ? true : undefined}
            onInput={(e) => setMrz((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={onMrzKey}
          />
          <p id="mrz-help" class="help">
            Enter screens once the zone is complete (2 lines of 44 for a passport, 2×36, or 3×30 for an ID card) — before that it starts the next line, as a scanner
            expects. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> screens at once; <kbd>Esc</kbd> clears.
          </p>
          <p id="mrz-count" class="help mono">
            {lines.length === 0 ? 'Nothing entered yet.' : lines.map((l, i) => `Line ${i + 1}: ${l.length}/${want}`).join(' · ')}
            {mrzComplete(mrz) ? ' — complete' : ''}
          </p>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Screening…' : 'Screen'}
          </button>
        </form>
      ) : (
        <form
          class="card grid-form"
          onSubmit={(e) => {
            e.preventDefault();
            void screen();
          }}
        >
          {TYPED.map((f, i) => (
            <div class="field" key={f.name}>
              <label for={`t-${f.name}`}>{f.label}</label>
              <input
                id={`t-${f.name}`}
                ref={i === 0 ? firstTyped : undefined}
                value={typed[f.name]}
                autocomplete={f.auto}
                spellcheck={false}
                aria-invalid={err?.field === f.name ? true : undefined}
                aria-describedby={err?.field === f.name ? 'screen-error' : undefined}
                onInput={(e) => setTyped({ ...typed, [f.name]: (e.currentTarget as HTMLInputElement).value })}
              />
            </div>
          ))}
          <p class="help">Give the document number, or surname and given names; add the date of birth for a stronger match. Enter screens.</p>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Screening…' : 'Screen'}
          </button>
        </form>
      )}

      {/* What a screen reader announces: the decision in one sentence; the details follow below. */}
      <p class="sr-only" role="status">
        {busy ? 'Screening…' : result ? `${result.decision.toUpperCase()}. ${ADVICE[result.decision]} ${result.reasons.length} reason${result.reasons.length === 1 ? '' : 's'} below.` : ''}
      </p>
      <section aria-busy={busy} class="answer" aria-label="Screening answer">
        {error ? <ErrorNote error={error} id="screen-error" /> : null}
        {error && mrzError && mode === 'mrz' && err ? <MarkedMrz text={mrz} message={err.message} /> : null}
        {result ? <ScreeningResult result={result} /> : null}
      </section>
      <Recent version={screened} />
    </>
  );
}
