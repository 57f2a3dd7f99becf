/**
 * Lifting a restriction, in three steps an operator cannot rush through by accident:
 *   1. the form: when, and why — the reason is a choice with none made for them; "Continue" without one
 *      shows the error beside the field (GOV.UK: error message above the radios, the group marked);
 *   2. the confirmation: what will happen, in words, before anything is sent;
 *   3. the answer: the lift is recorded, and then how far it has reached the border — "applied by K of
 *      N following replicas", polled from the register (GET /v1/restrictions/{id}/reach) every second
 *      until every follower has it.
 */
import type { ReachAnswer } from '@api/reach';
import type { RestrictionRecord as Restriction, RestrictionWriteAnswer } from '@api/restrictions';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ROLES } from '../lib/api';
import { inputToIso, kindLabel, localTime, nowForInput, number } from '../lib/format';
import { usePoll } from '../lib/poll';
import { lookup } from '../i18n/plural';
import { ErrorNote } from './ErrorNote';

/** The reasons a lift may give (domain LiftReason); the operator reads them in the catalogue's words (t().lift.reasons). */
export const LIFT_REASONS = ['cancellation', 'deferment', 'exemption', 'expiry', 'other'] as const;

export interface LiftReachTarget {
  restrictionId: string;
  /** The lift's change in the register's log. */
  seq: number;
}

const reasonLabel = (v: string) => lookup(t().lift.reasons, v);

export function LiftFlow({ r, onLifted, onCancel }: { r: Restriction; onLifted: (message: string, reach: LiftReachTarget | null) => void; onCancel: () => void }) {
  const id = `lift-${r.restrictionId}`;
  const [at, setAt] = useState(nowForInput());
  const [reason, setReason] = useState<string | null>(null);
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [missing, setMissing] = useState<{ reason?: string; at?: string }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const first = useRef<HTMLInputElement>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    if (step === 'confirm') confirmHeading.current?.focus();
  }, [step]);

  const words = t().lift;
  const proceed = (e: Event) => {
    e.preventDefault();
    const found: { reason?: string; at?: string } = {};
    if (!reason) found.reason = words.selectReason;
    if (!inputToIso(at)) found.at = words.enterAt;
    setMissing(found);
    if (found.at) document.getElementById(`${id}-at`)?.focus();
    else if (found.reason) (document.querySelector(`input[name="${id}-reason"]`) as HTMLInputElement | null)?.focus();
    else setStep('confirm');
  };

  const lift = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<RestrictionWriteAnswer>(`/v1/restrictions/${encodeURIComponent(r.restrictionId)}/lift`, { body: { liftedAt: inputToIso(at), liftReason: reason }, roles: ROLES.writeRegister });
      const seq = res.changes.length > 0 ? Math.max(...res.changes) : null;
      onLifted(words.lifted(r.restrictionId, seq, reasonLabel(reason!)), seq ? { restrictionId: r.restrictionId, seq } : null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (step === 'confirm') {
    return (
      <div class="action-form lift-confirm" role="group" aria-labelledby={`${id}-confirm-heading`} data-testid="lift-confirm">
        <h4 id={`${id}-confirm-heading`} tabIndex={-1} ref={confirmHeading}>
          {words.confirmHeading(r.restrictionId)}
        </h4>
        <p>
          {words.confirmWhat(kindLabel(r.kind), r.basis)} {words.willStop} <strong>{localTime(inputToIso(at))}</strong>. {words.reason} <strong>{reasonLabel(reason!)}</strong>.
        </p>
        <p>{words.confirmText}</p>
        <div class="buttons">
          <button type="button" class="primary danger" disabled={busy} onClick={() => void lift()}>
            {busy ? words.lifting : words.yes(r.restrictionId)}
          </button>
          <button type="button" disabled={busy} onClick={() => setStep('form')}>
            {words.back}
          </button>
          <button type="button" disabled={busy} onClick={onCancel}>
            {words.cancel}
          </button>
        </div>
        <ErrorNote error={error} id={`${id}-error`} />
      </div>
    );
  }

  return (
    <form class="action-form" onSubmit={proceed} aria-label={words.formLabel(r.restrictionId)} noValidate>
      <div class={`field${missing.at ? ' field-error' : ''}`}>
        <label for={`${id}-at`}>{words.at}</label>
        {missing.at ? (
          <p class="error-message" id={`${id}-at-error`}>
            <span class="visually-hidden">{words.error}</span>
            {missing.at}
          </p>
        ) : null}
        <input
          id={`${id}-at`}
          type="datetime-local"
          value={at}
          onInput={(e) => setAt((e.currentTarget as HTMLInputElement).value)}
          ref={first}
          {...(missing.at ? { 'aria-invalid': true, 'aria-describedby': `${id}-at-error` } : {})}
        />
      </div>
      <fieldset class={`field radios${missing.reason ? ' field-error' : ''}`} {...(missing.reason ? { 'aria-describedby': `${id}-reason-error` } : {})}>
        <legend>{words.why}</legend>
        {missing.reason ? (
          <p class="error-message" id={`${id}-reason-error`}>
            <span class="visually-hidden">{words.error}</span>
            {missing.reason}
          </p>
        ) : null}
        {LIFT_REASONS.map((x) => (
          <label key={x} class="radio">
            <input
              type="radio"
              name={`${id}-reason`}
              value={x}
              checked={reason === x}
              onChange={() => {
                setReason(x);
                setMissing((m) => ({ ...(m.at ? { at: m.at } : {}) }));
              }}
              {...(missing.reason ? { 'aria-invalid': true } : {})}
            />{' '}
            {reasonLabel(x)}
          </label>
        ))}
      </fieldset>
      <div class="buttons">
        <button type="submit" class="primary">
          {words.continue}
        </button>
        <button type="button" onClick={onCancel}>
          {words.cancel}
        </button>
      </div>
    </form>
  );
}

