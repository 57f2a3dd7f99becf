/**
 * Carriers' manifests on the border console: a carrier uploads a passenger list (JSON or a PAXLST
 * message) and sees, per traveller in the list's order, board / check at the border / do not board —
 * never why; it can refresh a manifest to see answers that changed before departure. An officer looks
 * a manifest up by its id and sees every traveller's screening with its reasons.
 */
import type { BorderManifestAnswer, CarrierAnswer, ManifestAnswer } from '@api/manifests';
import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { api, ApiError } from '../lib/api';
import { tokenFor } from '../lib/tokens';

const ANSWER_TEXT: Record<CarrierAnswer, string> = { board: 'Board', 'check-at-border': 'Board — check at the border', 'do-not-board': 'Do not board' };
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
    const hint = res.status === 401 || res.status === 403 ? 'Add a carrier token under “Tokens” at the top of the page (erx auth token --role carrier --carrier ID --data DIR makes one).' : undefined;
    throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`, body.field, hint);
  }
  return body;
}

function Answers({ manifest }: { manifest: ManifestAnswer }) {
  const count = (a: CarrierAnswer) => manifest.travellers.filter((t) => t.answer === a).length;
  return (
    <section class="card" aria-labelledby="manifest-answers-heading">
      <h2 id="manifest-answers-heading">
        {manifest.carrier} {manifest.service}, {manifest.from} → {manifest.to}
      </h2>
      <p>
        Manifest <code data-manifest-id>{manifest.manifestId}</code>, version {manifest.version}; departs {manifest.departureAt}
        {manifest.live ? ' (answers are kept current until then)' : ' (departed)'}. {manifest.travellers.length} travellers: {count('board')} board, {count('check-at-border')} check at the
        border, {count('do-not-board')} do not board.
      </p>
      {manifest.changes && manifest.changes.length > 0 ? (
        <div class="note note-ok" role="status">
          Changed since you last looked: {manifest.changes.map((c) => `#${c.position} ${ANSWER_TEXT[c.from]} → ${ANSWER_TEXT[c.to]}`).join('; ')}
        </div>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Surname</th>
            <th scope="col">Given names</th>
            <th scope="col">Born</th>
            <th scope="col">Document</th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {manifest.travellers.map((t) => (
            <tr key={t.position} data-answer={t.answer}>
              <td>{t.position}</td>
              <th scope="row">{t.surname}</th>
              <td>{t.givenNames}</td>
              <td>{t.dateOfBirth}</td>
              <td>{t.documentNumber}</td>
              <td class={t.answer === 'do-not-board' ? 'bad' : undefined}>{ANSWER_TEXT[t.answer]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function reasonLine(r: Record<string, unknown>): string {
  if (r.source === 'list') return `restriction ${String(r.restrictionId)} (${String(r.kind)}, ${String(r.office)}): ${String(r.status)} — ${String(r.detail)}`;
  if (r.source === 'rule') return `rule ${String(r.ruleId)}: ${String(r.status)} — ${String(r.detail)}`;
  return String(r.detail ?? r.kind);
}

function OfficerView({ manifest }: { manifest: BorderManifestAnswer }) {
  return (
    <section class="card" aria-labelledby="manifest-reasons-heading">
      <h2 id="manifest-reasons-heading">
        Manifest {manifest.manifestId}: {manifest.carrier} {manifest.service}, departs {manifest.departureAt}
      </h2>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Traveller</th>
            <th scope="col">Carrier told</th>
            <th scope="col">Now / at departure</th>
            <th scope="col">Reasons</th>
          </tr>
        </thead>
        <tbody>
          {manifest.travellers.map((t) => (
            <tr key={t.position} data-position={t.position}>
              <td>{t.position}</td>
              <th scope="row">
                {t.traveller.surname}, {t.traveller.givenNames} ({t.traveller.dateOfBirth}, {t.traveller.nationality} {t.traveller.documentNumber})
              </th>
              <td>{ANSWER_TEXT[t.answer]}</td>
              <td>
                {t.decision} / {t.decisionAtDeparture}
              </td>
              <td>
                {t.reasons.length === 0 ? 'none' : (
                  <ul>
                    {t.reasons.map((r, i) => (
                      <li key={i}>{reasonLine(r as Record<string, unknown>)}</li>
                    ))}
                  </ul>
                )}
                <small>screening {t.screeningId}</small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {manifest.changes.length > 0 ? <p>Changes: {manifest.changes.map((c) => `v${c.version} #${c.position} ${c.from} → ${c.to} at ${c.at}`).join('; ')}</p> : null}
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

  return (
    <>
      <h1>Manifests</h1>
      <p class="lead">
        A carrier screens its passenger list before departure and is told, per traveller, only whether to board them. Until departure the answers are kept current: a
        restriction imposed or lifted changes them.
      </p>
      <form class="card" onSubmit={upload}>
        <h2>Upload a manifest (carrier)</h2>
        <label for="manifest-file">Manifest file: JSON, or a PAXLST message (.edi)</label>
        <input
          id="manifest-file"
          type="file"
          accept=".json,.edi,.edifact,.paxlst,.txt,application/json,application/edifact,text/plain"
          aria-describedby="manifest-help"
          onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
        />
        <p id="manifest-help" class="help">
          At most 1,000 travellers. Needs a carrier token. The answers say nothing about why: an officer at the border sees that.
        </p>
        <div class="buttons">
          <button type="submit" class="primary" disabled={!file || busy}>
            {busy ? 'Screening…' : 'Screen the manifest'}
          </button>
          {answer ? (
            <button type="button" onClick={refresh}>
              Refresh answers
            </button>
          ) : null}
        </div>
        <ErrorNote error={error} id="manifest-error" />
      </form>
      {answer ? <Answers manifest={answer} /> : null}
      <form class="card" onSubmit={lookUp}>
        <h2>Look up a manifest (border officer)</h2>
        <label for="manifest-id">Manifest id</label>
        <input id="manifest-id" type="text" value={lookupId} onInput={(e) => setLookupId((e.currentTarget as HTMLInputElement).value)} autocomplete="off" spellcheck={false} />
        <div class="buttons">
          <button type="submit" disabled={lookupId.trim() === ''}>
            Show the reasons
          </button>
        </div>
        <ErrorNote error={lookupError} />
      </form>
      {border ? <OfficerView manifest={border} /> : null}
    </>
  );
}
