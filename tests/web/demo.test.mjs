// Module entitlements (A7) in the app, now that the server is the authority:
// the organisation's entitlements are the server's (its seed, as a
// subscription would set them), not a switch in the browser. A server whose
// organisation lacks `personnel` denies Training and Personnel with
// `not-entitled` everywhere, owners included, exactly as an engine holding
// that organisation decides; the app offers no way to switch it.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { actAs, demo, demoEngine, engineAllows, gates, launch, openApp, openPage, serve, stop } from './support.mjs';
import { createEngine } from '../../js/index.js';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function compare(page, engine, user) {
  const found = await gates(page);
  assert.ok(found.length > 0);
  for (const g of found) {
    const want = engineAllows(engine, user, g);
    assert.equal(g.ariaDisabled === 'true', !want, `${user}: ${g.gate} ${g.command ?? g.target}`);
  }
  return found;
}

test('without the personnel entitlement Training and Personnel are denied with not-entitled, with it they are not (A7)', async () => {
  const org = demo();
  const withoutOrg = { ...org, organisation: { ...org.organisation, entitlements: org.organisation.entitlements.filter((m) => m !== 'personnel') } };
  const without = await createEngine();
  assert.equal(without.load(withoutOrg).ok, true);
  const full = await demoEngine();

  for (const [seed, engine, entitled] of [
    [withoutOrg, without, false],
    [org, full, true],
  ]) {
    const { server, url, dir } = await serve({ org: seed });
    const { context, page, problems } = await openPage(browser);
    await openApp(page, url);
    await actAs(page, 'u-owner', 'north', 'people');
    await page.waitForSelector(`[data-gate="personnel.record.view"]${entitled ? ':not([aria-disabled])' : '[aria-disabled="true"]'}`);
    const found = await compare(page, engine, 'u-owner');
    if (!entitled) {
      const reasons = await page.$$eval('[role="tooltip"]', (els) => els.map((e) => e.textContent));
      assert.ok(reasons.some((r) => r.includes('not entitled')), 'the reason names the entitlement');
      assert.ok(found.some((g) => g.ariaDisabled === 'true'));
    }
    assert.equal(await page.$('[data-testid^="entitlement-"]'), null, 'no entitlement switch in the app');
    assert.deepEqual(problems, []);
    await context.close();
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
  without.dispose();
  full.dispose();
});
