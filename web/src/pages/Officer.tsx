/**
 * The checkpoint officer's screen: one traveller at a time. Keyboard first: focus starts in the MRZ
 * field; a scanner's lines (or a paste) go in, and Enter after the last line screens; Ctrl+Enter
 * screens at once. Typed fields are the other way in, for a document without a readable zone; that
 * form starts in Surname.
 *
 * One traveller at a time, because a decision read for the wrong person is the worst failure here:
 *  - a screening that starts (a scan, a typed form sent) takes the previous decision off the screen at
 *    once; while it runs only "Screening …" shows, and an answer that arrives after the officer has
 *    moved on (Esc, another screening) is dropped;
 *  - the zone or the fields changing after a decision take that decision off the screen too;
 *  - "Next traveller" (Esc, in either mode) clears every field and the decision;
 *  - after a decision the typed fields are emptied, so nothing carries into the next traveller by
 *    accident; "Correct these details" brings them back on purpose;
 *  - the decision names whom it is about (ScreeningResult's banner).
 * After an answer the zone's text stays selected, so the next scan replaces it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { t } from '../i18n';
import { decisionWord, ScreeningResult, travellerSummary } from '../components/ScreeningResult';
import { RecordOutcome } from '../components/RecordOutcome';
import { ScreeningTrouble, troubleOf, type Trouble } from '../components/ScreeningTrouble';
import { api, ROLES } from '../lib/api';
import { localTime } from '../lib/format';
import { longDate } from '../lib/plainDates';
import { errorSpan, expectedLength, mrzComplete, mrzLines } from '../lib/mrz';
import { usePoll } from '../lib/poll';
import type { AuditedScreening, ScreeningAnswer as Screening } from '@api/screening';

type Mode = 'mrz' | 'typed';
const TYPED = [
  { name: 'surname', auto: 'family-name' },
  { name: 'givenNames', auto: 'given-name' },
  { name: 'dateOfBirth', auto: 'off' },
  { name: 'documentNumber', auto: 'off' },
  { name: 'nationality', auto: 'off' },
  { name: 'sex', auto: 'off' },
] as const;
type TypedName = (typeof TYPED)[number]['name'];
type Typed = Record<TypedName, string>;
const EMPTY: Typed = { surname: '', givenNames: '', dateOfBirth: '', documentNumber: '', nationality: '', sex: '' };
const shortName = (field: string) => (field in t().officer.short ? t().officer.short[field as TypedName] : field);

/** What the answer area shows: nothing, "Screening …", a decision, or why there is none. */
type Answer =
  | { state: 'idle' }
  | { state: 'pending' }
  | { state: 'done'; result: Screening; typed?: Typed }
  | { state: 'failed'; trouble: Trouble; mrz: string };

