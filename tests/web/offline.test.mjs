// Offline (issue 5, R7): after the first visit the app loads and works with
// the network off. Signed in, then the server stopped and Chromium offline:
// reload, complete a step, reload again, close the tab and open a new one:
// the progress and the queue are still there. The server back (the same
// database), the queue is sent, the server applies the command, and the app
// holds the server's snapshot with the step done.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { actAs, serverLog, demo, launch, openApp, openPage, serve, stop } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A learner's open fulfillment with a step still to do (not an assessment). */
export function openStep(org) {
  const courses = new Map(org.training.courses.map((c) => [c.id, c]));
  for (const f of org.training.fulfillments) {
    if (f.status === 'completed' || f.status === 'withdrawn') continue;
    const course = courses.get(f.course);
    const step = (course?.steps ?? []).find((s) => s.type !== 'assessment' && !(f.completedSteps ?? []).includes(s.id));
    if (course?.status === 'published' && step) return { user: f.user, fulfillment: f.id, step: step.id, site: course.site };
  }
  throw new Error('the demo organisation has no open step to complete');
}

test('offline: network off, reload, complete a step, reload, close the tab, open a new one: progress and queue are kept, then sent (R7)', async () => {
  const org = demo();
  const { user, fulfillment, step, site } = openStep(org);
  let { server, url, dir } = await serve();
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
  assert.equal(await page.getAttribute('[data-testid="signed-in"]', 'data-user'), user, 'who is signed in survived the reload');

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
  assert.equal(await again.getAttribute('[data-testid="signed-in"]', 'data-user'), user);
  await again.waitForSelector(`[data-testid="step-done"][data-step="${step}"]`);
  await again.waitForSelector('[data-testid="queue"][data-waiting="1"]');

  // Back online, the same server database: the queue is sent and applied.
  ({ server } = await serve({ port, dir }));
  await context.setOffline(false);
  await again.waitForSelector('[data-testid="queue"][data-waiting="0"]', { timeout: 20_000 });
  const sent = (await serverLog(url)).filter((e) => e.type === 'step.complete');
  assert.equal(sent.length, 1);
  assert.equal(sent[0].actor, user);
  const said = JSON.stringify(sent[0].events);
  assert.ok(said.includes(fulfillment) && said.includes(step), `the event names the fulfillment and the step: ${said}`);
  // The app now holds the server's snapshot, which has the step done.
  await again.waitForSelector(`[data-testid="step-done"][data-step="${step}"]`);
  assert.equal(await again.$('[data-testid="not-saved"]'), null, 'nothing was refused');

  assert.deepEqual(problems.filter((p) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(p)), []);
  await context.close();
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
});

test('a snapshot kept in IndexedDB as an object (by an earlier version of the app) still loads, offline', async () => {
  const org = demo();
  const { user, fulfillment, step, site } = openStep(org);
  const { server, url, dir } = await serve();
  const { context, page, problems } = await openPage(browser);
  await openApp(page, url);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
  await actAs(page, user, site, `learn/${fulfillment}`);
  // The kept base is the server's bytes; rewrite it as the object they hold, as the app kept it before.
  const kind = await page.evaluate(async () => {
    const open = () =>
      new Promise((resolve, reject) => {
        const r = indexedDB.open('calm-app');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const request = (db, mode, use) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction('kv', mode);
        const r = use(tx.objectStore('kv'));
        tx.oncomplete = () => resolve(r.result);
        tx.onerror = () => reject(tx.error);
      });
    let db = await open();
    let base;
    for (let i = 0; i < 50 && base === undefined; i++) {
      base = await request(db, 'readonly', (s) => s.get('base'));
      if (base === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    const was = base instanceof ArrayBuffer ? 'bytes' : typeof base;
    await request(db, 'readwrite', (s) => s.put(JSON.parse(new TextDecoder().decode(base)), 'base'));
    db.close();
    db = await open();
    const now = await request(db, 'readonly', (s) => s.get('base'));
    db.close();
    return `${was} -> ${now instanceof ArrayBuffer ? 'bytes' : typeof now}`;
  });
  assert.equal(kind, 'bytes -> object');
  await stop(server);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  assert.equal(await page.getAttribute('[data-testid="signed-in"]', 'data-user'), user);
  await page.waitForSelector(`[data-testid="step-complete"][data-step="${step}"]`);
  assert.deepEqual(problems.filter((p) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(p)), []);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
