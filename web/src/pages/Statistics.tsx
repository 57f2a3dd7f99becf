/**
 * Transparency (public, no token): restrictions imposed and lifted by kind and office, expiries, time
 * to relief at the border, contests and confirmed non-matches when the register counts them. Every
 * count under 10 is withheld by the register and shown here as “fewer than 10”.
 */
import { useState } from 'preact/hooks';
import { BarChart } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';
import { locale, t } from '../i18n';
import { api } from '../lib/api';
import { localTime, number } from '../lib/format';
import { usePoll } from '../lib/poll';
import type { Cell, StatisticsAnswer } from '@api/statistics';

const show = (c: Cell) => (c.n === null ? t().statistics.hidden : number(c.n));
const seconds = (ms: number | null) => {
  if (ms === null) return t().statistics.hiddenLifts;
  const digits = ms < 10_000 ? 2 : 0;
  return t().statistics.seconds(new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(ms / 1000));
};

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
  const words = t().statistics;
  const HIDDEN = words.hidden;
  return (
    <>
      <h1>{words.heading}</h1>
      <p class="lead">{words.lead(data?.suppressUnder ?? 10, HIDDEN)}</p>
      {error ? <ErrorNote error={error} /> : null}
      {data ? (
        <>
          <section class="card" aria-labelledby="restrictions-heading">
            <h2 id="restrictions-heading">{words.restrictionsHeading}</h2>
            <dl class="pairs" data-testid="totals">
              <dt>{words.imposedInForce}</dt>
              <dd>{show(data.restrictions.total.imposed)}</dd>
              <dt>{words.lifted}</dt>
              <dd>{show(data.restrictions.total.lifted)}</dd>
              <dt>{words.expiredExpiry}</dt>
              <dd>{show(data.expiries)}</dd>
            </dl>
            {rows.length > 0 ? (
              <BarChart
                id="restrictions-chart"
                summary={words.chartSummary(rows.length, HIDDEN)}
                data={{
                  labels,
                  datasets: [
                    { label: words.imposed, data: rows.map((r) => r.imposed.n ?? 0), backgroundColor: '#b42318' },
                    { label: words.lifted, data: rows.map((r) => r.lifted.n ?? 0), backgroundColor: '#1a7f37' },
                  ],
                }}
                table={{ caption: words.byKindAndOffice, headers: [words.kind, words.office, words.imposed, words.lifted, words.expired], rows: rows.map((r) => [r.kind, r.office, show(r.imposed), show(r.lifted), show(r.expired)]) }}
              />
            ) : (
              <p class="muted">{words.noneYet}</p>
            )}
            <table data-testid="by-kind">
              <caption>{words.byKind}</caption>
              <thead>
                <tr>
                  <th scope="col">{words.kind}</th>
                  <th scope="col">{words.imposed}</th>
                  <th scope="col">{words.lifted}</th>
                  <th scope="col">{words.expired}</th>
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
            <h2 id="relief-heading">{words.reliefHeading}</h2>
            <p>{words.reliefLead(localTime(data.timeToRelief.since))}</p>
            <dl class="pairs" data-testid="relief">
              <dt>{words.perReplica}</dt>
              <dd>
                {seconds(data.timeToRelief.perReplica.p50Ms)} · {seconds(data.timeToRelief.perReplica.p95Ms)}
              </dd>
              <dt>{words.allReplicas}</dt>
              <dd>
                {seconds(data.timeToRelief.allReplicas.p50Ms)} · {seconds(data.timeToRelief.allReplicas.p95Ms)}
              </dd>
            </dl>
          </section>
          {data.contests ? (
            <section class="card" aria-labelledby="contests-heading">
              <h2 id="contests-heading">{words.contestsHeading}</h2>
              <dl class="pairs">
                <dt>{words.opened}</dt>
                <dd>{show(data.contests.opened)}</dd>
                <dt>{words.upheld}</dt>
                <dd>{show(data.contests.upheld)}</dd>
                <dt>{words.rejected}</dt>
                <dd>{show(data.contests.rejected)}</dd>
                <dt>{words.overdue}</dt>
                <dd>{show(data.contests.overdue)}</dd>
              </dl>
            </section>
          ) : null}
          {data.confirmedNonMatches ? (
            <section class="card" aria-labelledby="nonmatch-heading">
              <h2 id="nonmatch-heading">{words.nonMatchHeading}</h2>
              <p>{words.nonMatches(show(data.confirmedNonMatches))}</p>
            </section>
          ) : null}
        </>
      ) : null}
    </>
  );
}
