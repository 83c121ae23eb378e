// Shared by the browser tests of the web app: the built app served by
// web/server.mjs, Debian's Chromium driven by playwright-core, and a Node
// engine (the package itself) to ask the same questions the page asks.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { createEngine } from '../../js/index.js';
import { startServer } from '../../web/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../js/support/chromium.mjs';

export { CHROMIUM, CHROMIUM_ARGS };


export const DEMO_PATH = new URL('../../web/demo/demo-org.json', import.meta.url);
export const demo = () => JSON.parse(readFileSync(DEMO_PATH, 'utf8'));

/** A Node engine holding the demo organisation as the app first loads it. */
export async function demoEngine() {
  const engine = await createEngine();
  const loaded = engine.load(demo());
  if (!loaded.ok) throw new Error(`demo org did not load: ${JSON.stringify(loaded.errors[0])}`);
  return engine;
}

export async function serve(port = 0) {
  const server = await startServer({ port, host: '127.0.0.1' });
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

export function stop(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (its own IndexedDB and service worker) with a page
 * that records console errors and page errors in `problems`.
 */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

/** Opens the app at `route` (e.g. `people/r-lee`) and waits for the first screen. */
export async function openApp(page, url, route = 'inbox') {
  await page.goto(`${url}#/${route}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
}

/** Acts as `user` at `site` (the demo's switchers), then shows `route`. */
export async function actAs(page, user, site, route) {
  await page.selectOption('[data-testid="act-as"]', user);
  if (site) await page.selectOption('[data-testid="site"]', site);
  await page.evaluate((r) => {
    location.hash = `#/${r}`;
  }, route);
  await page.waitForFunction(
    ([u, s]) => {
      const a = document.querySelector('[data-testid="act-as"]');
      const b = document.querySelector('[data-testid="site"]');
      return a?.value === u && (!s || b?.value === s);
    },
    [user, site],
  );
  // Let Preact flush the render of the new route.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
}

/**
 * Whether `engine` allows what a gated control (from `gates`) asks for `user`:
 * the dry run of its command, or the decision on its action and target.
 */
export function engineAllows(engine, user, g) {
  if (g.gate === 'command') {
    const command = JSON.parse(g.command);
    // A command still being put together (its data loading) is disabled.
    if (command === null) return false;
    assert.equal(command.actor, user, `a dry run is for the acting user: ${g.command}`);
    return engine.dryRun(command).ok;
  }
  return engine.explain(user, g.gate, JSON.parse(g.target) ?? undefined).allowed;
}

/** Every gated control on the page, as the browser tests compare them with the engine. */
export function gates(page) {
  return page.$$eval('[data-gate]', (els) =>
    els.map((e) => ({
      gate: e.dataset.gate,
      target: e.dataset.target ?? null,
      command: e.dataset.command ?? null,
      ariaDisabled: e.getAttribute('aria-disabled'),
      text: (e.textContent ?? '').trim().slice(0, 60),
      described: e.getAttribute('aria-describedby')
        ? (document.getElementById(e.getAttribute('aria-describedby'))?.textContent ?? '')
        : null,
    })),
  );
}

/**
 * For a test file: before its tests, serve the app, launch Chromium and load
 * the demo in a Node engine; after them, close all three. The returned object
 * is filled in by `before`: `{ server, url, browser, engine }`.
 */
export function useApp() {
  const app = {};
  before(async () => {
    Object.assign(app, await serve());
    app.browser = await launch();
    app.engine = await demoEngine();
  });
  after(async () => {
    await app.browser?.close();
    if (app.server) await stop(app.server);
    app.engine?.dispose();
  });
  return app;
}
