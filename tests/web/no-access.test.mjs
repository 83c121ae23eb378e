// "You don't have access" is not "nothing here" (issue 12): without a
// personnel role (T1, T2, T5) or without the organisation's subscription
// (A7), My Courses and Courses say so with the engine's reason and what
// would allow it, instead of an empty list that reads as lost data.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { actAs, demo, openApp, openPage, saysPlainly, serve, stop, useApp } from './support.mjs';

const app = useApp();

async function denial(page) {
  await page.waitForSelector('main [data-denied]');
  return {
    code: await page.getAttribute('main [data-denied]', 'data-denied'),
    title: (await page.textContent('main [data-denied] h2')).trim(),
    message: (await page.textContent('main .denied-message')).trim(),
    allow: ((await page.textContent('main [data-denied]')) ?? '').trim(),
  };
}

test('T2, T5: without any personnel role, My Courses and Courses say "no access" with the engine\'s reason', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  // Pia holds no personnel role anywhere.
  await actAs(page, 'u-pia', null, 'inbox');
  const site = await page.inputValue('[data-testid="site"]');
  const expected = app.engine.explain('u-pia', 'training.progress.view_own', site);
  assert.equal(expected.allowed, false);
  const inbox = await denial(page);
  assert.equal(inbox.code, expected.code);
  assert.match(inbox.title, /don't have access to training/);
  assert.ok(saysPlainly(inbox.message, expected.message), inbox.message);
  assert.match(inbox.allow, /Allowed with a personnel member role/);
  assert.equal(await page.$('text=Nothing new to start'), null);

  await actAs(page, 'u-pia', null, 'courses');
  const courses = await denial(page);
  assert.equal(courses.code, expected.code);
  assert.match(courses.title, /don't have access to courses/);
  assert.equal(await page.$('text=No courses here yet'), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('T2: a learner with a role but nothing assigned sees an empty list, not a denial', async () => {
  const { context, page } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'inbox');
  await page.waitForSelector('[data-testid="inbox"] [data-testid="inbox-group"]');
  assert.equal(await page.$('main [data-denied]'), null);
  await context.close();
});

test('A7: with the organisation\'s personnel subscription off, a learner\'s My Courses and Courses say not entitled', async () => {
  const org = demo();
  org.organisation.entitlements = org.organisation.entitlements.filter((e) => e !== 'personnel');
  const { server, dir, url } = await serve({ org });
  try {
    const { context, page, problems } = await openPage(app.browser);
    await openApp(page, url);
    await actAs(page, 'u-lee', 'north', 'inbox');
    const inbox = await denial(page);
    assert.equal(inbox.code, 'not-entitled');
    await actAs(page, 'u-lee', 'north', 'courses');
    assert.equal((await denial(page)).code, 'not-entitled');
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});
