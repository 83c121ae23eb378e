// The demo's entitlement switches (issue 5: every module entitlement
// switchable): switching `personnel` off denies Training and Personnel with
// `not-entitled` (A7) everywhere, owners included, exactly as an engine
// holding the organisation without the entitlement decides; the switch
// survives a reload, and switching it back restores the controls.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, demo, engineAllows, gates, openApp, openPage, useApp } from './support.mjs';
import { createEngine } from '../../js/index.js';

const app = useApp();

async function compare(page, engine, user) {
  const found = await gates(page);
  assert.ok(found.length > 0);
  for (const g of found) {
    const want = engineAllows(engine, user, g);
    assert.equal(g.ariaDisabled === 'true', !want, `${user}: ${g.gate} ${g.command ?? g.target}`);
  }
  return found;
}

test('switching the personnel entitlement off denies Training and Personnel with not-entitled, and back on restores them (A7)', async () => {
  const org = demo();
  const without = await createEngine();
  assert.equal(without.load({ ...org, organisation: { ...org.organisation, entitlements: org.organisation.entitlements.filter((m) => m !== 'personnel') } }).ok, true);

  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-owner', 'north', 'people');
  await page.click('.demo-panel summary');
  await page.uncheck('[data-testid="entitlement-personnel"]');
  await page.waitForSelector('[data-gate="personnel.record.view"][aria-disabled="true"]');
  const off = await compare(page, without, 'u-owner');
  const reasons = await page.$$eval('[role="tooltip"]', (els) => els.map((e) => e.textContent));
  assert.ok(reasons.some((r) => r.includes('not entitled')), 'the reason names the entitlement');
  assert.ok(off.some((g) => g.ariaDisabled === 'true'));

  // Kept across a reload (IndexedDB).
  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await page.waitForSelector('[data-gate="personnel.record.view"][aria-disabled="true"]');
  assert.equal(await page.isChecked('[data-testid="entitlement-personnel"]'), false);

  await page.click('.demo-panel summary');
  await page.check('[data-testid="entitlement-personnel"]');
  await page.waitForSelector('[data-gate="personnel.record.view"]:not([aria-disabled])');
  await compare(page, app.engine, 'u-owner');
  without.dispose();
  assert.deepEqual(problems, []);
  await context.close();
});
