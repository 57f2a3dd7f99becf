/**
 * Delivering the outbox: e-mail through nodemailer to a local SMTP server that first refuses and then
 * accepts (retries with backoff), a give-up after the last attempt (counted as failed), what an e-mail
 * says and what it never says, the language of the person, and a webhook receiver checking the HMAC
 * signature with the register's secret file (0600).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { backoffMs, startNoticeDelivery } from '../../src/register/noticeDelivery.js';
import { RegisterService } from '../../src/register/registerService.js';
import { SqliteRegisterStore } from '../../src/store/sqlite/registerStore.js';
import { emailSender } from '../../src/transport/notify/email.js';
import { webhookSender } from '../../src/transport/notify/webhook.js';
import { loadWebhookSecret, WEBHOOK_SECRET_FILE } from '../../src/transport/notify/webhookSecret.js';
import { callUp, person, served, tempDir, testSigner } from '../helpers.js';
import { startSmtp, until } from './smtp.js';

function register(t: { after(fn: () => unknown): void }) {
  const store = new SqliteRegisterStore(tempDir(t), testSigner());
  t.after(() => store.close());
  return { store, service: new RegisterService(store) };
}

const DOB = '1987-06-05';
const DOC = '751234567';

test('backoff doubles from the base and is capped', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 1000, 10_000)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('an SMTP server that refuses twice and then accepts gets the e-mail once, after two backed-off retries', async (t) => {
  const smtp = await startSmtp({ refuseFirst: 2 });
  t.after(() => smtp.close());
  const { store, service } = register(t);
  const mail = emailSender({ url: smtp.url, from: 'erx register <no-reply@register.test>' });
  t.after(() => mail.close());
  const delivery = startNoticeDelivery(store, { senders: { email: mail }, baseDelayMs: 50, pollMs: 20, maxAttempts: 5 });
  t.after(() => delivery.stop());

  await service.upsertPerson(
    person({ personId: 'P-M1', surname: 'Сидоров', dateOfBirth: DOB, documents: [{ type: 'passport', number: DOC, country: 'RUS' }], contact: { email: 'sidorov@example.org' }, restrictions: [callUp('R-M1', { basis: 'Decision 12/2024 of the district court', office: 'MO-Moscow-12' })] }),
  );
  await service.recordService('R-M1', '2024-10-02T10:00:00Z', 'in-person');
  await until('the e-mail', () => smtp.mails.length === 1);
  assert.equal(smtp.refused, 2);
  const [row] = await store.notices.about('P-M1');
  await until('the row marked delivered', async () => (await store.notices.counts()).delivered === 1);
  assert.equal(row!.event.kind, 'restriction-in-force');
  const [got] = await store.notices.about('P-M1');
  assert.equal(got!.attempts, 2, 'two failed attempts recorded before the success');
  assert.ok(got!.deliveredAt);

  const m = smtp.mails[0]!;
  assert.deepEqual(m.to, ['sidorov@example.org']);
  assert.equal(m.from, 'no-reply@register.test');
  const raw = m.raw.replace(/=\r?\n/g, ''); // undo quoted-printable soft line breaks
  // What the person already knows from the decision: the office, the basis, the reference, the date.
  for (const said of ['MO-Moscow-12', 'Decision 12/2024 of the district court', 'R-M1', '2024-10-02', `X-Erx-Notification: ${got!.id}`]) assert.ok(raw.includes(said), `the e-mail says ${said}`);
  // Nothing else about them: not the date of birth, the document, the name, the internal person id.
  for (const unsaid of [DOB, DOC, 'Сидоров', '=D0=A1', 'P-M1']) assert.ok(!raw.includes(unsaid), `the e-mail must not contain ${unsaid}`);
});

test('a notice refused every time is given up after the last attempt and counted as failed', async (t) => {
  const smtp = await startSmtp({ refuseFirst: 1000 });
  t.after(() => smtp.close());
  const { store, service } = register(t);
  const mail = emailSender({ url: smtp.url, from: 'no-reply@register.test' });
  t.after(() => mail.close());
  const failures: boolean[] = [];
  const delivery = startNoticeDelivery(store, { senders: { email: mail }, baseDelayMs: 20, pollMs: 20, maxAttempts: 3, onFailure: (f) => failures.push(f.gaveUp) });
  t.after(() => delivery.stop());
  await service.upsertPerson(person({ personId: 'P-M2', contact: { email: 'p2@example.org' }, restrictions: [callUp('R-M2', served)] }));
  await until('the give-up', async () => (await store.notices.counts()).failed === 1);
  assert.deepEqual(failures, [false, false, true]);
  assert.equal(smtp.refused, 3, 'no attempt after the give-up');
  assert.deepEqual(await store.notices.counts(), { pending: 0, failed: 1, delivered: 0 });
  const [row] = await store.notices.about('P-M2');
  assert.match(row!.lastError!, /try again later/);
});

test('the message is in the person’s language (Russian, Ukrainian), English by default', async (t) => {
  const smtp = await startSmtp();
  t.after(() => smtp.close());
  const { store, service } = register(t);
  const mail = emailSender({ url: smtp.url, from: 'no-reply@register.test' });
  t.after(() => mail.close());
  const delivery = startNoticeDelivery(store, { senders: { email: mail }, pollMs: 20 });
  t.after(() => delivery.stop());
  await service.upsertPerson(person({ personId: 'P-L1', contact: { email: 'ru@example.org', language: 'ru' }, restrictions: [callUp('R-L1', served)] }));
  await service.upsertPerson(person({ personId: 'P-L2', contact: { email: 'uk@example.org', language: 'uk' }, restrictions: [callUp('R-L2', served)] }));
  await service.upsertPerson(person({ personId: 'P-L3', contact: { email: 'en@example.org' }, restrictions: [callUp('R-L3', served)] }));
  await until('three e-mails', () => smtp.mails.length === 3);
  const subjectOf = (to: string) => {
    const raw = smtp.mails.find((m) => m.to[0] === to)!.raw;
    const line = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)![1]!;
    // RFC 2047 encoded words, as nodemailer writes them (base64 or Q).
    return line.replace(/\r?\n[ \t]/g, '').replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
  };
  assert.equal(subjectOf('ru@example.org'), 'Ограничение на выезд R-L1 вступило в силу');
  assert.equal(subjectOf('uk@example.org'), 'Обмеження на виїзд R-L2 набрало чинності');
  assert.equal(subjectOf('en@example.org'), 'Exit restriction R-L3 is in force');
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

test('a webhook receiver verifies the HMAC signature with the register’s secret; a 500 is retried, a forged body fails the check', async (t) => {
  const dir = tempDir(t);
  const secret = loadWebhookSecret(dir);
  assert.equal(statSync(join(dir, WEBHOOK_SECRET_FILE)).mode & 0o777, 0o600);
  assert.deepEqual(loadWebhookSecret(dir), secret, 'kept across restarts');
  const received: { body: string; headers: IncomingMessage['headers'] }[] = [];
  let answers = [500];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({ body, headers: req.headers });
    res.statusCode = answers.shift() ?? 204;
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise((r) => server.close(r)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/erx`;

  const { store, service } = register(t);
  // The retry waits 300 ms: long enough that the lift's notice is written and due meanwhile, which
  // must still not overtake the notice it follows.
  const delivery = startNoticeDelivery(store, { senders: { webhook: webhookSender(secret) }, baseDelayMs: 300, pollMs: 20 });
  t.after(() => delivery.stop());
  await service.upsertPerson(person({ personId: 'P-W1', dateOfBirth: DOB, documents: [{ type: 'passport', number: DOC, country: 'RUS' }], contact: { webhook: url }, restrictions: [callUp('R-W1', served)] }));
  await service.lift('R-W1', '2024-12-01T00:00:00Z', 'cancellation');
  await until('both notices delivered', async () => (await store.notices.counts()).delivered === 2);
  assert.equal(received.length, 3, 'the first call answered 500 and was repeated');
  assert.deepEqual(
    received.map((r) => JSON.parse(r.body).event.kind),
    ['restriction-in-force', 'restriction-in-force', 'restriction-lifted'],
    'the lift is told only after the notice it lifts, though that one needed a retry',
  );
  assert.equal(received[0]!.body, received[1]!.body, 'a repeat carries the same notice');

  const verify = (r: { body: string; headers: IncomingMessage['headers'] }) => {
    const ts = String(r.headers['x-erx-timestamp']);
    const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
    return r.headers['x-erx-signature'] === expected && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
  };
  assert.ok(received.every(verify), 'every call is signed');
  const lifted = received.map((r) => JSON.parse(r.body)).find((b) => b.event.kind === 'restriction-lifted');
  assert.deepEqual(lifted.event, { kind: 'restriction-lifted', restrictionId: 'R-W1', office: 'MO-Moscow-12', basis: 'Call-up notice R-W1, art. 31', at: '2024-12-01T00:00:00Z', reason: 'cancellation' });
  assert.equal(lifted.language, 'en');
  assert.equal(String(received.at(-1)!.headers['x-erx-notification']), String(lifted.notificationId));
  for (const r of received) for (const unsaid of [DOB, DOC, 'P-W1', 'Иванов']) assert.ok(!r.body.includes(unsaid), `the webhook body must not contain ${unsaid}`);
  // A body changed on the way no longer matches its signature.
  const forged = { ...received[2]!, body: received[2]!.body.replace('cancellation', 'expiry') };
  assert.ok(!verify(forged));
});
