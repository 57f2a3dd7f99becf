/**
 * A border replica's state as GET /v1/border/status tells it (public): where it is in the register's
 * sequence, how old its data is, how it last heard from the register, and its integrity — pages
 * refused for a bad signature or order, and the last digest comparison with the register.
 */
import type { BorderStatusAnswer } from '@api/status';
import { t } from '../i18n';
import { lookup } from '../i18n/plural';
import { ago, label, localTime, number, when } from '../lib/format';

/** The answer of GET /v1/border/status, as src/api/status.ts declares it. */
export type BorderStatus = BorderStatusAnswer;

export const rejectedTotal = (s: BorderStatus) => Object.values(s.integrity.rejected).reduce((a, b) => a + b, 0);

/** One line a person reads first: is this replica fit to screen? */
export function health(s: BorderStatus): { level: 'ok' | 'warn' | 'bad'; text: string } {
  const words = t().replica;
  if (s.dataAsOf === null) return { level: 'bad', text: words.bootstrapping };
  if (s.lagSeconds !== null && s.lagSeconds > s.maxStalenessSeconds) return { level: 'bad', text: words.tooOld(s.lagSeconds, s.maxStalenessSeconds) };
  if (s.sync !== 'following') return { level: 'warn', text: words.sync(lookup(words.syncStates, s.sync), s.lastError ?? '') };
  if (s.integrity.lastVerify && !s.integrity.lastVerify.consistent) return { level: 'warn', text: words.differences };
  return { level: 'ok', text: words.following(s.lagSeconds === 0 ? words.current : words.secondsOld(s.lagSeconds === null ? '?' : number(s.lagSeconds))) };
}

export function ReplicaStatus({ s }: { s: BorderStatus }) {
  const h = health(s);
  const v = s.integrity.lastVerify;
  const rejected = Object.entries(s.integrity.rejected).filter(([, n]) => n > 0);
  const words = t().replica;
  return (
    <div class="status-grid">
      <p class={`health health-${h.level}`} role="status">
        <strong>{h.level === 'ok' ? words.healthy : h.level === 'warn' ? words.attention : words.notReady}:</strong> {h.text}
      </p>
      <dl class="pairs">
        <dt>{words.sequence}</dt>
        <dd>
          {words.change} <strong data-testid="replica-seq">{s.replicaSeq}</strong>
          {words.ofRegister(s.registerSeq, Math.max(0, s.registerSeq - s.replicaSeq))}
        </dd>
        <dt>{words.dataAsOf}</dt>
        <dd>
          {localTime(s.dataAsOf)}
          {words.lagText(s.lagSeconds === null ? '?' : number(s.lagSeconds), s.maxStalenessSeconds)}
        </dd>
        <dt>{words.syncTitle}</dt>
        <dd>
          {lookup(words.syncStates, s.sync)}
          {s.source ? words.from(s.source) : ''}
        </dd>
        <dt>{words.lastContact}</dt>
        <dd>{when(s.lastContactAt)}</dd>
        {s.lastError ? (
          <>
            <dt>{words.lastError}</dt>
            <dd class="bad">{s.lastError}</dd>
          </>
        ) : null}
        <dt>{words.holds}</dt>
        <dd>{words.holdsText(s.persons, s.restrictions, s.changesApplied, s.snapshotSeq === null || s.snapshotSeq === undefined ? '—' : number(s.snapshotSeq))}</dd>
      </dl>
      <h3>{words.integrity}</h3>
      <dl class="pairs">
        <dt>{words.refusedPages}</dt>
        <dd>
          {rejected.length === 0 ? words.noneRefused : rejected.map(([reason, n]) => `${label(reason)}: ${number(n)}`).join(', ')}
          {s.integrity.lastRejection ? (
            <div class="bad">{words.lastRejection(ago(s.integrity.lastRejection.at), label(s.integrity.lastRejection.reason), s.integrity.lastRejection.detail)}</div>
          ) : null}
        </dd>
        <dt>{words.lastDigest}</dt>
        <dd>
          {v
            ? words.digestText(when(v.at), v.consistent, v.asOfSeq, v.bucketsCompared, v.differing.length, v.repaired ? v.repaired.inserted + v.repaired.updated + v.repaired.deleted : null)
            : words.notRun}
        </dd>
        <dt>{words.signingKeys}</dt>
        <dd>{label(s.integrity.trust)}</dd>
        <dt>{words.chainHead}</dt>
        <dd>
          <code>{s.integrity.lastHash ? `${s.integrity.lastHash.slice(0, 16)}…` : '—'}</code>
        </dd>
      </dl>
    </div>
  );
}
