// A disabled control says why, reachable by keyboard and screen reader
// (issue 5): Tab reaches denied controls (they are not `disabled`, which
// would take them out of the tab order), the reason shows while focused, and
// it is the control's accessible description (aria-describedby), equal to the
// engine's message.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, openApp, openPage, saysPlainly, useApp } from './support.mjs';

const app = useApp();

test('Tab reaches a denied control; its reason shows on focus and is its accessible description, the engine\'s message', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  // Paula (personnel manager at north) on the iHasco course: Publish,
  // Archive, Restore and Assign are denied (external-course).
  await actAs(page, 'u-pm', 'north', 'courses/ih:north:IH-100');
  await page.waitForSelector('[data-testid="publish"]');
  await page.focus('[data-testid="sign-out"]');
  let found = null;
  for (let i = 0; i < 80 && found === null; i += 1) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el.getAttribute('aria-disabled') !== 'true' || el.dataset.testid !== 'publish') return null;
      const why = document.getElementById(el.getAttribute('aria-describedby') ?? '');
      return {
        command: el.dataset.command,
        why: why?.textContent ?? '',
        visible: why !== null && getComputedStyle(why).display !== 'none',
        role: why?.getAttribute('role'),
      };
    });
  }
  assert.ok(found, 'Tab reaches the denied Publish button');
  assert.equal(found.visible, true, 'its reason shows while it has keyboard focus');
  assert.equal(found.role, 'tooltip');
  const expected = app.engine.dryRun(JSON.parse(found.command));
  assert.equal(expected.ok, false);
  assert.equal(expected.decision.code, 'external-course');
  assert.ok(saysPlainly(found.why, expected.decision.message, { start: true }), `the reason is the engine's message: ${found.why}`);

  // Enter on a denied control does nothing.
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('[data-testid="queue"]', 'data-waiting'), '0');

  // The accessibility tree gives the reason as the button's description.
  const cdp = await context.newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const publish = nodes.find((n) => n.role?.value === 'button' && n.name?.value === 'Publish');
  assert.ok(publish, 'Publish is a button in the accessibility tree');
  assert.ok(saysPlainly(String(publish.description?.value ?? ''), expected.decision.message, { start: true }));
  const disabled = (publish.properties ?? []).find((p) => p.name === 'disabled');
  assert.equal(disabled?.value?.value, true, 'and it is announced as disabled');
  assert.deepEqual(problems, []);
  await context.close();
});
