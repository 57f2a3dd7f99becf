/** The register operator's actions on a restriction — issue, record service — as small forms (lifting: LiftFlow.tsx). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { lookup } from '../i18n/plural';
import { api, ROLES } from '../lib/api';
import { inputToIso, kindLabel, nowForInput, number } from '../lib/format';
import { tokens } from '../lib/tokens';
import type { RestrictionRecord as Restriction, RestrictionWriteAnswer } from '@api/restrictions';
import { ErrorNote, errorText } from './ErrorNote';

export const KINDS = ['call-up', 'court-order', 'other'] as const;
export const CHANNELS = ['in-person', 'post', 'portal'] as const;

type Done = (message: string) => void;
const changesText = (changes: unknown) => (Array.isArray(changes) && changes.length > 0 ? t().forms.changes(changes.map((c) => (typeof c === 'number' ? number(c) : String(c))).join(', ')) : '');
const value = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;

function useSubmit(run: () => Promise<string>, done: Done) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      done(await run());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit, field: error ? errorText(error).field : undefined };
}

/** Moves focus into a form as it opens (autofocus only works on page load). */
function useFocusFirst() {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}

/** aria attributes tying an input to the form's error when the error names it. */
const invalid = (field: string | undefined, name: string, errorId: string) =>
  field === name || field?.endsWith(`.${name}`) ? { 'aria-invalid': true, 'aria-describedby': errorId } : {};

export function ServeForm({ r, onDone, onCancel }: { r: Restriction; onDone: Done; onCancel: () => void }) {
  const [at, setAt] = useState(nowForInput());
  const [channel, setChannel] = useState<string>('in-person');
  const [delivered, setDelivered] = useState('');
  const id = `serve-${r.restrictionId}`;
  const first = useFocusFirst();
  const { busy, error, submit, field } = useSubmit(async () => {
    const body: Record<string, unknown> = { servedAt: inputToIso(at), serviceChannel: channel };
    if (delivered) body.deliveredAt = inputToIso(delivered);
    const res = await api<RestrictionWriteAnswer>(`/v1/restrictions/${encodeURIComponent(r.restrictionId)}/service`, { body, roles: ROLES.writeRegister });
    return t().forms.served(r.restrictionId, changesText(res.changes));
  }, onDone);
  const words = t().forms;
  return (
    <form class="action-form" onSubmit={submit} aria-label={words.serveLabel(r.restrictionId)}>
      <div class="field">
        <label for={`${id}-at`}>{words.servedAt}</label>
        <input id={`${id}-at`} type="datetime-local" required value={at} onInput={(e) => setAt(value(e))} ref={first} {...invalid(field, 'servedAt', `${id}-error`)} />
      </div>
      <div class="field">
        <label for={`${id}-channel`}>{words.channel}</label>
        <select id={`${id}-channel`} value={channel} onChange={(e) => setChannel(value(e))}>
          {CHANNELS.map((x) => (
            <option key={x} value={x}>
              {lookup(words.channels, x)}
            </option>
          ))}
        </select>
      </div>
      {channel === 'portal' ? (
        <div class="field">
          <label for={`${id}-delivered`}>{words.openedAt}</label>
          <input id={`${id}-delivered`} type="datetime-local" value={delivered} onInput={(e) => setDelivered(value(e))} {...invalid(field, 'deliveredAt', `${id}-error`)} />
        </div>
      ) : null}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? words.recording : words.recordService}
        </button>
        <button type="button" onClick={onCancel}>
          {words.cancel}
        </button>
      </div>
      <ErrorNote error={error} id={`${id}-error`} />
    </form>
  );
}

export function IssueForm({ personId, onDone }: { personId: string; onDone: Done }) {
  const officeToken = tokens().find((t) => t.role === 'office');
  const [f, setF] = useState({ restrictionId: '', kind: 'call-up', basis: '', office: officeToken?.office ?? '', issuedAt: nowForInput(), expiresAt: '', reviewAt: '', campaign: '' });
  const first = useRef<HTMLInputElement>(null);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: value(e) });
  const { busy, error, submit, field } = useSubmit(async () => {
    const body: Record<string, unknown> = { personId, restrictionId: f.restrictionId.trim(), kind: f.kind, basis: f.basis.trim(), office: f.office.trim(), issuedAt: inputToIso(f.issuedAt) };
    if (f.expiresAt) body.expiresAt = inputToIso(f.expiresAt);
    if (f.reviewAt) body.reviewAt = inputToIso(f.reviewAt);
    if (f.campaign.trim()) body.campaign = f.campaign.trim();
    const res = await api<RestrictionWriteAnswer>('/v1/restrictions', { body, roles: ROLES.writeRegister });
    const id = f.restrictionId.trim();
    setF({ ...f, restrictionId: '', basis: '' });
    first.current?.focus();
    return t().forms.issued(id, changesText(res.changes));
  }, onDone);
  const words = t().forms;
  const text = (k: keyof typeof f, labelText: string, extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={`issue-${k}`}>{labelText}</label>
      <input id={`issue-${k}`} value={f[k]} onInput={set(k)} {...invalid(field, k, 'issue-error')} {...extra} />
    </div>
  );
  return (
    <form class="grid-form" onSubmit={submit} aria-label={words.issueLabel}>
      {text('restrictionId', words.restrictionId, { required: true, ref: first, autocomplete: 'off', spellcheck: false })}
      <div class="field">
        <label for="issue-kind">{words.kind}</label>
        <select id="issue-kind" value={f.kind} onChange={set('kind')}>
          {KINDS.map((x) => (
            <option key={x} value={x}>
              {kindLabel(x)}
            </option>
          ))}
        </select>
      </div>
      {text('basis', words.basis, { required: true })}
      {text('office', words.office, { required: true, readOnly: Boolean(officeToken?.office) })}
      {text('issuedAt', words.issuedAt, { type: 'datetime-local', required: true })}
      {text('expiresAt', words.expiresAt, { type: 'datetime-local' })}
      {text('reviewAt', words.reviewAt, { type: 'datetime-local' })}
      {text('campaign', words.campaign)}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? words.issuing : words.issue}
        </button>
      </div>
      <ErrorNote error={error} id="issue-error" />
    </form>
  );
}
