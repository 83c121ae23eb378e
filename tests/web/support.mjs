// Shared by the browser tests of the web app: the built app served by the
// real server (web/server.mjs: sessions, viewer snapshots, every command
// decided and stored, here in a fresh SQLite file per test), Debian's
// Chromium driven by playwright-core, and a Node engine (the package itself)
// holding the whole demo organisation to ask the same questions the page
// asks. The page holds the signed-in person's viewer snapshot; by V1-V3 the
// engine's answers for that person are the same on it as on the whole
// organisation, so comparing with the whole organisation's engine is valid.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach } from 'node:test';
import { chromium } from 'playwright-core';
import { createEngine } from '../../js/index.js';
import { startServer } from '../../web/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../js/support/chromium.mjs';

export { CHROMIUM, CHROMIUM_ARGS };


/** The built app (web/dist). */
const APP = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export const DEMO_PATH = new URL('../../web/demo/demo-org.json', import.meta.url);
export const demo = () => JSON.parse(readFileSync(DEMO_PATH, 'utf8'));

/** A Node engine holding the demo organisation as the app first loads it. */
export async function demoEngine() {
  const engine = await createEngine();
  const loaded = engine.load(demo());
  if (!loaded.ok) throw new Error(`demo org did not load: ${JSON.stringify(loaded.errors[0])}`);
  return engine;
}

/**
 * Starts the real server on a free port (or `port`) with a database in a new
 * temporary folder, seeded with `org` (default: the demo organisation).
 * Restarting on the same `dir` keeps the data. `stop` closes it.
 */
export async function serve({ port = 0, org = demo(), dir } = {}) {
  const folder = dir ?? mkdtempSync(join(tmpdir(), 'calm-web-'));
  const server = await startServer({ port, host: '127.0.0.1', root: APP, db: join(folder, 'calm.sqlite'), org });
  return { server, dir: folder, url: `http://127.0.0.1:${server.address().port}/` };
}

export async function stop(server) {
  await new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
  await server.shutdown?.();
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
    // Asking who is signed in answers 401 on the sign-in screen (web/README.md): not a problem.
    if (m.type() === 'error' && !(/status of 401/.test(m.text()) && /\/api\/session$/.test(m.location().url))) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

/** Opens the app at `route` (e.g. `people/r-lee`) and waits for its first screen (or the sign-in screen). */
export async function openApp(page, url, route = 'inbox') {
  await page.goto(`${url}#/${route}`);
  await page.waitForSelector('html[data-ready="true"], html[data-ready="signed-out"]', { timeout: 30_000 });
}

/** Who the page is signed in as (null on the sign-in screen). */
export function signedInAs(page) {
  return page.$eval('[data-testid="signed-in"]', (e) => e.dataset.user).catch(() => null);
}

/** Signs out through the app (its Sign out button) and waits for the sign-in screen. */
export async function signOut(page) {
  await page.click('[data-testid="sign-out"]');
  await page.waitForSelector('html[data-ready="signed-out"]', { timeout: 30_000 });
}

/** Signs in as `user` through the sign-in screen (signing out whoever is signed in first). */
export async function signIn(page, user) {
  const who = await signedInAs(page);
  if (who === user) return;
  if (who !== null) await signOut(page);
  await page.click(`[data-testid="sign-in"][data-user="${user}"]`);
  await page.waitForSelector(`html[data-ready="true"] [data-testid="signed-in"][data-user="${user}"]`, { timeout: 30_000 });
}

/** Signs in as `user`, looks at `site`, then shows `route`. */
export async function actAs(page, user, site, route) {
  await signIn(page, user);
  if (site) await page.selectOption('[data-testid="site"]', site);
  await page.evaluate((r) => {
    location.hash = `#/${r}`;
  }, route);
  await page.waitForFunction(
    ([u, s]) => {
      const a = document.querySelector('[data-testid="signed-in"]');
      const b = document.querySelector('[data-testid="site"]');
      return a?.dataset.user === u && (!s || b?.value === s);
    },
    [user, site],
  );
  // Let Preact flush the render of the new route.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
}

/**
 * A session of `user` for Node's fetch (the demo's sign-in, from the app's
 * origin): `get(path)` and `post(path, body)` on /api/ with its cookie.
 */
export async function apiSession(url, user) {
  const origin = new URL(url).origin;
  const response = await fetch(`${url}api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ user }),
  });
  assert.equal(response.status, 200, `sign-in of ${user}: ${await response.clone().text()}`);
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const get = async (path) => {
    const r = await fetch(`${url}api/${path}`, { headers: { cookie } });
    assert.equal(r.status, 200, `GET /api/${path}: ${await r.clone().text()}`);
    return r.json();
  };
  const post = async (path, body) => {
    const r = await fetch(`${url}api/${path}`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, `POST /api/${path}: ${await r.clone().text()}`);
    return r.json();
  };
  return { get, post };
}

/**
 * What the server applied, oldest first, from its audit log read as an owner
 * (R8): `{ seq, at, actor, kind, type, command: { id, type }, events }`.
 */
export async function serverLog(url) {
  const owner = await apiSession(url, demo().organisation.owners[0]);
  const entries = [];
  let before;
  for (;;) {
    const page = await owner.get(`audit?limit=200${before === undefined ? '' : `&before=${before}`}`);
    entries.push(...page.entries);
    if (page.next === undefined || page.next === null || page.entries.length === 0) break;
    before = page.next;
  }
  return entries.reverse();
}

/** Every screen of the app, as demo routes (the phone and the words tests visit each). */
export function everyScreen(org = demo()) {
  const fulfillment = org.training.fulfillments.find((f) => f.user === 'u-lee') ?? org.training.fulfillments[0];
  return [
    'inbox',
    `learn/${fulfillment.id}`,
    'courses',
    'courses/c-fire',
    'insights',
    'review/u-lee',
    'people',
    'people/rec-lee',
    'companies',
    `companies/${org.personnel.companies[0].id}`,
    'settings/personnel',
    'settings/users',
    'settings/users/u-lee',
    'settings/integrations',
    'audit',
  ];
}

/**
 * Whether `shown` says the engine's `message` in the app's plain words
 * (web/src/ui/plain.ts): the same sentence, with what the engine names in
 * backticks shown by name (any text there), an unknown id as "this <kind> is
 * not there, or is not shared with you", and a capital first letter.
 * `{ start: true }`: the message starts `shown`.
 */
export function saysPlainly(shown, message, { start = false } = {}) {
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = message
    .split(/(\bunknown \w+ `[^`]*`|`[^`]*`)/)
    .map((part, i) => {
      if (i % 2 === 0) return escape(part);
      const unknown = /^unknown (\w+) `/.exec(part);
      return unknown ? `this ${unknown[1]} is not there, or is not shared with you` : '.+?';
    })
    .join('');
  return new RegExp(`${start ? '^' : ''}${pattern}`, 'i').test(shown);
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
 * For a test file: Chromium and the demo in a Node engine for all its tests,
 * and for each test a server of its own on a fresh database seeded with the
 * demo (commands of one test never reach the next, as each test's browser
 * context starts empty). The returned object is filled in by the hooks:
 * `{ server, url, browser, engine }`.
 */
export function useApp() {
  const app = {};
  before(async () => {
    app.browser = await launch();
    app.engine = await demoEngine();
  });
  beforeEach(async () => {
    Object.assign(app, await serve());
  });
  afterEach(async () => {
    if (app.server) await stop(app.server);
    if (app.dir) rmSync(app.dir, { recursive: true, force: true });
  });
  after(async () => {
    await app.browser?.close();
    app.engine?.dispose();
  });
  return app;
}
