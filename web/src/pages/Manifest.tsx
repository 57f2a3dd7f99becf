/**
 * Carriers' manifests on the border console: a carrier uploads a passenger list (JSON or a PAXLST
 * message) and sees, per traveller in the list's order, board / check at the border / do not board —
 * never why; it can refresh a manifest to see answers that changed before departure. An officer looks
 * a manifest up by its id and sees every traveller's screening with its reasons.
 */
import type { BorderManifestAnswer, CarrierAnswer, ManifestAnswer } from '@api/manifests';
import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { t } from '../i18n';
import { lookup } from '../i18n/plural';
import { api, ApiError } from '../lib/api';
import { kindLabel, localiseDates, localTime, number } from '../lib/format';
import { longDate } from '../lib/plainDates';
import { tokenFor } from '../lib/tokens';

const answerText = (a: CarrierAnswer) => t().manifest.answers[a];
/** MAX_MANIFEST_TRAVELLERS of src/api/manifests.ts: the pages import only types from @api, which keeps zod out of the bundle. */
const MAX_TRAVELLERS = 1000;
const CARRIER = ['carrier'] as const;
const OFFICER = ['checkpoint', 'auditor', 'operator'] as const;

/** A PAXLST by its name or its first segment; anything else is sent as JSON. */
export function isEdifact(name: string, text: string): boolean {
  return /\.(edi|edifact|paxlst)$/i.test(name) || /^\s*(UNA|UNB|UNH)/.test(text);
}

