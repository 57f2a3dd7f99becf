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
import { api, ROLES } from '../lib/api';
import { inputToIso, kindLabel, localTime, nowForInput } from '../lib/format';
import { usePoll } from '../lib/poll';
import { ErrorNote } from './ErrorNote';

/** The reasons a lift may give (domain LiftReason), as the operator reads them. */
export const LIFT_REASONS = [
  { value: 'cancellation', label: 'Cancelled by the issuing office or a court' },
  { value: 'deferment', label: 'A deferment was granted' },
  { value: 'exemption', label: 'An exemption was granted' },
  { value: 'expiry', label: 'Its term has ended' },
  { value: 'other', label: 'Another reason' },
] as const;

export interface LiftReachTarget {
  restrictionId: string;
  /** The lift's change in the register's log. */
  seq: number;
}

const reasonLabel = (v: string) => LIFT_REASONS.find((r) => r.value === v)?.label ?? v;

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

  const proceed = (e: Event) => {
    e.preventDefault();
    const found: { reason?: string; at?: string } = {};
    if (!reason) found.reason = 'Select why the restriction is lifted';
    if (!inputToIso(at)) found.at = 'Enter the date and time the restriction is lifted';
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
      onLifted(`Lifted ${r.restrictionId}${seq ? ` (register change ${seq})` : ''}: ${reasonLabel(reason!)}.`, seq ? { restrictionId: r.restrictionId, seq } : null);
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
          Lift {r.restrictionId}?
        </h4>
        <p>
          The {kindLabel(r.kind)} ({r.basis}) will stop applying from <strong>{localTime(inputToIso(at))}</strong>. Reason: <strong>{reasonLabel(reason!)}</strong>.
        </p>
        <p>Every border replica following the register receives the lift within seconds, ahead of other changes; the person is no longer stopped at the border for it. The lift is recorded in the register's audit trail under your name and cannot be undone — a new restriction would have to be issued.</p>
        <div class="buttons">
          <button type="button" class="primary danger" disabled={busy} onClick={() => void lift()}>
            {busy ? 'Lifting…' : `Yes, lift ${r.restrictionId}`}
          </button>
          <button type="button" disabled={busy} onClick={() => setStep('form')}>
            Go back
          </button>
          <button type="button" disabled={busy} onClick={onCancel}>
            Cancel
          </button>
        </div>
        <ErrorNote error={error} id={`${id}-error`} />
      </div>
    );
  }

  return (
    <form class="action-form" onSubmit={proceed} aria-label={`Lift ${r.restrictionId}`} noValidate>
      <div class={`field${missing.at ? ' field-error' : ''}`}>
        <label for={`${id}-at`}>Lifted at (your local time)</label>
        {missing.at ? (
          <p class="error-message" id={`${id}-at-error`}>
            <span class="visually-hidden">Error: </span>
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
        <legend>Why is it lifted?</legend>
        {missing.reason ? (
          <p class="error-message" id={`${id}-reason-error`}>
            <span class="visually-hidden">Error: </span>
            {missing.reason}
          </p>
        ) : null}
        {LIFT_REASONS.map((x) => (
          <label key={x.value} class="radio">
            <input
              type="radio"
              name={`${id}-reason`}
              value={x.value}
              checked={reason === x.value}
              onChange={() => {
                setReason(x.value);
                setMissing((m) => ({ ...(m.at ? { at: m.at } : {}) }));
              }}
              {...(missing.reason ? { 'aria-invalid': true } : {})}
            />{' '}
            {x.label}
          </label>
        ))}
      </fieldset>
      <div class="buttons">
        <button type="submit" class="primary">
          Continue
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
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
  return (
    <section class={`card lift-reach${complete ? ' lift-reach-done' : ''}`} aria-labelledby="lift-reach-heading" data-testid="lift-reach">
      <h3 id="lift-reach-heading">Reaching the border</h3>
      <p role="status" aria-live="polite" class="lift-reach-count" data-applied={reach?.applied ?? ''} data-total={reach?.total ?? ''}>
        {reach === null
          ? 'Asking the register…'
          : reach.total === 0
            ? 'No border replica is following the register right now: the lift reaches each one when it next connects.'
            : `Applied by ${reach.applied} of ${reach.total} following ${reach.total === 1 ? 'replica' : 'replicas'}${complete ? ' — the lift has reached every one.' : '…'}`}
      </p>
      {reach && reach.followers.length > 0 ? (
        <table class="lift-reach-followers">
          <caption class="visually-hidden">Following replicas and whether each has applied register change {seq}</caption>
          <thead>
            <tr>
              <th scope="col">Replica</th>
              <th scope="col">Has applied</th>
              <th scope="col">Holds changes up to</th>
              <th scope="col">Last contact</th>
            </tr>
          </thead>
          <tbody>
            {reach.followers.map((f) => (
              <tr key={f.name} data-applied={String(f.applied)}>
                <th scope="row">{f.name}</th>
                <td>{f.applied ? '✓ yes' : 'not yet'}</td>
                <td>{f.appliedSeq}</td>
                <td>{localTime(f.lastContact)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p class="help">From the register's view of its followers: a replica has applied change {seq} once it asks the register for the changes after it.</p>
      <ErrorNote error={error} />
    </section>
  );
}
