/** The carrier's answer from the decisions now and at departure (the table in carrierAnswer.ts), and what a carrier may see. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carrierAnswer, carrierView, changeNotice } from '../../src/border/manifests/carrierAnswer.js';
import type { StoredManifest } from '../../src/border/manifests/manifestStore.js';
import { signDelivery, verifyDelivery } from '../../src/border/manifests/webhookSignature.js';
import { backoffDelay } from '../../src/border/manifests/webhookDelivery.js';

test('carrier answers: firm only when now and departure agree', () => {
  const table = [
    ['clear', 'clear', 'board'],
    ['clear', 'refer', 'check-at-border'],
    ['clear', 'hit', 'check-at-border'],
    ['refer', 'clear', 'check-at-border'],
    ['refer', 'refer', 'check-at-border'],
    ['refer', 'hit', 'check-at-border'],
    ['hit', 'clear', 'check-at-border'],
    ['hit', 'refer', 'check-at-border'],
    ['hit', 'hit', 'do-not-board'],
  ] as const;
  for (const [now, departure, answer] of table) assert.equal(carrierAnswer(now, departure), answer, `${now} now, ${departure} at departure`);
});

const reason = { source: 'list', restrictionId: 'CU-SECRET-1', personId: 'R-SECRET', kind: 'call-up', basis: 'Art. 31 notice', office: 'MO-Moscow-12', matchedOn: ['name'], score: 0.97, detail: 'd', status: 'in-force', inForceFrom: '2024-10-02', features: [] };
const stored: StoredManifest = {
  manifestId: 'M-1',
  carrier: 'SU',
  service: 'SU2130',
  departureAt: '2026-12-24T09:30:00.000Z',
  from: 'SVO',
  to: 'IST',
  receivedAt: '2026-12-07T10:00:00.000Z',
  version: 2,
  travellers: [
    { position: 1, traveller: { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04', documentNumber: '751234567', nationality: 'RUS', sex: 'M' }, answer: 'do-not-board', screeningId: 'S-SECRET', decision: 'hit', decisionAtDeparture: 'hit', reasons: [reason] },
  ],
};

test("a carrier's view carries nothing about restrictions: no id, basis, office, kind, score or person", () => {
  const serialized = JSON.stringify(carrierView(stored, new Date('2026-12-07T10:00:00Z'), [{ version: 2, position: 1, from: 'board', to: 'do-not-board', at: 'x' }]));
  for (const key of ['restrictionId', 'personId', 'basis', 'office', 'kind', 'score', 'reasons', 'decision', 'screeningId', 'status', 'matchedOn']) assert.ok(!serialized.includes(`"${key}"`), `no ${key}`);
  for (const value of ['CU-SECRET-1', 'R-SECRET', 'Art. 31', 'MO-Moscow-12', 'call-up', 'S-SECRET', '0.97', 'in-force']) assert.ok(!serialized.includes(value), `no ${value}`);
  assert.match(serialized, /"answer":"do-not-board"/);
  const notice = changeNotice(stored, 2, [{ version: 2, position: 1, from: 'board', to: 'do-not-board', at: 'x' }]);
  for (const value of ['CU-SECRET-1', 'R-SECRET', 'MO-Moscow-12', 'S-SECRET']) assert.ok(!notice.includes(value), `the webhook body has no ${value}`);
});

test('a manifest is live until its departure', () => {
  assert.equal(carrierView(stored, new Date('2026-12-24T09:29:59Z')).live, true);
  assert.equal(carrierView(stored, new Date('2026-12-24T09:30:00Z')).live, false);
});

test('webhook signatures: verify with the secret and timestamp, fail on any change or a stale timestamp', () => {
  const body = '{"a":1}';
  const now = 1_800_000_000_000;
  const ts = Math.floor(now / 1000);
  const sig = signDelivery('whsec_k', ts, body);
  assert.ok(verifyDelivery('whsec_k', String(ts), body, sig, now));
  assert.ok(!verifyDelivery('whsec_other', String(ts), body, sig, now), 'another secret');
  assert.ok(!verifyDelivery('whsec_k', String(ts), '{"a":2}', sig, now), 'another body');
  assert.ok(!verifyDelivery('whsec_k', String(ts + 1), body, sig, now), 'another timestamp');
  assert.ok(!verifyDelivery('whsec_k', String(ts), body, sig, now + 301_000), 'replayed later');
});

test('webhook backoff doubles from the base and stops at the cap, with jitter within ±20 %', () => {
  assert.equal(backoffDelay(0, 1000, 600_000, () => 0.5), 1000);
  assert.equal(backoffDelay(3, 1000, 600_000, () => 0.5), 8000);
  assert.equal(backoffDelay(40, 1000, 600_000, () => 0.5), 600_000);
  assert.equal(backoffDelay(0, 1000, 600_000, () => 0), 800);
  assert.equal(backoffDelay(0, 1000, 600_000, () => 1), 1200);
});
