// The app on a phone (issue 12): from 360 px wide the navigation folds behind
// a Menu button and no screen scrolls sideways. Every screen of the app, as
// three people with different roles (a learner, a personnel manager, the
// owner), at 390 px and 360 px wide.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, demo, openApp, openPage, everyScreen, useApp } from './support.mjs';

const app = useApp();

const org = demo();
const ROUTES = everyScreen(org);

const PEOPLE = [
  ['u-lee', 'north'],
  ['u-pm', 'north'],
  ['u-owner', 'hq'],
];

/** How far the page scrolls sideways (0 when it fits). */
const overflow = (page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const width of [390, 360]) {
  test(`no screen scrolls sideways at ${width} px, as a learner, a manager and the owner`, async () => {
    const { context, page, problems } = await openPage(app.browser, { viewport: { width, height: 800 }, isMobile: true, hasTouch: true });
    await openApp(page, app.url);
    assert.equal(await overflow(page), 0, 'the sign-in screen fits');
    const wide = [];
    for (const [user, site] of PEOPLE) {
      for (const route of ROUTES) {
        await actAs(page, user, site, route);
        await page.waitForSelector('main h1, main h2, main [role="alert"]');
        const over = await overflow(page);
        if (over > 0) wide.push(`${user} #/${route}: ${over} px too wide`);
      }
    }
    assert.deepEqual(wide, []);
    // The server refuses the audit log to all but owners (R8), with 403: the screen shows that refusal.
    assert.deepEqual(problems.filter((p) => !/status of 403/.test(p)), []);
    await context.close();
  });
}

test('on a phone the navigation is behind the Menu button, which opens and closes it', async () => {
  const { context, page, problems } = await openPage(app.browser, { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true });
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'inbox');
  const nav = page.locator('nav#main-nav');
  const menu = page.locator('[data-testid="menu"]');
  assert.equal(await menu.isVisible(), true);
  assert.equal(await nav.isVisible(), false, 'the navigation is folded away');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await menu.click();
  assert.equal(await nav.isVisible(), true);
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await nav.getByRole('link', { name: 'People' }).click();
  await page.waitForFunction(() => location.hash === '#/people');
  // The new screen is drawn after the hash changes: wait for it, then look.
  await page.locator('main h1').filter({ hasText: 'People' }).waitFor();
  assert.equal(await nav.isVisible(), false, 'choosing a screen closes the menu');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await overflow(page), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a wide screen the navigation is always shown and there is no Menu button', async () => {
  const { context, page } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'inbox');
  assert.equal(await page.locator('[data-testid="menu"]').isVisible(), false);
  assert.equal(await page.locator('nav#main-nav').isVisible(), true);
  await context.close();
});
