/**
 * How a webhook delivery is signed: HMAC-SHA256, keyed with the carrier's own secret (shown to it once,
 * when it registers the webhook), over `TIMESTAMP.BODY`, sent as `x-erx-signature: sha256=HEX` with
 * `x-erx-timestamp: UNIX_SECONDS`. The timestamp inside the MAC lets a receiver refuse a replayed
 * delivery (older than a few minutes).
 *
 * HMAC rather than the replica's Ed25519 key: a carrier verifies with one shared secret and any HTTP
 * framework's few lines (the scheme GitHub and Stripe webhooks use), needs no key distribution or
 * rotation story from the border, and one carrier's secret proves nothing about another's deliveries.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-erx-signature';
export const TIMESTAMP_HEADER = 'x-erx-timestamp';
export const DELIVERY_HEADER = 'x-erx-delivery';

export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64url');
}

export function signDelivery(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** What a carrier runs (and the tests): true when `signature` is this body's, made with `secret`, at most `toleranceSeconds` old. */
export function verifyDelivery(secret: string, timestamp: string, body: string, signature: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(now / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signDelivery(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
