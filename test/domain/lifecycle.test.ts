import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, isInForce, lift, LifecycleError, serve, stateOf, TRANSITIONS } from '../../src/domain/lifecycle.js';
import type { Restriction } from '../../src/domain/types.js';

const issued: Restriction = {
  restrictionId: 'CU-1',
  personId: 'P-1',
  kind: 'call-up',
  basis: 'art. 31',
  office: 'MO-1',
  issuedAt: '2024-10-01T09:00:00.000Z',
};

test('every state × event has a specified outcome (transition table)', () => {
  for (const state of ['issued', 'served', 'lifted'] as const) {
    for (const event of ['serve', 'lift'] as const) assert.ok(['apply', 'refuse'].includes(TRANSITIONS[state][event]));
  }
});

test('L1: in force exactly from service until lift (lift instant exclusive)', () => {
  const s = serve(issued, '2024-10-02T10:00:00.000Z', 'portal');
  assert.equal(isInForce(issued, new Date('2030-01-01')), false, 'issued but not served is not in force');
  assert.equal(isInForce(s, new Date('2024-10-02T09:59:59.999Z')), false, 'a millisecond before service');
  assert.equal(isInForce(s, new Date('2024-10-02T10:00:00.000Z')), true, 'at the instant of service');
  const l = lift(s, '2024-12-01T00:00:00.000Z', 'cancellation');
  assert.equal(isInForce(l, new Date('2024-11-30T23:59:59.999Z')), true);
  assert.equal(isInForce(l, new Date('2024-12-01T00:00:00.000Z')), false, 'not in force at the lift instant');
});

test('L2: service and lift cannot precede issue or service', () => {
  assert.throws(() => serve(issued, '2024-09-30T00:00:00.000Z', 'post'), (e: unknown) => e instanceof LifecycleError && e.field === 'servedAt');
  const s = serve(issued, '2024-10-02T10:00:00.000Z', 'post');
  assert.throws(() => lift(s, '2024-10-02T09:00:00.000Z', 'cancellation'), /before servedAt/);
  assert.throws(() => lift(issued, '2024-09-01T00:00:00.000Z', 'cancellation'), /before issuedAt/);
});

test('L3: lifted is terminal; served cannot be served again differently', () => {
  const s = serve(issued, '2024-10-02T10:00:00.000Z', 'post');
  assert.throws(() => serve(s, '2024-10-03T10:00:00.000Z', 'post'), /cannot be served again/);
  const l = lift(s, '2024-11-01T00:00:00.000Z', 'expiry');
  assert.equal(stateOf(l), 'lifted');
  assert.throws(() => lift(l, '2024-11-02T00:00:00.000Z', 'expiry'), /already lifted/);
  assert.throws(() => serve(l, '2024-10-02T10:00:00.000Z', 'post'), /lifted and cannot be served/);
});

test('L4: repeating a transition with the same values is a no-op', () => {
  const s = serve(issued, '2024-10-02T10:00:00.000Z', 'post');
  assert.equal(serve(s, '2024-10-02T10:00:00.000Z', 'post'), s);
  const l = lift(s, '2024-11-01T00:00:00.000Z', 'expiry');
  assert.equal(lift(l, '2024-11-01T00:00:00.000Z', 'expiry'), l);
});

test('lifting an issued restriction before service cancels it without ever putting it in force', () => {
  const l = lift(issued, '2024-10-05T00:00:00.000Z', 'cancellation');
  assert.equal(stateOf(l), 'lifted');
  assert.equal(isInForce(l, new Date('2024-10-06')), false);
});

test('advance (import) moves forward, refuses going back or changing identity fields', () => {
  const wantedServed = { ...issued, servedAt: '2024-10-02T10:00:00.000Z', serviceChannel: 'portal' as const };
  const s = advance(issued, wantedServed);
  assert.equal(stateOf(s), 'served');
  assert.equal(advance(s, wantedServed), s, 'same line twice: no change');
  assert.throws(() => advance(s, issued), /service cannot be undone/);
  assert.throws(() => advance(issued, { ...issued, basis: 'other' }), (e: unknown) => e instanceof LifecycleError && e.field === 'basis');
  const l = advance(s, { ...wantedServed, liftedAt: '2025-01-01T00:00:00.000Z', liftReason: 'deferment' });
  assert.equal(stateOf(l), 'lifted');
  assert.throws(() => advance(l, wantedServed), /lift cannot be undone/);
});