/** The MRZ as typed, with the characters a check-digit error names marked. */
function MarkedMrz({ text, message }: { text: string; message: string }) {
  const span = errorSpan(message);
  const lines = mrzLines(text);
  if (!span || !lines[span.line - 1]) return null;
  return (
    <pre class="mrz-marked" aria-label={t().officer.markedZone}>
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
      <h2 id="recent-heading">{t().officer.recentHeading}</h2>
      {error ? <ErrorNote error={error} /> : null}
      {list && list.length === 0 ? <p class="muted">{t().officer.noneYet}</p> : null}
      {list && list.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t().officer.colTime}</th>
              <th scope="col">{t().officer.colTraveller}</th>
              <th scope="col">{t().officer.colDob}</th>
              <th scope="col">{t().officer.colDocument}</th>
              <th scope="col">{t().officer.colDecision}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.screeningId}>
                <td>{localTime(s.at)}</td>
                <td>{[s.request.surname, s.request.givenNames].filter(Boolean).join(' ') || '—'}</td>
                <td>{s.request.dateOfBirth ? longDate(s.request.dateOfBirth) : '—'}</td>
                <td>{s.request.documentNumber ?? '—'}</td>
                <td>
                  <span class={`badge badge-${s.decision}`}>{decisionWord(s.decision)}</span>
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
  const [typed, setTyped] = useState<Typed>(EMPTY);
  const [answer, setAnswer] = useState<Answer>({ state: 'idle' });
  const [screened, setScreened] = useState(0);
  const mrzField = useRef<HTMLTextAreaElement>(null);
  const firstTyped = useRef<HTMLInputElement>(null);
  /** The screening in flight: a newer one, or "Next traveller", makes an older answer stale. */
  const current = useRef<{ n: number; abort?: AbortController }>({ n: 0 });

  const focusEntry = (m: Mode = mode) => (m === 'mrz' ? mrzField.current : firstTyped.current)?.focus();
  useEffect(() => focusEntry(), [mode]);

  /** Forget the screening in flight, if any: its answer will not be shown. */
  function supersede(): number {
    current.current.abort?.abort();
    current.current = { n: current.current.n + 1 };
    return current.current.n;
  }

  function nextTraveller(m: Mode = mode) {
    supersede();
    setMrz('');
    setTyped(EMPTY);
    setAnswer({ state: 'idle' });
    focusEntry(m);
  }

  // Esc is "Next traveller" in both modes, wherever focus is on the page (not in the token panel).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || (e.target as Element | null)?.closest?.('header')) return;
      e.preventDefault();
      nextTraveller();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  function switchMode(m: Mode) {
    if (m === mode) return;
    supersede();
    setAnswer({ state: 'idle' });
    setMode(m);
  }

  async function screen() {
    const zone = mrzLines(mrz).join('\n');
    const sent = { ...typed };
    let body: Record<string, string>;
    if (mode === 'mrz') {
      body = { mrz: zone };
    } else {
      body = Object.fromEntries(
        Object.entries(typed)
          .filter(([, v]) => v.trim() !== '')
          .map(([k, v]) => [k, k === 'surname' || k === 'givenNames' || k === 'nationality' || k === 'sex' ? v.trim().toUpperCase() : v.trim()]),
      );
    }
    // The previous decision leaves the screen now, before anything else can go wrong.
    const n = supersede();
    if (mode === 'mrz' && zone === '') {
      setAnswer({ state: 'failed', trouble: { kind: 'zone', what: t().officer.nothingScanned, technical: 'empty zone' }, mrz });
      return;
    }
    if (mode === 'typed' && !body.documentNumber && !(body.surname && body.givenNames)) {
      setAnswer({ state: 'failed', trouble: { kind: 'field', field: body.surname ? 'givenNames' : 'surname', message: t().officer.giveDocOrName, technical: '' }, mrz });
      return;
    }
    const abort = new AbortController();
    current.current.abort = abort;
    setAnswer({ state: 'pending' });
    try {
      const result = await api<Screening>('/v1/screenings', { body, roles: ROLES.screen, signal: abort.signal });
      if (current.current.n !== n) return;
      setAnswer(mode === 'typed' ? { state: 'done', result, typed: sent } : { state: 'done', result });
      // Nothing typed for this traveller stays for the next one; the zone stays selected for the next scan.
      if (mode === 'typed') setTyped(EMPTY);
    } catch (err) {
      if (current.current.n !== n || (err as Error).name === 'AbortError') return;
      setAnswer({ state: 'failed', trouble: troubleOf(err), mrz });
    } finally {
      if (current.current.n === n) {
        setScreened((x) => x + 1);
        if (mode === 'mrz') mrzField.current?.select();
        else firstTyped.current?.focus();
      }
    }
  }

  /** New data for the next traveller takes the last decision off the screen. */
  const dropDecision = () => {
    if (answer.state === 'done') setAnswer({ state: 'idle' });
  };

  const onMrzKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || mrzComplete(mrz))) {
      e.preventDefault();
      void screen();
    }
  };

  const lines = mrzLines(mrz);
  const want = expectedLength(lines);
  const busy = answer.state === 'pending';
  const trouble = answer.state === 'failed' ? answer.trouble : null;
  const zoneTrouble = trouble?.kind === 'zone';
  const fieldTrouble = trouble?.kind === 'field' ? trouble : null;
  const nextButton = (
    <button type="button" class="next-traveller" aria-keyshortcuts="Escape" onClick={() => nextTraveller()}>
      {t().officer.next} <kbd>Esc</kbd>
    </button>
  );
  const screenButtons = (
    <div class="buttons">
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t().officer.screening : t().officer.screen}
      </button>
      {nextButton}
    </div>
  );

  return (
    <>
      <h1>{t().officer.heading}</h1>
      <div class="officer-desk">
        <div class="officer-entry">
          <div class="segmented" role="group" aria-label={t().officer.modeGroup}>
            <button type="button" aria-pressed={mode === 'mrz'} onClick={() => switchMode('mrz')}>
              {t().officer.modeMrz}
            </button>
            <button type="button" aria-pressed={mode === 'typed'} onClick={() => switchMode('typed')}>
              {t().officer.modeTyped}
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
              <label for="mrz">{t().officer.mrzLabel}</label>
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
                aria-describedby={`mrz-help mrz-count${zoneTrouble ? ' screen-error' : ''}`}
                aria-invalid={zoneTrouble ? true : undefined}
                onInput={(e) => {
                  setMrz((e.currentTarget as HTMLTextAreaElement).value);
                  dropDecision();
                }}
                onKeyDown={onMrzKey}
              />
              <p id="mrz-help" class="help">
                {t().officer.mrzHelpBefore} <kbd>Ctrl</kbd>+<kbd>Enter</kbd> {t().officer.mrzHelpCtrl} <kbd>Esc</kbd> {t().officer.mrzHelpEsc}
              </p>
              <p id="mrz-count" class="help mono">
                {lines.length === 0 ? t().officer.nothingEntered : lines.map((l, i) => t().officer.lineCount(i + 1, l.length, want)).join(' · ')}
                {mrzComplete(mrz) ? t().officer.complete : ''}
              </p>
              {screenButtons}
            </form>
          ) : (
            <form
              class="card typed-form"
              onSubmit={(e) => {
                e.preventDefault();
                void screen();
              }}
            >
              {TYPED.map((f, i) => {
                const wrong = fieldTrouble?.field === f.name;
                return (
                  <div class={`field${wrong ? ' field-error' : ''}`} key={f.name}>
                    <label for={`t-${f.name}`}>{t().officer.typed[f.name]}</label>
                    {wrong ? (
                      <p class="error-message" id={`t-${f.name}-error`}>
                        <span class="sr-only">{t().errors.error}</span> {shortName(f.name)}: {fieldTrouble.message}
                      </p>
                    ) : null}
                    <input
                      id={`t-${f.name}`}
                      ref={i === 0 ? firstTyped : undefined}
                      value={typed[f.name]}
                      autocomplete={f.auto}
                      spellcheck={false}
                      aria-invalid={wrong ? true : undefined}
                      aria-describedby={wrong ? `t-${f.name}-error` : undefined}
                      onInput={(e) => {
                        setTyped({ ...typed, [f.name]: (e.currentTarget as HTMLInputElement).value });
                        dropDecision();
                      }}
                    />
                  </div>
                );
              })}
              <p class="help">{t().officer.typedHelp}</p>
              {screenButtons}
            </form>
          )}
        </div>

        <div class="officer-answer">
          {/* What a screen reader announces: the decision in one sentence, with whom it is about; the details follow below. */}
          <p class="sr-only" role="status">
            {busy
              ? t().officer.screening
              : answer.state === 'done'
                ? t().officer.announce(decisionWord(answer.result.decision), travellerSummary(answer.result.traveller), t().result.advice[answer.result.decision], answer.result.reasons.length)
                : ''}
          </p>
          {/* The answer's own heading, for the outline (the decision's sections are h3); outside the region, which shows only the answer. */}
          <h2 id="answer-heading" class="sr-only">
            {t().officer.answerRegion}
          </h2>
          <section aria-busy={busy} class="answer" aria-labelledby="answer-heading">
            {answer.state === 'idle' ? <p class="answer-idle muted">{t().officer.idle}</p> : null}
            {busy ? (
              <p class="screening-pending" data-testid="screening-pending">
                {t().officer.screeningPending}
              </p>
            ) : null}
            {trouble ? (
              <ScreeningTrouble
                trouble={trouble}
                fieldLabel={shortName}
                onRescan={() => nextTraveller('mrz')}
                onTypeFields={() => {
                  if (mode === 'typed') nextTraveller('typed');
                  else switchMode('typed');
                }}
              />
            ) : null}
            {answer.state === 'failed' && zoneTrouble && mode === 'mrz' ? <MarkedMrz text={answer.mrz} message={answer.trouble.technical} /> : null}
            {answer.state === 'done' ? (
              <>
                <ScreeningResult result={answer.result} />
                <RecordOutcome result={answer.result} />
                {answer.typed ? (
                  <p class="buttons">
                    <button
                      type="button"
                      onClick={() => {
                        setTyped(answer.typed!);
                        setAnswer({ state: 'idle' });
                        firstTyped.current?.focus();
                      }}
                    >
                      {t().officer.correctAgain}
                    </button>
                  </p>
                ) : null}
              </>
            ) : null}
          </section>
        </div>
      </div>
      <Recent version={screened} />
    </>
  );
}
