/**
 * Lifting a restriction in the register's console, in a real browser (Chromium, as console.test.ts),
 * with a real border replica following the register over HTTP:
 *   - no reason is chosen for the operator; "Continue" without one refuses, with the error beside the
 *     field (and nothing is sent);
 *   - a confirmation says what will happen before anything is sent;
 *   - the answer shows the lift reaching the border: "applied by K of N following replicas", updated
 *     live from GET /v1/restrictions/{id}/reach, until 1 of 1 — and the replica then holds the lift.
 * Screenshots go to test-output/console/lift/ (printed at the start); docs/img/lift-reaching-border.png
 * is a copy of the last one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { callUp, exportRegisterKeys, person, served, tempDir } from '../helpers.js';
import { checkAccessible, launch, newPage, OUTPUT_DIR, screenshot, skipReason } from './browser.js';

test('lift: a reason must be chosen, a confirmation says what happens, and the answer shows the lift reaching the border (1 of 1)', { timeout: 120_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  mkdirSync(join(OUTPUT_DIR, 'lift'), { recursive: true });
  process.stdout.write(`screenshots: ${join(OUTPUT_DIR, 'lift')}/*.png\n`);
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir });
  t.after(() => reg.close());
  await reg.service.upsertPerson(person({ personId: 'L-1', dateOfBirth: '1990-01-01', documents: [{ type: 'passport', number: '751000001', country: 'RUS' }], restrictions: [callUp('CU-L-1', served)] }));
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const R = `http://127.0.0.1:${(reg.app.server.address() as { port: number }).port}`;
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: R, trustFile: exportRegisterKeys(regDir), token: await issueToken(authSecret(regDir), { role: 'border', sub: 'checkpoint-east' }), longPollMs: 500 });
  t.after(() => replica.close());
  replica.follower.start();
  await replica.follower.waitFor(await reg.store.headSeq());
  const operator = await issueToken(authSecret(regDir), { role: 'operator', sub: 'ana' });

  const browser = await launch();
  t.after(() => browser.close());
  const problems: string[] = [];
  const page = await newPage(browser, problems);
  const lifts: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/lift')) lifts.push(r.url());
  });
  await page.goto(`${R}/console/persons?id=L-1#token=${operator}`);
  const row = page.locator('tr[data-restriction="CU-L-1"]');
  await row.waitFor();
  await row.getByRole('button', { name: 'Lift' }).click();

  await t.test('no reason is chosen for the operator; Continue without one refuses, beside the field', async () => {
    const reasons = page.getByRole('group', { name: 'Why is it lifted?' });
    await reasons.waitFor();
    const radios = reasons.getByRole('radio');
    assert.equal(await radios.count(), 5);
    for (let i = 0; i < 5; i++) assert.equal(await radios.nth(i).isChecked(), false, 'no reason pre-selected');
    await page.getByRole('button', { name: 'Continue' }).click();
    const error = page.locator('#lift-CU-L-1-reason-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'Error: Select why the restriction is lifted');
    assert.equal(await reasons.getAttribute('aria-describedby'), 'lift-CU-L-1-reason-error', 'the error is read with the choices');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.name'), 'lift-CU-L-1-reason', 'focus moves to the choices');
    assert.deepEqual(lifts, [], 'nothing was sent');
    assert.deepEqual(await checkAccessible(page), []);
    await screenshot(page, 'lift/1-reason-missing');
  });

  await t.test('the confirmation says what will happen before anything is sent', async () => {
    await page.getByLabel('Cancelled by the issuing office or a court').check();
    assert.equal(await page.locator('#lift-CU-L-1-reason-error').count(), 0, 'the error goes once a reason is chosen');
    await page.getByRole('button', { name: 'Continue' }).click();
    const confirm = page.getByTestId('lift-confirm');
    await confirm.waitFor();
    const text = await confirm.innerText();
    assert.match(text, /^Lift CU-L-1\?/);
    assert.match(text, /call-up notice \(Call-up notice CU-L-1, art\. 31\) will stop applying from/i);
    assert.match(text, /Reason: Cancelled by the issuing office or a court/);
    assert.match(text, /Every border replica following the register receives the lift within seconds/);
    assert.deepEqual(lifts, [], 'still nothing sent');
    assert.deepEqual(await checkAccessible(page), []);
    await screenshot(page, 'lift/2-confirm');
  });

  await t.test('the answer shows the lift reaching the border: applied by 1 of 1 following replica', async () => {
    await page.getByRole('button', { name: 'Yes, lift CU-L-1' }).click();
    await page.locator('.note-ok[role="status"]').getByText(/Lifted CU-L-1 \(register change 3\)/).waitFor();
    const count = page.locator('.lift-reach-count');
    await page.locator('.lift-reach-count[data-applied="1"][data-total="1"]').waitFor({ timeout: 15_000 });
    assert.equal(await count.innerText(), 'Applied by 1 of 1 following replica — the lift has reached every one.');
    assert.match(await page.locator('.lift-reach-followers').innerText(), /checkpoint-east@127\.0\.0\.1\s+✓ yes\s+3/);
    await page.locator('tr[data-restriction="CU-L-1"] .badge-lifted').waitFor();
    // The register's view agrees with the replica's own state.
    assert.ok((await replica.store.state()).cursor! >= 3);
    assert.ok((await replica.store.restrictionsOf(['L-1']))[0]!.liftedAt, 'the replica holds the lift');
    // The history's detail writes the lift's instant the reader's way, never as a raw ISO string.
    await page.getByText('restriction lift').first().waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    assert.deepEqual(await checkAccessible(page), []);
    await screenshot(page, 'lift/3-reached-the-border');
  });

  assert.deepEqual(problems, [], 'no script errors in the page');
});
