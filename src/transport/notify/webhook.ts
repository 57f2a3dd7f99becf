/**
 * The webhook adapter of the notification outbox: a POST of JSON (register/noticeTemplates.ts
 * webhookPayload) signed with HMAC-SHA256 under the register's webhook secret.
 *
 * Headers (docs/due-process.md "Telling the person"):
 *   X-Erx-Notification: the notification id (the same on a repeat: receivers dedupe by it)
 *   X-Erx-Timestamp:    seconds since the epoch when this attempt was signed
 *   X-Erx-Signature:    `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`)
 * A receiver recomputes the HMAC over the raw body and refuses a timestamp more than 5 minutes old.
 * Any 2xx answer is delivery; anything else, or no answer within 10 s, is a failed attempt.
 */
import { createHmac } from 'node:crypto';
import type { NoticeSender } from '../../register/noticeDelivery.js';
import { webhookPayload } from '../../register/noticeTemplates.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The signature header's value for a body signed at `timestamp` (seconds). */
export function webhookSignature(secret: Buffer, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookSender(secret: Buffer, now: () => number = Date.now): NoticeSender {
  return {
    async send(entry) {
      const body = JSON.stringify(webhookPayload(entry.event, entry.language, entry.id));
      const timestamp = Math.floor(now() / 1000);
      const res = await fetch(entry.address, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-erx-notification': String(entry.id),
          'x-erx-timestamp': String(timestamp),
          'x-erx-signature': webhookSignature(secret, timestamp, body),
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.status < 200 || res.status > 299) throw Object.assign(new Error(`webhook answered ${res.status}`), { code: `HTTP${res.status}` });
    },
  };
}
