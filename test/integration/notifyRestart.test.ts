/**
 * At least once across a kill -9: a register whose mail relay is down keeps the notice pending in its
 * database; killed with SIGKILL and started again (the relay now up), it delivers the notice. Also the
 * public statistics of the same register, read without a token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, eventually, get, post, startRegister, tokenFor } from './processes.js';
import { callUp, tempDir } from '../helpers.js';
import { startSmtp } from '../notify/smtp.js';

test('a pending notification survives kill -9 of the register and is delivered after the restart', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const smtpPort = await freePort();
  const args = ['--smtp', `smtp://127.0.0.1:${smtpPort}`, '--notify-backoff', '1', '--notify-attempts', '50'];
  const first = await startRegister(t, dir, 0, args);
  const token = await tokenFor(first.url);
  const res = await post(
    `${first.url}/v1/persons`,
    { personId: 'P-K1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1990-01-02', documents: [{ type: 'passport', number: '750000001', country: 'RUS' }], contact: { email: 'k1@example.org' }, restrictions: [callUp('R-K1', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'in-person' })] },
    token,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  // The relay is down: the attempt fails and the notice stays pending, in the database.
  await eventually('a failed attempt', async () => {
    const s = await get(`${first.url}/v1/notifications/status`, token);
    return s.pending === 1 && s.failed === 0 ? s : undefined;
  });
  await first.stop('SIGKILL');

  const smtp = await startSmtp({ port: smtpPort });
  t.after(() => smtp.close());
  const second = await startRegister(t, dir, 0, args);
  const mail = await eventually('the e-mail after the restart', async () => smtp.mails[0]);
  assert.deepEqual(mail.to, ['k1@example.org']);
  assert.match(mail.raw, /R-K1/);
  const status = await eventually('the row marked delivered', async () => {
    const s = await get(`${second.url}/v1/notifications/status`, await tokenFor(second.url));
    return s.delivered === 1 ? s : undefined;
  });
  assert.deepEqual(status, { pending: 0, failed: 0, delivered: 1, channels: ['webhook', 'email'] });

  // Public: statistics without a token; one restriction is under 10, so its cells are suppressed.
  const stats = await fetch(`${second.url}/v1/statistics`);
  assert.equal(stats.status, 200);
  const body = (await stats.json()) as { restrictions: { byKindAndOffice: { imposed: unknown }[] } };
  assert.deepEqual(body.restrictions.byKindAndOffice[0]!.imposed, { n: null, suppressed: true });
});
