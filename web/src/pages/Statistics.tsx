/**
 * Transparency (public, no token): restrictions imposed and lifted by kind and office, expiries, time
 * to relief at the border, contests and confirmed non-matches when the register counts them. Every
 * count under 10 is withheld by the register and shown here as “fewer than 10”.
 */
import { useState } from 'preact/hooks';
import { BarChart } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';
import { api } from '../lib/api';
import { usePoll } from '../lib/poll';
import type { Cell, StatisticsAnswer } from '@api/statistics';

const HIDDEN = 'fewer than 10';
const show = (c: Cell) => (c.n === null ? HIDDEN : c.n.toLocaleString('en'));
const seconds = (ms: number | null) => (ms === null ? HIDDEN.replace('10', '10 lifts measured') : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`);

export function Statistics() {
  const [data, setData] = useState<StatisticsAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  usePoll(async () => {
    try {
      setData(await api<StatisticsAnswer>('/v1/statistics'));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, 30_000);

  const rows = data?.restrictions.byKindAndOffice ?? [];
  const labels = rows.map((r) => `${r.kind} · ${r.office}`);
  return (
    <>
      <h1>Statistics</h1>
      <p class="lead">
        What the register has done, in aggregate, for anyone to see. A count under {data?.suppressUnder ?? 10} is withheld (“{HIDDEN}”), and so is any total that would let it be worked
        out.
      </p>
      {error ? <ErrorNote error={error} /> : null}
      {data ? (
        <>
          <section class="card" aria-labelledby="restrictions-heading">
            <h2 id="restrictions-heading">Restrictions imposed and lifted</h2>
            <dl class="pairs" data-testid="totals">
              <dt>Imposed (came into force)</dt>
              <dd>{show(data.restrictions.total.imposed)}</dd>
              <dt>Lifted</dt>
              <dd>{show(data.restrictions.total.lifted)}</dd>
              <dt>Expired (lifted with reason expiry)</dt>
              <dd>{show(data.expiries)}</dd>
            </dl>
            {rows.length > 0 ? (
              <BarChart
                id="restrictions-chart"
                summary={`Restrictions imposed and lifted for ${rows.length} kind and office pairs; withheld counts are drawn as zero and listed as “${HIDDEN}” in the table.`}
                data={{
                  labels,
                  datasets: [
                    { label: 'Imposed', data: rows.map((r) => r.imposed.n ?? 0), backgroundColor: '#b42318' },
                    { label: 'Lifted', data: rows.map((r) => r.lifted.n ?? 0), backgroundColor: '#1a7f37' },
                  ],
                }}
                table={{ caption: 'Restrictions by kind and office', headers: ['Kind', 'Office', 'Imposed', 'Lifted', 'Expired'], rows: rows.map((r) => [r.kind, r.office, show(r.imposed), show(r.lifted), show(r.expired)]) }}
              />
            ) : (
              <p class="muted">No restriction has come into force yet.</p>
            )}
            <table data-testid="by-kind">
              <caption>By kind</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Imposed</th>
                  <th scope="col">Lifted</th>
                  <th scope="col">Expired</th>
                </tr>
              </thead>
              <tbody>
                {data.restrictions.byKind.map((k) => (
                  <tr key={k.kind}>
                    <th scope="row">{k.kind}</th>
                    <td>{show(k.imposed)}</td>
                    <td>{show(k.lifted)}</td>
                    <td>{show(k.expired)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="card" aria-labelledby="relief-heading">
            <h2 id="relief-heading">Time to relief at the border</h2>
            <p>From a lift at the register until each following replica has applied it (measured since {new Date(data.timeToRelief.since).toISOString().slice(0, 16).replace('T', ' ')} UTC).</p>
            <dl class="pairs" data-testid="relief">
              <dt>At each replica: median · 95th percentile</dt>
              <dd>
                {seconds(data.timeToRelief.perReplica.p50Ms)} · {seconds(data.timeToRelief.perReplica.p95Ms)}
              </dd>
              <dt>At every replica: median · 95th percentile</dt>
              <dd>
                {seconds(data.timeToRelief.allReplicas.p50Ms)} · {seconds(data.timeToRelief.allReplicas.p95Ms)}
              </dd>
            </dl>
          </section>
          {data.contests ? (
            <section class="card" aria-labelledby="contests-heading">
              <h2 id="contests-heading">Contests</h2>
              <dl class="pairs">
                <dt>Opened</dt>
                <dd>{show(data.contests.opened)}</dd>
                <dt>Upheld (restriction lifted)</dt>
                <dd>{show(data.contests.upheld)}</dd>
                <dt>Rejected</dt>
                <dd>{show(data.contests.rejected)}</dd>
                <dt>Overdue (not answered in time)</dt>
                <dd>{show(data.contests.overdue)}</dd>
              </dl>
            </section>
          ) : null}
          {data.confirmedNonMatches ? (
            <section class="card" aria-labelledby="nonmatch-heading">
              <h2 id="nonmatch-heading">Confirmed non-matches</h2>
              <p>Travellers confirmed at a checkpoint not to be the listed person they were taken for: {show(data.confirmedNonMatches)}.</p>
            </section>
          ) : null}
        </>
      ) : null}
    </>
  );
}
