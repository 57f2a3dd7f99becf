/**
 * A border replica's state as GET /v1/border/status tells it (public): where it is in the register's
 * sequence, how old its data is, how it last heard from the register, and its integrity — pages
 * refused for a bad signature or order, and the last digest comparison with the register.
 */
import type { BorderStatusAnswer } from '@api/status';
import { ago, label, localTime, when } from '../lib/format';

/** The answer of GET /v1/border/status, as src/api/status.ts declares it. */
export type BorderStatus = BorderStatusAnswer;

export const rejectedTotal = (s: BorderStatus) => Object.values(s.integrity.rejected).reduce((a, b) => a + b, 0);

/** One line a person reads first: is this replica fit to screen? */
export function health(s: BorderStatus): { level: 'ok' | 'warn' | 'bad'; text: string } {
  if (s.dataAsOf === null) return { level: 'bad', text: 'Bootstrapping: no complete snapshot yet; screening waits.' };
  if (s.lagSeconds !== null && s.lagSeconds > s.maxStalenessSeconds) return { level: 'bad', text: `Data too old (${s.lagSeconds} s, bound ${s.maxStalenessSeconds} s): clear answers become refer.` };
  if (s.sync !== 'following') return { level: 'warn', text: `Sync is ${s.sync}${s.lastError ? `: ${s.lastError}` : ''}.` };
  if (s.integrity.lastVerify && !s.integrity.lastVerify.consistent) return { level: 'warn', text: 'The last digest comparison found differences it could not repair.' };
  return { level: 'ok', text: `Following the register; data ${s.lagSeconds === 0 ? 'current' : `${s.lagSeconds ?? '?'} s old`}.` };
}

export function ReplicaStatus({ s }: { s: BorderStatus }) {
  const h = health(s);
  const v = s.integrity.lastVerify;
  const rejected = Object.entries(s.integrity.rejected).filter(([, n]) => n > 0);
  return (
    <div class="status-grid">
      <p class={`health health-${h.level}`} role="status">
        <strong>{h.level === 'ok' ? 'Healthy' : h.level === 'warn' ? 'Attention' : 'Not ready'}:</strong> {h.text}
      </p>
      <dl class="pairs">
        <dt>Sequence</dt>
        <dd>
          change <strong data-testid="replica-seq">{s.replicaSeq}</strong> of the register's {s.registerSeq} ({Math.max(0, s.registerSeq - s.replicaSeq)} behind)
        </dd>
        <dt>Data as of</dt>
        <dd>
          {localTime(s.dataAsOf)} (lag {s.lagSeconds ?? '?'} s; bound {s.maxStalenessSeconds} s)
        </dd>
        <dt>Sync</dt>
        <dd>
          {label(s.sync)}
          {s.source ? ` from ${s.source}` : ''}
        </dd>
        <dt>Last contact</dt>
        <dd>{when(s.lastContactAt)}</dd>
        {s.lastError ? (
          <>
            <dt>Last error</dt>
            <dd class="bad">{s.lastError}</dd>
          </>
        ) : null}
        <dt>Holds</dt>
        <dd>
          {s.persons.toLocaleString('en')} persons, {s.restrictions.toLocaleString('en')} restrictions; {s.changesApplied.toLocaleString('en')} changes applied since the snapshot at{' '}
          {s.snapshotSeq ?? '—'}
        </dd>
      </dl>
      <h3>Integrity</h3>
      <dl class="pairs">
        <dt>Refused pages</dt>
        <dd>
          {rejected.length === 0 ? 'none (every batch verified: signature, hash chain, order)' : rejected.map(([reason, n]) => `${label(reason)}: ${n}`).join(', ')}
          {s.integrity.lastRejection ? (
            <div class="bad">
              last {ago(s.integrity.lastRejection.at)}: {label(s.integrity.lastRejection.reason)} — {s.integrity.lastRejection.detail}
            </div>
          ) : null}
        </dd>
        <dt>Last digest check</dt>
        <dd>
          {v
            ? `${when(v.at)}: ${v.consistent ? 'matches the register' : 'differs'} at change ${v.asOfSeq} (${v.bucketsCompared} buckets, ${v.differing.length} differing${v.repaired ? `, repaired ${v.repaired.inserted + v.repaired.updated + v.repaired.deleted} records` : ''})`
            : 'not run since start'}
        </dd>
        <dt>Signing keys</dt>
        <dd>{label(s.integrity.trust)}</dd>
        <dt>Chain head</dt>
        <dd>
          <code>{s.integrity.lastHash ? `${s.integrity.lastHash.slice(0, 16)}…` : '—'}</code>
        </dd>
      </dl>
    </div>
  );
}
