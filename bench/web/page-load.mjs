#!/usr/bin/env node
// Time from page load to the first gated screen rendered, in Chromium, for the
// small and the large demo organisation, signed in as a learner, a manager
// and the owner (issues 5, 12, 13); and the time from typing a search to its
// result on screen. Prints figures; asserts nothing.
//
//   node bench/web/page-load.mjs [--runs N] [--sizes small,large] [--as learner,manager,owner]
//
// Search: the learner (Lee, personnel member at North Campus) and the manager
// (Paula, personnel manager there) search People at North Campus; the owner
// searches User Management at Head Office (every one of the large demo's
// 20,012 people). Timed in the page from setting the search box to the
// match count and rows rendered.
//
// Needs the built app (`npm run build`, or scripts/lib.sh build_web). The
// app is served by the real server (web/server.mjs) on a temporary SQLite
// database seeded with the organisation; the large org is made by
// web/demo/make-large.mjs when it is missing. The page is signed in (its
// viewer snapshot is what that person may see: the owner's is the whole
// organisation) before it is loaded.
//
// "first screen" is the `calm:first-screen` performance mark the app sets
// once its frame and first screen (every nav entry gated by the engine) are
// on the page, measured from navigation start. Cold: a fresh browser context
// (no HTTP cache, no service worker, nothing in IndexedDB). Warm: a reload
// of the same context, served by the service worker and with the viewer
// snapshot from IndexedDB (the server then answers 304).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from '../../web/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS as ARGS } from '../../tests/js/support/chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = `${ROOT}web/dist/`;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const runs = Number(option('runs', '5'));
const sizes = option('sizes', 'small,large').split(',');
const PEOPLE = {
  learner: { user: 'u-lee', site: 'north', list: 'people', search: 'people-search', query: 'carter' },
  manager: { user: 'u-pm', site: 'north', list: 'people', search: 'people-search', query: 'nowak' },
  owner: { user: 'u-owner', site: 'hq', list: 'settings/users', search: 'user-search', query: 'olivia' },
};
const people = option('as', 'learner,manager,owner').split(',');

if (!existsSync(`${DIST}index.html`)) {
  console.error('bench/web: web/dist is missing; run `npm run build` first');
  process.exit(1);
}
const orgFile = (size) => `${ROOT}web/demo/demo-org${size === 'large' ? '-large' : ''}.json`;
if (sizes.includes('large') && !existsSync(orgFile('large'))) {
  execFileSync(process.execPath, [`${ROOT}web/demo/make-large.mjs`], { stdio: 'inherit' });
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;

function orgBytes(size) {
  const raw = readFileSync(orgFile(size));
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
}

function appBytes() {
  let raw = 0;
  let gzip = 0;
  for (const f of readdirSync(`${DIST}assets`)) {
    const b = readFileSync(`${DIST}assets/${f}`);
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
  }
  const html = readFileSync(`${DIST}index.html`);
  return { raw: raw + html.length, gzip: gzip + gzipSync(html, { level: 9 }).length };
}

async function firstScreen(page) {
  await page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
  return page.evaluate(() => performance.getEntriesByName('calm:first-screen')[0]?.startTime ?? NaN);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
console.log(`# page load to the first gated screen (Chromium ${browser.version()}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)})`);
const app = appBytes();
console.log(`app download: ${(app.raw / 1024).toFixed(0)} KB, ${(app.gzip / 1024).toFixed(0)} KB gzipped (html, js, css, wasm)`);

/** Opens the list and times a search in it: from setting the query to the matches on screen. */
async function searchTime(page, who) {
  await page.evaluate(([site]) => {
    const select = document.querySelector('[data-testid="site"]');
    if (select.value !== site) {
      select.value = site;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }, [who.site]);
  await page.evaluate((r) => (location.hash = `#/${r}`), who.list);
  await page.waitForSelector(`[data-testid="${who.search}"]`, { timeout: 120_000 });
  return page.evaluate(
    ([testid, query]) =>
      new Promise((resolve) => {
        const input = document.querySelector(`[data-testid="${testid}"]`);
        const count = document.querySelector(`[data-testid="${testid}-count"]`);
        const t0 = performance.now();
        input.value = query;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const check = () => (/match/.test(count.textContent) ? requestAnimationFrame(() => resolve(performance.now() - t0)) : requestAnimationFrame(check));
        check();
      }),
    [who.search, who.query],
  );
}

for (const size of sizes) {
  const bytes = orgBytes(size);
  const org = JSON.parse(readFileSync(orgFile(size), 'utf8'));
  console.log(`${size} org: ${(bytes.raw / 1048576).toFixed(2)} MiB, ${(bytes.gzip / 1024).toFixed(0)} KB gzipped`);
  for (const as of people) {
    const who = PEOPLE[as];
    const dir = mkdtempSync(join(tmpdir(), 'calm-bench-'));
    const server = await startServer({ port: 0, db: join(dir, 'calm.sqlite'), org });
    const url = `http://127.0.0.1:${server.address().port}/`;
    const cold = [];
    const warm = [];
    const search = [];
    let snapshotBytes = 0;
    for (let i = 0; i < runs; i += 1) {
      const context = await browser.newContext();
      const signIn = await context.request.post(`${url}api/session`, { data: { user: who.user }, headers: { origin: url.slice(0, -1) } });
      if (!signIn.ok()) throw new Error(`sign-in: HTTP ${signIn.status()} ${await signIn.text()}`);
      if (i === 0) snapshotBytes = (await (await context.request.get(`${url}api/snapshot`)).body()).length;
      const page = await context.newPage();
      await page.goto(`${url}#/inbox`);
      cold.push(await firstScreen(page));
      // Let the service worker install and the viewer snapshot reach IndexedDB.
      await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 300_000 });
      await page.waitForTimeout(size === 'large' && as === 'owner' ? 3000 : 800);
      await page.reload();
      warm.push(await firstScreen(page));
      search.push(await searchTime(page, who));
      await context.close();
    }
    console.log(
      `  ${as.padEnd(7)} (${who.user}, viewer snapshot ${(snapshotBytes / 1024).toFixed(0)} KB): ` +
        `first screen cold median ${ms(percentile(cold, 50))} p90 ${ms(percentile(cold, 90))} | ` +
        `warm median ${ms(percentile(warm, 50))} p90 ${ms(percentile(warm, 90))} | ` +
        `search to result median ${ms(percentile(search, 50))}  (${runs} runs)`,
    );
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await server.shutdown?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

await browser.close();
