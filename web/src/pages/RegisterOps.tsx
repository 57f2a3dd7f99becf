/**
 * Operations from the register's side: the change log (newest and oldest kept change), every replica
 * following the feed (its cursor, lag, last contact, whether it is listening now), and — when the
 * border replica's URL is known — that replica's own integrity status, live.
 */
import { useState } from 'preact/hooks';
import { DueProcessSummary } from '../components/DueProcessSummary';
import { ErrorNote } from '../components/ErrorNote';
import { type BorderStatus, ReplicaStatus } from '../components/ReplicaStatus';
import { api, ROLES } from '../lib/api';
import { t } from '../i18n';
import { ago, localTime, number, when } from '../lib/format';
import { usePoll } from '../lib/poll';
import { peerLink } from '../lib/tokens';
import type { FollowersAnswer as Followers } from '@api/followers';
import type { NoticeStatusAnswer } from '@api/notices';

export function RegisterOps({ peerUrl }: { peerUrl: string | null }) {
  const [data, setData] = useState<Followers | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [peer, setPeer] = useState<BorderStatus | null>(null);
  const [peerError, setPeerError] = useState<unknown>(null);
  const [notices, setNotices] = useState<NoticeStatusAnswer | null>(null);

  usePoll(async () => {
    try {
      setData(await api<Followers>('/v1/exchange/followers', { roles: ROLES.followers }));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, 2000);
  usePoll(async () => {
    // Same roles as the followers list; a refusal there already shows the token hint.
    setNotices(await api<NoticeStatusAnswer>('/v1/notifications/status', { roles: ROLES.followers }).catch(() => null));
  }, 5000);
  usePoll(
    async () => {
      if (!peerUrl) return;
      try {
        setPeer(await api<BorderStatus>('/v1/border/status', { base: peerUrl }));
        setPeerError(null);
      } catch (err) {
        setPeerError(err);
      }
    },
    3000,
    [peerUrl],
  );

  const words = t().ops;
  return (
    <>
      <h1>{words.registerHeading}</h1>
      <p class="lead">{words.registerLead}</p>
      <section class="card" aria-labelledby="log-heading">
        <h2 id="log-heading">{words.logHeading}</h2>
        {error ? <ErrorNote error={error} /> : null}
        {data ? (
          <dl class="pairs">
            <dt>{words.newest}</dt>
            <dd data-testid="register-seq">{number(data.registerSeq)}</dd>
            <dt>{words.oldest}</dt>
            <dd>{number(data.oldestSeq)}</dd>
            <dt>{words.logSize}</dt>
            <dd>{words.logSizeText(data.logChanges)}</dd>
          </dl>
        ) : null}
      </section>
      <DueProcessSummary />
      {notices ? (
        <section class="card" aria-labelledby="notices-heading">
          <h2 id="notices-heading">{t().notices.heading}</h2>
          <dl class="pairs">
            <dt>{t().notices.pending}</dt>
            <dd data-testid="notices-pending">{number(notices.pending)}</dd>
            <dt>{t().notices.failed}</dt>
            <dd data-testid="notices-failed">{number(notices.failed)}</dd>
            <dt>{t().notices.delivered}</dt>
            <dd>{number(notices.delivered)}</dd>
            <dt>{t().notices.channels}</dt>
            <dd>{notices.channels.join(', ')}</dd>
          </dl>
        </section>
      ) : null}
      <section class="card" aria-labelledby="followers-heading">
        <h2 id="followers-heading">{words.followersHeading}</h2>
        {data && data.followers.length === 0 ? <p class="muted">{words.noFollowers}</p> : null}
        {data && data.followers.length > 0 ? (
          <table class="followers">
            <thead>
              <tr>
                <th scope="col">{words.replica}</th>
                <th scope="col">{words.sequence}</th>
                <th scope="col">{words.lag}</th>
                <th scope="col">{words.state}</th>
                <th scope="col">{words.lastContact}</th>
                <th scope="col">{words.lastSnapshot}</th>
                <th scope="col">{words.lastDigest}</th>
                <th scope="col">{words.requests}</th>
              </tr>
            </thead>
            <tbody>
              {data.followers.map((f) => (
                <tr key={f.client}>
                  <th scope="row">
                    {f.client}
                    {f.role ? <span class="muted"> ({f.role})</span> : null}
                  </th>
                  <td>{number(f.cursor)}</td>
                  <td>{f.lagChanges === 0 ? words.caughtUp : words.changes(f.lagChanges)}</td>
                  <td>{f.waiting ? words.listening : f.lastStatus !== null && f.lastStatus >= 400 ? words.errorStatus(f.lastStatus) : words.between}</td>
                  <td title={localTime(f.lastContactAt)}>{f.waiting ? words.waitingSince(localTime(f.lastContactAt)) : ago(f.lastContactAt)}</td>
                  <td>{f.lastSnapshotAt ? when(f.lastSnapshotAt) : '—'}</td>
                  <td>{f.lastDigestAt ? when(f.lastDigestAt) : '—'}</td>
                  <td>{number(f.requests)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <p class="help">{words.followersHelp}</p>
      </section>
      <section class="card" aria-labelledby="peer-heading">
        <h2 id="peer-heading">{words.peerHeading}</h2>
        {!peerUrl ? (
          <p class="muted">{words.noPeer}</p>
        ) : (
          <>
            <p>
              <a href={peerLink(peerUrl, 'operations')}>{peerUrl}</a>
              {words.peerStatus}
            </p>
            {peerError ? <ErrorNote error={peerError} /> : null}
            {peer ? <ReplicaStatus s={peer} /> : null}
          </>
        )}
      </section>
    </>
  );
}
