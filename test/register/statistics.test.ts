/**
 * Transparency statistics: cells under 10 suppressed, totals that would reveal a suppressed cell
 * suppressed too, percentiles only over 10 samples or more; relief times from followers' cursors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegister } from '../../src/app/register/createRegister.js';
import { statisticsAnswer } from '../../src/api/statistics.js';
import type { Contest } from '../../src/domain/contest.js';
import { ReliefTimes } from '../../src/register/reliefTimes.js';
import { gatherStatistics, percentile, suppressStatistics, total } from '../../src/register/statistics.js';
import { callUp, person, tempDir } from '../helpers.js';

const NO_RELIEF = { since: '2026-12-07T00:00:00.000Z', perReplica: [], allReplicas: [] };

test('cells under 10 are suppressed, and so is every total over a suppressed cell', () => {
  const out = suppressStatistics({
    restrictions: [
      { kind: 'call-up', office: 'A', imposed: 120, lifted: 30, expired: 9 },
      { kind: 'call-up', office: 'B', imposed: 10, lifted: 10, expired: 10 },
      { kind: 'court-order', office: 'A', imposed: 3, lifted: 0, expired: 0 },
      { kind: 'court-order', office: 'C', imposed: 50, lifted: 12, expired: 0 },
    ],
    relief: NO_RELIEF,
    contests: { opened: 40, upheld: 9, rejected: 31, overdue: 0 },
    confirmedNonMatches: 11,
  });
  assert.ok(statisticsAnswer.safeParse(out).success);
  const S = { n: null, suppressed: true };
  assert.deepEqual(out.restrictions.byKindAndOffice.map((r) => [r.imposed, r.lifted, r.expired]), [
    [{ n: 120 }, { n: 30 }, S],
    [{ n: 10 }, { n: 10 }, { n: 10 }],
    [S, S, S],
    [{ n: 50 }, { n: 12 }, S],
  ]);
  // call-up: imposed 130 and lifted 40 are sums of published cells; expired adds a hidden 9: hidden too.
  assert.deepEqual(out.restrictions.byKind, [
    { kind: 'call-up', imposed: { n: 130 }, lifted: { n: 40 }, expired: S },
    { kind: 'court-order', imposed: S, lifted: S, expired: S },
  ]);
  assert.deepEqual(out.restrictions.total, { imposed: S, lifted: S, expired: S });
  assert.deepEqual(out.expiries, S);
  assert.deepEqual(out.contests, { opened: { n: 40 }, upheld: S, rejected: { n: 31 }, overdue: S });
  assert.deepEqual(out.confirmedNonMatches, { n: 11 });
  // No published number anywhere is under 10.
  const numbers = JSON.stringify(out).match(/"n":\d+/g)!.map((s) => Number(s.slice(4)));
  assert.ok(numbers.every((n) => n >= 10), String(numbers));
});

test('a total is published when every cell it adds up is', () => {
  assert.deepEqual(total([{ n: 10 }, { n: 25 }]), { n: 35 });
  assert.deepEqual(total([{ n: 10 }, { n: null, suppressed: true }]), { n: null, suppressed: true });
});

test('relief times: per replica and until every replica, suppressed under 10 lifts', () => {
  const relief = new ReliefTimes();
  relief.cursor('a', 0, 0);
  relief.cursor('b', 0, 0);
  for (let i = 1; i <= 12; i++) {
    relief.lifted(i, i * 1000);
    relief.cursor('a', i, i * 1000 + 100);
    relief.cursor('b', i, i * 1000 + 300);
  }
  relief.cursor('late', 0, 20_000); // heard of after the lifts: never waited for them
  relief.cursor('late', 12, 20_500);
  const figures = relief.figures();
  assert.equal(figures.perReplica.length, 24);
  assert.deepEqual(figures.allReplicas, Array(12).fill(300));
  const out = suppressStatistics({ restrictions: [], relief: figures });
  assert.deepEqual(out.timeToRelief.perReplica, { samples: { n: 24 }, p50Ms: 100, p95Ms: 300 });
  assert.deepEqual(out.timeToRelief.allReplicas, { samples: { n: 12 }, p50Ms: 300, p95Ms: 300 });
  const few = suppressStatistics({ restrictions: [], relief: { ...figures, allReplicas: [1, 2, 3] } });
  assert.deepEqual(few.timeToRelief.allReplicas, { samples: { n: null, suppressed: true }, p50Ms: null, p95Ms: null, suppressed: true });
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
});

test('GET /v1/statistics is public and counts the register’s restrictions', async (t) => {
  const reg = await createRegister({ dataDir: tempDir(t) });
  t.after(() => reg.close());
  const restrictions = Array.from({ length: 12 }, (_, i) => callUp(`R-S${i}`, { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'in-person' }));
  await reg.service.upsertPerson(person({ personId: 'P-S1', restrictions }));
  for (let i = 0; i < 11; i++) await reg.service.lift(`R-S${i}`, '2024-11-01T00:00:00Z', 'expiry');
  const stats = await gatherStatistics({ store: reg.store, relief: new ReliefTimes() });
  assert.deepEqual(stats.restrictions, [{ kind: 'call-up', office: 'MO-Moscow-12', imposed: 12, lifted: 11, expired: 11 }]);
  const res = await reg.app.inject({ method: 'GET', url: '/v1/statistics' });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(body.restrictions.total, { imposed: { n: 12 }, lifted: { n: 11 }, expired: { n: 11 } });
  assert.deepEqual(body.expiries, { n: 11 });
  assert.match(String(res.headers['cache-control']), /max-age=30/);
});

test('contests (opened, upheld, rejected, overdue) and confirmed non-matches in force are counted, and suppressed under 10', async (t) => {
  const reg = await createRegister({ dataDir: tempDir(t) });
  t.after(() => reg.close());
  const now = new Date().toISOString();
  const past = '2026-01-01T00:00:00.000Z';
  const future = '2999-01-01T00:00:00.000Z';
  // 25 contests: 10 upheld, 3 rejected, 12 open of which 10 past their deadline.
  const states = [...Array(10).fill('upheld'), ...Array(3).fill('rejected'), ...Array(12).fill('open')] as Contest['state'][];
  // 12 attestations, 2 of them revoked: 10 in force.
  await reg.store.transaction(async (tx) => {
    for (const [i, state] of states.entries()) {
      await tx.putContest({
        caseNumber: `C-2026-${String(i).padStart(16, 'A')}`, restrictionId: `R-${i}`, personId: 'P-1', office: 'MO-Moscow-12', contact: 'a@b.cd', reason: 'r',
        filedAt: past, deadline: state === 'open' && i >= 15 ? past : future, state,
        ...(state === 'open' ? {} : { answeredAt: past, answer: { decision: state, reasons: 'r', answeredBy: 'x' } }),
      });
    }
    for (let i = 0; i < 12; i++) {
      await tx.putAttestation({
        attestation: { ref: `NM-2026-${String(i).padStart(10, 'A')}`, personIds: ['P-1'], salt: 'c2FsdA==', detailsHash: 'ab'.repeat(32), checkpoint: 'cp-1', attestedAt: past },
        replica: 'cp-1', screeningId: `s-${i}`, ...(i < 2 ? { revokedAt: now, revokedBy: 'operator:root' } : {}),
      });
    }
  });
  const raw = await gatherStatistics({ store: reg.store, relief: new ReliefTimes() });
  assert.deepEqual(raw.contests, { opened: 25, upheld: 10, rejected: 3, overdue: 10 });
  assert.equal(raw.confirmedNonMatches, 10);
  const body = (await reg.app.inject({ method: 'GET', url: '/v1/statistics' })).json();
  assert.deepEqual(body.contests, { opened: { n: 25 }, upheld: { n: 10 }, rejected: { n: null, suppressed: true }, overdue: { n: 10 } });
  assert.deepEqual(body.confirmedNonMatches, { n: 10 });
  // One more revoked: 9 in force, under 10, suppressed.
  await reg.store.transaction(async (tx) => {
    const a = (await tx.getAttestation('NM-2026-AAAAAAAAA2'))!;
    await tx.putAttestation({ ...a, revokedAt: now, revokedBy: 'operator:root' });
  });
  // (The route caches its answer briefly, so the figures are read afresh here.)
  const fresh = suppressStatistics(await gatherStatistics({ store: reg.store, relief: new ReliefTimes() }));
  assert.deepEqual(fresh.confirmedNonMatches, { n: null, suppressed: true });
});
