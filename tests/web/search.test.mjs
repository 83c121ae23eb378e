// Search and paging on the large demo (issue 12): 205 sites, 20,012 people
// (web/demo/make-large.mjs, made here when missing). The owner finds one
// person among 20,012 in User Management and pages through the list; a page
// renders at most 50 rows. Search is also on People, Courses, Insights and
// the assign picker (checked on the small demo).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { actAs, openApp, openPage, serve, stop, useApp } from './support.mjs';

const app = useApp();
const LARGE = fileURLToPath(new URL('../../web/demo/demo-org-large.json', import.meta.url));

const rows = (page, testid) => page.$$eval(`[data-testid="${testid}"] tbody tr`, (els) => els.length);

test('the owner finds one person among 20,012 in User Management, and pages through them 50 at a time', async () => {
  if (!existsSync(LARGE)) execFileSync(process.execPath, [fileURLToPath(new URL('../../web/demo/make-large.mjs', import.meta.url))]);
  const org = JSON.parse(readFileSync(LARGE, 'utf8'));
  const { server, dir, url } = await serve({ org });
  try {
    const { context, page, problems } = await openPage(app.browser);
    await openApp(page, url);
    await actAs(page, 'u-owner', 'hq', 'settings/users');
    await page.waitForSelector('[data-testid="user-list"]');
    assert.equal(await rows(page, 'user-list'), 50, 'one page of 50 rows');
    assert.match(await page.textContent('[data-testid="user-search-count"]'), /20,?012 in all/);
    assert.match(await page.textContent('[data-testid="user-pager-page"]'), /Page 1 of 401/);
    await page.click('[data-testid="user-pager-next"]');
    assert.match(await page.textContent('[data-testid="user-pager-page"]'), /Page 2 of 401/);

    // One person by name and email: the generated users have names that repeat, so search by email.
    const person = org.users.find((u) => u.id === 'u-00090');
    await page.fill('[data-testid="user-search"]', person.email ?? person.name);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="user-list"] tbody tr').length <= 5);
    const found = await page.$$eval('[data-testid="user-row"]', (els) => els.map((e) => e.dataset.user));
    assert.ok(found.includes('u-00090'), `found: ${found.join(', ')}`);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('search on People, Courses, Insights and the assign picker narrows the list by every word typed', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-owner', 'north', 'people');
  await page.fill('[data-testid="people-search"]', 'lee car');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="person-row"]').length === 1);
  assert.equal(await page.getAttribute('[data-testid="person-row"]', 'data-record'), 'rec-lee');

  await actAs(page, 'u-owner', 'north', 'courses');
  await page.fill('[data-testid="course-search"]', 'fire');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="course-list"] tbody tr')].every((r) => /fire/i.test(r.textContent)));

  await actAs(page, 'u-owner', 'north', 'insights');
  await page.fill('[data-testid="insights-person-search"]', 'kim');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="insights-person"]').length === 1);

  await actAs(page, 'u-owner', 'north', 'courses/c-fire');
  await page.fill('[data-testid="assign-search"]', 'liz');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="assign-person"]').length === 1);
  assert.equal(await page.getAttribute('[data-testid="assign-person"]', 'value'), 'u-liz');
  assert.match(await page.textContent('[data-testid="assign-search-count"]'), /1 of \d+ match/);
  assert.deepEqual(problems, []);
  await context.close();
});
