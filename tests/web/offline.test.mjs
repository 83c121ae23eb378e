// Offline (issue 5): after the first visit the app loads and works with the
// network off. Network off (the server stopped and Chromium offline), reload,
// complete a step, reload again, close the tab and open a new one: the
// progress and the queue are still there.
// Back online, the queue is sent and the server has the command.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { actAs, demo, launch, openApp, openPage, serve, stop } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A learner's open fulfillment with a step still to do (not an assessment). */
function openStep(org) {
  const courses = new Map(org.training.courses.map((c) => [c.id, c]));
  for (const f of org.training.fulfillments) {
    if (f.status === 'completed' || f.status === 'withdrawn') continue;
    const course = courses.get(f.course);
    const step = (course?.steps ?? []).find((s) => s.type !== 'assessment' && !(f.completedSteps ?? []).includes(s.id));
    if (course?.status === 'published' && step) return { user: f.user, fulfillment: f.id, step: step.id, site: course.site };
  }
  throw new Error('the demo organisation has no open step to complete');
}

test('offline: network off, reload, complete a step, reload, close the tab, open a new one: progress and queue are kept, then sent', async () => {
  const org = demo();
  const { user, fulfillment, step, site } = openStep(org);
  let { server, url } = await serve();
  const port = server.address().port;
  const { context, page, problems } = await openPage(browser);

  // First visit: the service worker installs (caching the app) and takes control.
  await openApp(page, url);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await actAs(page, user, site, `learn/${fulfillment}`);

  // Network off.
  await stop(server);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.textContent('[data-testid="network"]'), 'Offline');
  assert.equal(await page.inputValue('[data-testid="act-as"]'), user, 'who the app acts as survived the reload');

  const button = `[data-testid="step-complete"][data-step="${step}"]`;
  await page.waitForSelector(button);
  assert.equal(await page.getAttribute(button, 'aria-disabled'), null, 'the step can be completed offline');
  await page.click(button);
  await page.waitForSelector(`[data-testid="step-done"][data-step="${step}"]`);
  await page.waitForSelector('[data-testid="queue"][data-waiting="1"]');

  // Reload, still offline: the progress and the queue come back from IndexedDB.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector(`[data-testid="step-done"][data-step="${step}"]`);
  await page.waitForSelector('[data-testid="queue"][data-waiting="1"]');
  assert.match(await page.textContent('[data-testid="queue-count"]'), /1 change waiting to be sent/);

  // Close the tab and open the app in a new one, still offline: nothing lost.
  await page.close();
  const again = await context.newPage();
  again.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await again.goto(`${url}#/learn/${encodeURIComponent(fulfillment)}`);
  await again.waitForSelector('html[data-ready="true"]');
  assert.equal(await again.inputValue('[data-testid="act-as"]'), user);
  await again.waitForSelector(`[data-testid="step-done"][data-step="${step}"]`);
  await again.waitForSelector('[data-testid="queue"][data-waiting="1"]');

  // Back online: the queue is sent and acknowledged.
  ({ server } = await serve(port));
  url = `http://127.0.0.1:${port}/`;
  await context.setOffline(false);
  await again.waitForSelector('[data-testid="queue"][data-waiting="0"]', { timeout: 20_000 });
  const { commands } = await (await fetch(`${url}api/commands`)).json();
  const sent = commands.filter((c) => c.type === 'step.complete');
  assert.equal(sent.length, 1);
  assert.equal(sent[0].fulfillment, fulfillment);
  assert.equal(sent[0].step, step);
  assert.equal(sent[0].actor, user);

  assert.deepEqual(problems.filter((p) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(p)), []);
  await context.close();
  await stop(server);
});
