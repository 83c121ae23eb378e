#!/usr/bin/env node
// Time from page load to the first gated screen rendered, in Chromium, for the
// small and the large demo organisation (issue 5). Prints figures; asserts
// nothing.
//
//   node bench/web/page-load.mjs [--runs N] [--sizes small,large]
//
// Needs the built app (`npm run build`, or scripts/lib.sh build_web). The
// app is served by the real server (web/server.mjs) on a temporary SQLite
// database seeded with the organisation; the large org is made by
// web/demo/make-large.mjs when it is missing. The page is signed in as the
// organisation's first owner (whose viewer snapshot is the whole
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

for (const size of sizes) {
  const bytes = orgBytes(size);
  const dir = mkdtempSync(join(tmpdir(), 'calm-bench-'));
  const org = JSON.parse(readFileSync(orgFile(size), 'utf8'));
  const server = await startServer({ port: 0, db: join(dir, 'calm.sqlite'), org });
  const url = `http://127.0.0.1:${server.address().port}/`;
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext();
    // Signed in as an owner (the session cookie is the context's).
    const signIn = await context.request.post(`${url}api/session`, { data: { user: org.organisation.owners[0] }, headers: { origin: url.slice(0, -1) } });
    if (!signIn.ok()) throw new Error(`sign-in: HTTP ${signIn.status()} ${await signIn.text()}`);
    const page = await context.newPage();
    await page.goto(`${url}#/inbox`);
    cold.push(await firstScreen(page));
    // Let the service worker install and the organisation reach IndexedDB.
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 120_000 });
    await page.waitForTimeout(size === 'large' ? 3000 : 500);
    await page.reload();
    warm.push(await firstScreen(page));
    await context.close();
  }
  console.log(
    `${size.padEnd(5)} org (${(bytes.raw / 1048576).toFixed(2)} MiB, ${(bytes.gzip / 1024).toFixed(0)} KB gzipped): ` +
      `cold median ${ms(percentile(cold, 50))} p90 ${ms(percentile(cold, 90))} | ` +
      `warm (service worker + IndexedDB) median ${ms(percentile(warm, 50))} p90 ${ms(percentile(warm, 90))}  (${runs} runs)`,
  );
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
}

await browser.close();