/** POST /v1/manifests with the file's bytes as they are (api() sends JSON only). */
async function sendManifest(text: string, edifact: boolean): Promise<ManifestAnswer> {
  const token = tokenFor(CARRIER);
  const res = await fetch('/v1/manifests', {
    method: 'POST',
    headers: { 'content-type': edifact ? 'application/edifact' : 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: text,
  });
  const body = (await res.json().catch(() => ({}))) as ManifestAnswer & { error?: string; field?: string };
  if (!res.ok) {
    const hint = res.status === 401 || res.status === 403 ? t().manifest.needsToken : undefined;
    throw new ApiError(res.status, body.error ?? t().manifest.httpStatus(res.status), body.field, hint);
  }
  return body;
}

function Answers({ manifest }: { manifest: ManifestAnswer }) {
  const count = (a: CarrierAnswer) => manifest.travellers.filter((row) => row.answer === a).length;
  const words = t().manifest;
  return (
    <section class="card" aria-labelledby="manifest-answers-heading">
      <h2 id="manifest-answers-heading">
        {manifest.carrier} {manifest.service}, {manifest.from} → {manifest.to}
      </h2>
      <p>
        {words.manifestWord} <code data-manifest-id>{manifest.manifestId}</code>
        {words.versionDeparts(manifest.version, localTime(manifest.departureAt))}
        {manifest.live ? words.live : words.departed}. {words.counts(manifest.travellers.length, count('board'), count('check-at-border'), count('do-not-board'))}
      </p>
      {manifest.changes && manifest.changes.length > 0 ? (
        <div class="note note-ok" role="status">
          {words.changedSince(manifest.changes.map((c) => words.changedItem(c.position, answerText(c.from), answerText(c.to))).join('; '))}
        </div>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{words.surname}</th>
            <th scope="col">{words.givenNames}</th>
            <th scope="col">{words.born}</th>
            <th scope="col">{words.document}</th>
            <th scope="col">{words.answer}</th>
          </tr>
        </thead>
        <tbody>
          {manifest.travellers.map((row) => (
            <tr key={row.position} data-answer={row.answer}>
              <td>{number(row.position)}</td>
              <th scope="row">{row.surname}</th>
              <td>{row.givenNames}</td>
              <td>{longDate(row.dateOfBirth)}</td>
              <td>{row.documentNumber}</td>
              <td class={row.answer === 'do-not-board' ? 'bad' : undefined}>{answerText(row.answer)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A reason in the reader's words; the service's detail is its own English, with its dates made local. */
function reasonLine(r: Record<string, unknown>): string {
  const words = t();
  const detail = localiseDates(String(r.detail ?? r.kind));
  if (r.source === 'list') {
    return words.manifest.reasonRestriction(String(r.restrictionId), kindLabel(String(r.kind)), String(r.office), lookup(words.result.status, String(r.status)), detail);
  }
  if (r.source === 'rule') return words.manifest.reasonRule(String(r.ruleId), lookup(words.result.ruleStatus, String(r.status)), detail);
  return detail;
}

function OfficerView({ manifest }: { manifest: BorderManifestAnswer }) {
  const words = t().manifest;
  const decision = t().decision;
  return (
    <section class="card" aria-labelledby="manifest-reasons-heading">
      <h2 id="manifest-reasons-heading">{words.officerHeading(manifest.manifestId, manifest.carrier, manifest.service, localTime(manifest.departureAt))}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{words.traveller}</th>
            <th scope="col">{words.carrierTold}</th>
            <th scope="col">{words.nowAtDeparture}</th>
            <th scope="col">{words.reasons}</th>
          </tr>
        </thead>
        <tbody>
          {manifest.travellers.map((row) => (
            <tr key={row.position} data-position={row.position}>
              <td>{number(row.position)}</td>
              <th scope="row">
                {row.traveller.surname}, {row.traveller.givenNames} ({longDate(row.traveller.dateOfBirth)}, {row.traveller.nationality} {row.traveller.documentNumber})
              </th>
              <td>{answerText(row.answer)}</td>
              <td>
                {decision[row.decision]} / {decision[row.decisionAtDeparture]}
              </td>
              <td>
                {row.reasons.length === 0 ? words.noReasons : (
                  <ul>
                    {row.reasons.map((r, i) => (
                      <li key={i}>{reasonLine(r as Record<string, unknown>)}</li>
                    ))}
                  </ul>
                )}
                {' '}
                <small>{words.screeningId(row.screeningId)}</small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {manifest.changes.length > 0 ? (
        <p>{words.changes(manifest.changes.map((c) => words.change(c.version, c.position, answerText(c.from), answerText(c.to), localTime(c.at))).join('; '))}</p>
      ) : null}
    </section>
  );
}

export function Manifest() {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ManifestAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [lookupId, setLookupId] = useState('');
  const [border, setBorder] = useState<BorderManifestAnswer | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);

  async function upload(e: Event) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      const text = await file.text();
      setAnswer(await sendManifest(text, isEdifact(file.name, text)));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function refresh() {
    if (!answer) return;
    setError(null);
    try {
      setAnswer(await api<ManifestAnswer>(`/v1/manifests/${encodeURIComponent(answer.manifestId)}?since=${answer.version}`, { roles: CARRIER }));
    } catch (err) {
      setError(err);
    }
  }

  async function lookUp(e: Event) {
    e.preventDefault();
    setLookupError(null);
    setBorder(null);
    try {
      setBorder(await api<BorderManifestAnswer>(`/v1/manifests/${encodeURIComponent(lookupId.trim())}/reasons`, { roles: OFFICER }));
    } catch (err) {
      setLookupError(err);
    }
  }

  const words = t().manifest;
  return (
    <>
      <h1>{t().pages.manifests.title}</h1>
      <p class="lead">{words.lead}</p>
      <form class="card" onSubmit={upload}>
        <h2>{words.uploadHeading}</h2>
        <label for="manifest-file">{words.fileLabel}</label>
        <input
          id="manifest-file"
          type="file"
          accept=".json,.edi,.edifact,.paxlst,.txt,application/json,application/edifact,text/plain"
          aria-describedby="manifest-help"
          onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
        />
        <p id="manifest-help" class="help">
          {words.fileHelp(MAX_TRAVELLERS)}
        </p>
        <div class="buttons">
          <button type="submit" class="primary" disabled={!file || busy}>
            {busy ? words.screening : words.screen}
          </button>
          {answer ? (
            <button type="button" onClick={refresh}>
              {words.refresh}
            </button>
          ) : null}
        </div>
        <ErrorNote error={error} id="manifest-error" />
      </form>
      {answer ? <Answers manifest={answer} /> : null}
      <form class="card" onSubmit={lookUp}>
        <h2>{words.lookupHeading}</h2>
        <label for="manifest-id">{words.idLabel}</label>
        <input id="manifest-id" type="text" value={lookupId} onInput={(e) => setLookupId((e.currentTarget as HTMLInputElement).value)} autocomplete="off" spellcheck={false} />
        <div class="buttons">
          <button type="submit" disabled={lookupId.trim() === ''}>
            {words.showReasons}
          </button>
        </div>
        <ErrorNote error={lookupError} />
      </form>
      {border ? <OfficerView manifest={border} /> : null}
    </>
  );
}
