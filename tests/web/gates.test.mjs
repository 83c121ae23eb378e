// For each demo person, on each screen, every gated control's state equals
// what the engine decides (issue 5). The page's controls carry the question
// they asked (data-gate + data-target, or data-command for a dry run); a Node
// engine holding the same demo organisation asks it again. A denied control
// must be aria-disabled with a reason read out through aria-describedby.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, demo, engineAllows, gates, openApp, openPage, useApp } from './support.mjs';

const org = demo();
const app = useApp();

const training = org.training ?? {};
const personnel = org.personnel ?? {};
const firstOf = (list, pick = () => true) => (list ?? []).find(pick);

/** The screens of the app for `user`: routes that need an id get one from the demo. */
function screens(user) {
  const own = firstOf(training.fulfillments, (f) => f.user === user) ?? firstOf(training.fulfillments);
  const course = firstOf(training.courses, (c) => c.id === own?.course) ?? firstOf(training.courses);
  const ownRecord = firstOf(personnel.records, (r) => r.user === user);
  const otherRecord = firstOf(personnel.records, (r) => r.user !== user);
  const company = firstOf(personnel.companies);
  return [
    'inbox',
    own && `learn/${own.id}`,
    'courses',
    course && `courses/${course.id}`,
    'insights',
    'people',
    ownRecord && `people/${ownRecord.id}`,
    otherRecord && `people/${otherRecord.id}`,
    'companies',
    company && `companies/${company.id}`,
    'settings/personnel',
    'settings/users',
    `settings/users/${user}`,
    'settings/integrations',
  ].filter(Boolean);
}

test('for each demo person, on each screen, every gated control is in the state the engine decides', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  const sites = org.sites.map((s) => s.id);
  let checked = 0;
  let allowed = 0;
  let denied = 0;
  const perScreen = new Map();
  for (const { id: user } of org.users) {
    // The root site and one child site: roles differ by site (A2-A4).
    for (const site of [sites[0], sites[1]]) {
      for (const route of screens(user)) {
        await actAs(page, user, site, route);
        for (const g of await gates(page)) {
          const want = engineAllows(app.engine, user, g);
          const where = `${user} at ${site} on #/${route}: ${g.gate} ${g.command ?? g.target} "${g.text}"`;
          assert.equal(g.ariaDisabled === 'true', !want, `${where}: page says ${g.ariaDisabled === 'true' ? 'denied' : 'allowed'}, engine ${want ? 'allows' : 'denies'}`);
          if (!want) assert.ok(g.described && g.described.length > 5, `${where}: a denied control says why`);
          checked += 1;
          if (want) allowed += 1;
          else denied += 1;
          const key = route.split('/')[0] + (route.includes('/') ? '/:id' : '');
          perScreen.set(key, (perScreen.get(key) ?? 0) + 1);
        }
      }
    }
  }
  console.log(`checked ${checked} gated controls (${allowed} allowed, ${denied} denied) on ${perScreen.size} screens`);
  assert.ok(allowed > 100 && denied > 100, 'both allowed and denied controls were checked');
  for (const [screen, n] of perScreen) assert.ok(n > 0, `${screen} has gated controls`);
  assert.deepEqual(problems, []);
  await context.close();
});