/** How far a lift has reached the border, polled every second from the register's view of its followers. */
export function LiftReach({ restrictionId, seq }: LiftReachTarget) {
  const [reach, setReach] = useState<ReachAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const complete = reach !== null && reach.total > 0 && reach.applied === reach.total;
  usePoll(
    async () => {
      if (complete) return;
      try {
        setReach(await api<ReachAnswer>(`/v1/restrictions/${encodeURIComponent(restrictionId)}/reach?seq=${seq}`, { roles: ROLES.readRegister }));
        setError(null);
      } catch (err) {
        setError(err);
      }
    },
    1000,
    [restrictionId, seq, complete],
  );
  const words = t().lift;
  return (
    <section class={`card lift-reach${complete ? ' lift-reach-done' : ''}`} aria-labelledby="lift-reach-heading" data-testid="lift-reach">
      <h3 id="lift-reach-heading">{words.reachHeading}</h3>
      <p role="status" aria-live="polite" class="lift-reach-count" data-applied={reach?.applied ?? ''} data-total={reach?.total ?? ''}>
        {reach === null
          ? words.asking
          : reach.total === 0
            ? words.noFollowers
            : words.appliedBy(reach.applied, reach.total, complete)}
      </p>
      {reach && reach.followers.length > 0 ? (
        <table class="lift-reach-followers">
          <caption class="visually-hidden">{words.followersCaption(seq)}</caption>
          <thead>
            <tr>
              <th scope="col">{words.replica}</th>
              <th scope="col">{words.hasApplied}</th>
              <th scope="col">{words.holdsUpTo}</th>
              <th scope="col">{words.lastContact}</th>
            </tr>
          </thead>
          <tbody>
            {reach.followers.map((f) => (
              <tr key={f.name} data-applied={String(f.applied)}>
                <th scope="row">{f.name}</th>
                <td>{f.applied ? words.yes2 : words.notYet}</td>
                <td>{number(f.appliedSeq)}</td>
                <td>{localTime(f.lastContact)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p class="help">{words.reachHelp(seq)}</p>
      <ErrorNote error={error} />
    </section>
  );
}
