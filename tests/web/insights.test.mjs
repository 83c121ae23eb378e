// Training Insights says all it counts (W15, T3; issue 12): "Needs attention"
// lists every expired result the totals count (also results recorded without
// a course), and "Include the sites below" names the sites the engine left
// out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, openApp, openPage, useApp } from './support.mjs';

const app = useApp();

test('W15: Needs attention lists every expired result the totals count; T3: the sites left out are named', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-pm', 'north', 'insights');
  await page.check('[data-testid="include-child-sites"]');
  await page.waitForSelector('[data-testid="insights-left-out"]');
  const date = await page.evaluate(() => document.querySelector('[data-testid="insights-sites"]').textContent.match(/\d{4}-\d{2}-\d{2}/)[0]);
  const view = app.engine.insights('u-pm', 'north', date, { includeChildSites: true });
  assert.ok(view.totals.resultsExpired > 0);
  const listed = await page.$$eval('[data-testid="insights-expiring"] li', (els) =>
    els.map((e) => Number(/(\d+) expired/.exec(e.textContent)?.[1] ?? 0)).reduce((a, b) => a + b, 0),
  );
  assert.equal(listed, view.totals.resultsExpired, 'every expired result counted in the totals is listed');
  // Paula holds no role at North Research Lab: it is named as left out.
  const left = await page.textContent('[data-testid="insights-left-out"]');
  assert.equal(view.sites.includes('north-lab'), false);
  assert.match(left, /North Research Lab/);
  assert.deepEqual(problems, []);
  await context.close();
});
