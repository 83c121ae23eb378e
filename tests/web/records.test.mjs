// What compliance teams expect (issue 12): due-soon marks on open courses
// (none on completed ones), and CSV exports of Training Insights and of a
// person's training record (RFC 4180, formula-safe, only what the viewer's
// views answered).

import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { actAs, demo, openApp, openPage, serve, stop, useApp } from './support.mjs';

const app = useApp();
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('W9: a course due tomorrow is marked "Due soon: tomorrow"; a completed one shows no due date', async () => {
  const org = demo();
  const tomorrow = day(1);
  for (const f of org.training.fulfillments) if (f.id === 'a-fire-nov:u-lee') f.dueDate = tomorrow;
  for (const a of org.training.assignments) if (a.id === 'a-fire-nov') a.dueDate = tomorrow;
  const { server, dir, url } = await serve({ org });
  try {
    const { context, page, problems } = await openPage(app.browser);
    await openApp(page, url);
    await actAs(page, 'u-lee', 'north', 'inbox');
    const soon = page.locator('[data-testid="inbox-item"][data-fulfillment="a-fire-nov:u-lee"] [data-due]');
    assert.equal(await soon.getAttribute('data-due'), 'soon');
    assert.equal((await soon.textContent()).trim(), 'Due soon: tomorrow');
    const done = page.locator('[data-testid="inbox-item"][data-fulfillment="a-mh-warehouse:u-lee"]');
    assert.equal(await done.getAttribute('data-status'), 'completed');
    assert.equal(await done.locator('[data-due]').count(), 0, 'no due date on a completed course');
    assert.doesNotMatch(await done.textContent(), /due/i);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(click)]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

const parse = (text) =>
  text
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1].replace(/""/g, '"')));

test('a person\'s training record downloads as CSV, formula-safe: a title starting with = is prefixed with \'', async () => {
  const { context, page, problems } = await openPage(app.browser, { acceptDownloads: true });
  await openApp(page, app.url);
  await actAs(page, 'u-owner', 'north', 'people/rec-lee');
  // A result whose title a spreadsheet would run as a formula.
  await page.click('[data-testid="result-form-open"]');
  await page.fill('[data-testid="result-title"]', '=HYPERLINK("http://evil.example","x")');
  await page.fill('[data-testid="result-completed-on"]', day(-3));
  await page.click('[data-testid="result-record"]');
  await page.waitForSelector('[data-testid="queue"][data-waiting="0"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="record-training"]').textContent.includes('HYPERLINK'));
  const { name, text } = await downloaded(page, '[data-testid="training-csv"]');
  assert.match(name, /^training-record-lee-carter-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = parse(text);
  assert.deepEqual(rows[0], ['Kind', 'Training', 'Status', 'Progress', 'Due', 'Completed on', 'Expires on', 'Score', 'Source']);
  const expected = app.engine.trainingOf('u-owner', 'u-lee', day(0));
  assert.equal(rows.filter((r) => r[0] === 'Course').length, expected.fulfillments.length);
  assert.equal(rows.filter((r) => r[0] === 'Result').length, expected.results.length + 1);
  const evil = rows.find((r) => r[1].includes('HYPERLINK'));
  assert.equal(evil[1], '\'=HYPERLINK("http://evil.example","x")');
  assert.deepEqual(problems, []);
  await context.close();
});

test('W15: Training Insights downloads as CSV with the totals, every course and every person counted', async () => {
  const { context, page, problems } = await openPage(app.browser, { acceptDownloads: true });
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'insights');
  await page.waitForSelector('[data-testid="insights-csv"]');
  const date = await page.evaluate(() => document.querySelector('[data-testid="insights-sites"]').textContent.match(/\d{4}-\d{2}-\d{2}/)[0]);
  const view = app.engine.insights('u-pm', 'north', date);
  const { name, text } = await downloaded(page, '[data-testid="insights-csv"]');
  assert.equal(name, `training-insights-north-campus-${date}.csv`);
  const rows = parse(text);
  assert.equal(rows[0][0], 'Kind');
  assert.equal(rows.filter((r) => r[0] === 'Course').length, view.courses.length);
  assert.equal(rows.filter((r) => r[0] === 'Person').length, view.people.length);
  const total = rows.find((r) => r[0] === 'Total');
  assert.equal(Number(total[rows[0].indexOf('Overdue')]), view.totals.overdue);
  assert.deepEqual(problems, []);
  await context.close();
});
