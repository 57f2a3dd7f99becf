/**
 * Operations for a border replica: its state and integrity, screenings per minute and by decision, live.
 * No personal data: screenings appear as counts, decisions, checkpoints and times — never a
 * traveller's name, document or date of birth (test/console/operationsPrivacy.test.ts).
 */
import { useMemo, useState } from 'preact/hooks';
import { BarChart, DECISION_COLOURS } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';
import { type BorderStatus, ReplicaStatus } from '../components/ReplicaStatus';
import { useTokens } from '../components/TokenPanel';
import { api, ROLES } from '../lib/api';
import { decisionWord } from '../components/ScreeningResult';
import { t } from '../i18n';
import { clockTime, localTime, number } from '../lib/format';
import { usePoll } from '../lib/poll';
import type { Decision } from '@api/decision';
import type { AuditedScreening } from '@api/screening';
import type { ScreeningStatsAnswer as Stats } from '@api/screeningStats';

const DECISIONS = ['clear', 'refer', 'hit'] as const satisfies readonly Decision[];

function Charts({ stats }: { stats: Stats }) {
  const perMinute = useMemo(
    () => ({
      labels: stats.minutes.map((m) => clockTime(m.at)),
      datasets: DECISIONS.map((d) => ({ label: decisionWord(d), data: stats.minutes.map((m) => m[d]), backgroundColor: DECISION_COLOURS[d], stack: 'all' })),
    }),
    [stats],
  );
  const totals = DECISIONS.map((d) => stats.minutes.reduce((a, m) => a + m[d], 0));
  const byKind = useMemo(() => ({ labels: DECISIONS.map(decisionWord), datasets: [{ label: t().ops.screeningsAxis, data: totals, backgroundColor: DECISIONS.map((d) => DECISION_COLOURS[d]) }] }), [stats]);
  const all = totals.reduce((a, b) => a + b, 0);
  const last = stats.minutes[stats.minutes.length - 1];
  const lastCount = last ? last.clear + last.refer + last.hit : 0;
  return (
    <div class="charts">
      <BarChart
        id="per-minute"
        data={perMinute}
        options={{ scales: { x: { stacked: true, ticks: { maxTicksLimit: 12 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t().ops.screeningsAxis } } } }}
        summary={t().ops.perMinuteSummary(stats.minutes.length, all, lastCount)}
        table={{ caption: t().ops.perMinuteCaption, headers: [t().ops.minute, ...DECISIONS.map(decisionWord)], rows: stats.minutes.filter((m) => m.clear + m.refer + m.hit > 0).map((m) => [clockTime(m.at), m.clear, m.refer, m.hit]) }}
      />
      <BarChart
        id="by-kind"
        data={byKind}
        options={{ plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }}
        summary={t().ops.byKindSummary(stats.minutes.length, DECISIONS.map((d, i) => `${decisionWord(d)} ${number(totals[i] ?? 0)}`).join(', '))}
        table={{ caption: t().ops.byKindCaption, headers: [t().ops.decision, t().ops.screeningsAxis], rows: DECISIONS.map((d, i) => [decisionWord(d), totals[i] ?? 0]) }}
      />
    </div>
  );
}

export function BorderOps() {
  const held = useTokens();
  const [status, setStatus] = useState<BorderStatus | null>(null);
  const [statusError, setStatusError] = useState<unknown>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [statsError, setStatsError] = useState<unknown>(null);
  const [recent, setRecent] = useState<AuditedScreening[] | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const mayVerify = held.some((t) => (ROLES.verify as readonly string[]).includes(t.role));

  usePoll(async () => {
    try {
      setStatus(await api<BorderStatus>('/v1/border/status'));
      setStatusError(null);
    } catch (err) {
      setStatusError(err);
    }
  }, 2000);
  usePoll(
    async () => {
      try {
        setStats(await api<Stats>('/v1/console/screening-stats?minutes=60', { roles: ROLES.stats }));
        setStatsError(null);
        setRecent((await api<{ screenings: AuditedScreening[] }>('/v1/screenings?limit=15', { roles: ROLES.allScreenings })).screenings);
      } catch (err) {
        setStatsError(err);
      }
    },
    5000,
    [held.length],
  );

  async function verify() {
    setVerifying(true);
    setVerifyError(null);
    try {
      await api('/v1/border/verify', { method: 'POST', body: {}, roles: ROLES.verify });
      setStatus(await api<BorderStatus>('/v1/border/status'));
    } catch (err) {
      setVerifyError(err);
    } finally {
      setVerifying(false);
    }
  }

  const words = t().ops;
  return (
    <>
      <h1>{words.borderHeading}</h1>
      <p class="lead">{words.borderLead}</p>
      <section class="card" aria-labelledby="state-heading">
        <h2 id="state-heading">{words.stateHeading}</h2>
        {statusError ? <ErrorNote error={statusError} /> : null}
        {status ? <ReplicaStatus s={status} /> : <p class="muted">{words.loading}</p>}
        {mayVerify ? (
          <p>
            <button type="button" onClick={() => void verify()} disabled={verifying}>
              {verifying ? words.comparing : words.verify}
            </button>{' '}
            <span class="help">{words.verifyHelp}</span>
          </p>
        ) : null}
        {verifyError ? <ErrorNote error={verifyError} /> : null}
      </section>
      <section class="card" aria-labelledby="charts-heading">
        <h2 id="charts-heading">{words.screenings}</h2>
        {statsError ? <ErrorNote error={statsError} /> : null}
        {stats ? <Charts stats={stats} /> : statsError ? null : <p class="muted">{words.loading}</p>}
        {recent && recent.length > 0 ? (
          <table>
            <caption>{words.recentCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{words.time}</th>
                <th scope="col">{words.checkpoint}</th>
                <th scope="col">{words.decision}</th>
                <th scope="col">{words.replicaChange}</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((s) => (
                <tr key={s.screeningId}>
                  <td>{localTime(s.at)}</td>
                  <td>{s.requester}</td>
                  <td>
                    <span class={`badge badge-${s.decision}`}>{decisionWord(s.decision)}</span>
                  </td>
                  <td>{number(s.replicaSeq)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </>
  );
}
