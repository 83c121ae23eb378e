#!/usr/bin/env node
// Takes the README's screenshots of the main screens (docs/screenshots/) in
// Debian's Chromium, from the built app (web/dist) and its demo organisation.
//
//   node scripts/screenshots.mjs
//
// The first shot is the sign-in screen; each other is one demo person,
// signed in through it, at one site on one screen, served by the real server
// (web/server.mjs); the queue and every gated control are as the app renders
// them.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { actAs, apiSession, launch, openApp, openPage, serve, stop } from '../tests/web/support.mjs';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

const SHOTS = [
  { name: 'my-courses', user: 'u-lee', site: 'north', route: 'inbox' },
  { name: 'take-course', user: 'u-lee', site: 'north', route: 'learn/a-fire-nov:u-lee' },
  { name: 'course-builder', user: 'u-pm', site: 'north', route: 'courses/c-fire' },
  { name: 'training-insights', user: 'u-pm', site: 'north', route: 'insights' },
  { name: 'personnel-record', user: 'u-pm', site: 'north', route: 'people/rec-lee' },
  { name: 'personnel-record-as-member', user: 'u-lee', site: 'north', route: 'people/rec-lee' },
  { name: 'settings-personnel-p17', user: 'u-pia', site: 'north', route: 'settings/personnel' },
  { name: 'user-management', user: 'u-siteadmin', site: 'hq', route: 'settings/users/u-lee' },
  {
    name: 'edit-access-what-if',
    user: 'u-siteadmin',
    site: 'north',
    route: 'settings/users/u-lee',
    async before(page) {
      await page.selectOption('[data-testid="role-select"][data-module="personnel"]', 'manager');
      await page.locator('[data-testid="whatif"]').scrollIntoViewIfNeeded();
    },
  },
  {
    name: 'disabled-with-reason',
    user: 'u-pm',
    site: 'north',
    route: 'courses/ih:north:IH-100',
    async before(page) {
      await page.focus('[data-testid="publish"]');
    },
  },
  { name: 'integrations', user: 'u-siteadmin', site: 'north', route: 'settings/integrations' },
  {
    name: 'confirm-revoke',
    user: 'u-pm',
    site: 'north',
    route: 'courses/c-manual-handling',
    async before(page) {
      await page.click('[data-testid="revoke"][data-assignment="a-mh-warehouse"]');
      await page.waitForSelector('[data-testid="confirm-dialog"]');
    },
  },
  { name: 'attempts-review', user: 'u-pm', site: 'north', route: 'review/u-lee' },
  { name: 'no-access', user: 'u-pia', site: 'north', route: 'inbox' },
  {
    name: 'search-people',
    user: 'u-owner',
    site: 'hq',
    route: 'settings/users',
    async before(page) {
      await page.fill('[data-testid="user-search"]', 'north');
    },
  },
  {
    name: 'audit-log',
    user: 'u-owner',
    site: 'hq',
    route: 'audit',
    async before(page, url) {
      // A few entries: Lee completes a step, Paula reveals a block.
      const at = new Date().toISOString();
      await (await apiSession(url, 'u-lee')).post('commands', {
        commands: [{ id: 'shot-1', type: 'comment.add', actor: 'u-lee', at, comment: { id: 'cm-shot', record: 'rec-lee', body: 'Back on days from Monday.' } }],
      });
      await (await apiSession(url, 'u-pm')).post('reveal', { record: 'rec-lee', block: 'b-emergency' });
      await page.reload();
      await page.waitForSelector('[data-testid="audit-entry"]');
    },
  },
];

/** Takes each shot on `page`: signed in as its person, at its site and route, after its `before`. */
async function shoot(page, shots, url, note = '') {
  for (const shot of shots) {
    await actAs(page, shot.user, shot.site, shot.route);
    await page.waitForTimeout(150);
    if (shot.before) {
      await shot.before(page, url);
      await page.waitForTimeout(150);
    }
    await page.screenshot({ path: `${OUT}${shot.name}.png`, fullPage: false });
    console.log(`docs/screenshots/${shot.name}.png  (${shot.user} at ${shot.site}, #/${shot.route}${note})`);
  }
}

// On a phone (390 px wide): the navigation behind Menu, the page never wider than the screen.
const PHONE = [
  { name: 'phone-my-courses', user: 'u-lee', site: 'north', route: 'inbox' },
  {
    name: 'phone-menu',
    user: 'u-pm',
    site: 'north',
    route: 'people',
    async before(page) {
      await page.click('[data-testid="menu"]');
    },
  },
  { name: 'phone-record', user: 'u-pm', site: 'north', route: 'people/rec-lee' },
];

mkdirSync(OUT, { recursive: true });
const { server, url } = await serve();
const browser = await launch();
const { context, page, problems } = await openPage(browser, { viewport: { width: 1280, height: 860 } });
await openApp(page, url);
await page.screenshot({ path: `${OUT}sign-in.png`, fullPage: false });
console.log('docs/screenshots/sign-in.png  (signed out)');
await shoot(page, SHOTS, url);
const phone = await openPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
await openApp(phone.page, url);
await shoot(phone.page, PHONE, url, ', 390 px wide');
problems.push(...phone.problems);
await phone.context.close();
if (problems.length > 0) console.error(problems.join('\n'));
await context.close();
await browser.close();
await stop(server);
