/**
 * Operations from the register's side: the change log (newest and oldest kept change), every replica
 * following the feed (its cursor, lag, last contact, whether it is listening now), and — when the
 * border replica's URL is known — that replica's own integrity status, live.
 */
import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { type BorderStatus, ReplicaStatus } from '../components/ReplicaStatus';
import { api, ROLES } from '../lib/api';
import { ago, localTime, when } from '../lib/format';
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

  return (
    <>
      <h1>Register operations</h1>
      <p class="lead">The change log and the replicas following it, live (refreshed every 2 s).</p>
      <section class="card" aria-labelledby="log-heading">
        <h2 id="log-heading">Change log</h2>
        {error ? <ErrorNote error={error} /> : null}
        {data ? (
          <dl class="pairs">
            <dt>Newest change</dt>
            <dd data-testid="register-seq">{data.registerSeq.toLocaleString('en')}</dd>
            <dt>Oldest kept</dt>
            <dd>{data.oldestSeq.toLocaleString('en')}</dd>
            <dt>Log size</dt>
            <dd>{data.logChanges.toLocaleString('en')} changes (older ones are compacted away; a replica behind them bootstraps from a snapshot)</dd>
          </dl>
        ) : null}
      </section>
      {notices ? (
        <section class="card" aria-labelledby="notices-heading">
          <h2 id="notices-heading">Notifications to persons</h2>
          <dl class="pairs">
            <dt>Waiting to be sent</dt>
            <dd data-testid="notices-pending">{notices.pending.toLocaleString('en')}</dd>
            <dt>Given up (look in the register's log by notification id)</dt>
            <dd data-testid="notices-failed">{notices.failed.toLocaleString('en')}</dd>
            <dt>Delivered</dt>
            <dd>{notices.delivered.toLocaleString('en')}</dd>
            <dt>Channels</dt>
            <dd>{notices.channels.join(', ')}</dd>
          </dl>
        </section>
      ) : null}
      <section class="card" aria-labelledby="followers-heading">
        <h2 id="followers-heading">Replicas following the feed</h2>
        {data && data.followers.length === 0 ? <p class="muted">No replica has asked for changes since this register started.</p> : null}
        {data && data.followers.length > 0 ? (
          <table class="followers">
            <thead>
              <tr>
                <th scope="col">Replica</th>
                <th scope="col">Sequence</th>
                <th scope="col">Lag</th>
                <th scope="col">State</th>
                <th scope="col">Last contact</th>
                <th scope="col">Last snapshot</th>
                <th scope="col">Last digest check</th>
                <th scope="col">Requests</th>
              </tr>
            </thead>
            <tbody>
              {data.followers.map((f) => (
                <tr key={f.client}>
                  <th scope="row">
                    {f.client}
                    {f.role ? <span class="muted"> ({f.role})</span> : null}
                  </th>
                  <td>{f.cursor.toLocaleString('en')}</td>
                  <td>{f.lagChanges === 0 ? 'caught up' : `${f.lagChanges.toLocaleString('en')} changes`}</td>
                  <td>{f.waiting ? 'listening (long-poll open)' : f.lastStatus !== null && f.lastStatus >= 400 ? `error ${f.lastStatus}` : 'between requests'}</td>
                  <td title={localTime(f.lastContactAt)}>{f.waiting ? `now (waiting since ${ago(f.lastContactAt).replace(' ago', '')})` : ago(f.lastContactAt)}</td>
                  <td>{f.lastSnapshotAt ? when(f.lastSnapshotAt) : '—'}</td>
                  <td>{f.lastDigestAt ? when(f.lastDigestAt) : '—'}</td>
                  <td>{f.requests}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <p class="help">Seen from the feed's side since this register started: a replica's sequence is the cursor it last asked from.</p>
      </section>
      <section class="card" aria-labelledby="peer-heading">
        <h2 id="peer-heading">Border replica</h2>
        {!peerUrl ? (
          <p class="muted">
            This register does not know a border replica's URL: open the console from the link the demo prints, or start the register with ERX_CONSOLE_PEER=URL.
          </p>
        ) : (
          <>
            <p>
              <a href={peerLink(peerUrl, 'operations')}>{peerUrl}</a> — its own integrity status, read from its public status endpoint:
            </p>
            {peerError ? <ErrorNote error={peerError} /> : null}
            {peer ? <ReplicaStatus s={peer} /> : null}
          </>
        )}
      </section>
    </>
  );
}
