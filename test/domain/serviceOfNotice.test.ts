import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInForce } from '../../src/domain/lifecycle.js';
import { DEFAULT_SERVICE_RULES, inForceFrom, serviceRulesSchema } from '../../src/domain/serviceOfNotice.js';
import { parseInstant } from '../../src/domain/dates.js';

const utc = (s: string) => parseInstant(s) as string;
const at = (s: string) => new Date(utc(s));
const base = { kind: 'call-up' as const };

test('in person and by post: in force at the recorded signature, to the second', () => {
  for (const channel of ['in-person', 'post'] as const) {
    const r = { ...base, servedAt: utc('2024-10-02T10:00:00Z'), serviceChannel: channel };
    const from = inForceFrom(r, DEFAULT_SERVICE_RULES)!;
    assert.equal(from, '2024-10-02T10:00:00.000Z');
    assert.equal(isInForce({ servedAt: r.servedAt, inForceFrom: from }, at('2024-10-02T09:59:59Z')), false, 'the second before');
    assert.equal(isInForce({ servedAt: r.servedAt, inForceFrom: from }, at('2024-10-02T10:00:00Z')), true, 'the second of');
  }
});

test('portal: seven days of 24 hours after posting, across 29 February, whatever the local time zone', () => {
  const posted = utc('2024-02-26T12:00:00+03:00'); // 09:00 UTC
  const r = { ...base, servedAt: posted, serviceChannel: 'portal' as const };
  const from = inForceFrom(r, DEFAULT_SERVICE_RULES)!;
  assert.equal(from, '2024-03-04T09:00:00.000Z', '2024 is a leap year: 26 Feb + 7 days = 4 March');
  assert.equal(isInForce({ servedAt: posted, inForceFrom: from }, at('2024-03-04T11:59:59+03:00')), false, 'the second before, in Moscow time');
  assert.equal(isInForce({ servedAt: posted, inForceFrom: from }, at('2024-03-04T12:00:00+03:00')), true, 'the second of, in Moscow time');
  assert.equal(inForceFrom({ ...r, servedAt: utc('2023-02-26T09:00:00Z') }, DEFAULT_SERVICE_RULES), '2023-03-05T09:00:00.000Z', 'no leap day in 2023');
  assert.equal(inForceFrom({ ...r, servedAt: utc('2024-02-26T14:00:00+05:00') }, DEFAULT_SERVICE_RULES), '2024-03-04T09:00:00.000Z', 'the same instant written in another zone');
});

test('portal: delivery brings it forward when the person opens it before the deemed date', () => {
  const r = { ...base, servedAt: utc('2024-10-01T09:00:00Z'), serviceChannel: 'portal' as const, deliveredAt: utc('2024-10-03T15:30:00Z') };
  assert.equal(inForceFrom(r, DEFAULT_SERVICE_RULES), '2024-10-03T15:30:00.000Z');
  const late = { ...r, deliveredAt: utc('2024-10-20T00:00:00Z') };
  assert.equal(inForceFrom(late, DEFAULT_SERVICE_RULES), '2024-10-08T09:00:00.000Z', 'opening it late does not postpone it');
});

test('the delay is configurable per kind, and the rules are validated as data', () => {
  const rules = serviceRulesSchema.parse({ portalDelayDays: { 'court-order': 0 }, defaultPortalDelayDays: 10 });
  const served = { servedAt: utc('2024-10-01T09:00:00Z'), serviceChannel: 'portal' as const };
  assert.equal(inForceFrom({ ...served, kind: 'court-order' }, rules), '2024-10-01T09:00:00.000Z');
  assert.equal(inForceFrom({ ...served, kind: 'call-up' }, rules), '2024-10-11T09:00:00.000Z');
  assert.throws(() => serviceRulesSchema.parse({ portalDelayDays: { ban: 3 } }));
  assert.throws(() => serviceRulesSchema.parse({ defaultPortalDelays: 3 }), /Unrecognized key/);
});

test('expiry: in force until the expiry instant, exclusive', () => {
  const r = { servedAt: utc('2024-10-01T09:00:00Z'), expiresAt: utc('2025-01-01T00:00:00Z') };
  assert.equal(isInForce(r, at('2024-12-31T23:59:59Z')), true);
  assert.equal(isInForce(r, at('2025-01-01T00:00:00Z')), false);
});
