// No internal words on screen (issue 12): on every screen, as every person of
// the demo, the text a person reads (visible text with every <details>
// opened, the reasons of disabled controls, accessible names and option
// labels) holds no raw id of the organisation, no rule id like "(T12)", no
// event or action id like "personnel.block.revealed", and no JSON pointer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actAs, demo, openApp, openPage, everyScreen, useApp } from './support.mjs';

const app = useApp();
const org = demo();

/** Every id of the demo organisation (which people never need to read). */
function ids() {
  const out = new Set();
  const walk = (value, key) => {
    if (Array.isArray(value)) for (const v of value) walk(v, key);
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
    else if (typeof value === 'string' && /^(id|user|site|course|assignment|fulfillment|record|block|company|contact|group|attempt|result|parent|owners|people|groups|actor|assignedBy|author)$/.test(key)) {
      // Ids made of one plain word (an option `safety`, a step `warden`) read as words; sites' ids are checked all.
      if (/[-:_\d]/.test(value) || key === 'site' || key === 'parent') out.add(value);
    }
  };
  walk(org, '');
  // Role names are words of the app (a group or template may be called after one).
  for (const word of ['member', 'manager', 'admin', 'none']) out.delete(word);
  return [...out].filter((id) => id.length > 1);
}

const ID_LIST = ids();
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const RAW_ID = new RegExp(`(?<![\\w:./-])(${ID_LIST.map(escape).join('|')})(?![\\w:/-])`);
const PATTERNS = [
  ['raw id', RAW_ID],
  ['rule id', /\(([A-Z]{1,2}\d{1,2}(, )?)+\)|\b(?:[ATPVRSW]|PW|TW)\d{1,2}\b/],
  [
    'event or action id',
    /(?<![\w@./-])(training|personnel|users|site|access|course|assignment|step|result|record|block|file|company|contact|comment|settings|integration|premises|documents)\.[a-z_]+(\.[a-z_]+)*(?![\w@./-])/,
  ],
  ['JSON pointer', /(^|[\s(])\/[a-zA-Z]+(\/[\w-]+)*/],
];

const ROUTES = everyScreen(org);

/** What a person reads on the page. */
const text = (page) =>
  page.evaluate(() => {
    for (const d of document.querySelectorAll('details')) d.open = true;
    const parts = [document.body.innerText];
    for (const e of document.querySelectorAll('[role="tooltip"], option')) parts.push(e.textContent ?? '');
    for (const e of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      parts.push(e.getAttribute('aria-label') ?? '', e.getAttribute('title') ?? '', e.getAttribute('placeholder') ?? '');
    }
    return parts.join('\n');
  });

test('no screen of any demo person shows a raw id, a rule id, an event or action id, or a JSON pointer', async () => {
  const { context, page } = await openPage(app.browser);
  await openApp(page, app.url);
  const found = [];
  for (const person of org.users) {
    const site = org.grants.find((g) => g.user === person.id)?.site ?? org.sites[0].id;
    for (const route of ROUTES) {
      await actAs(page, person.id, site, route);
      await page.waitForSelector('main h1, main h2, main [role="alert"]');
      const lines = (await text(page)).split('\n');
      for (const [what, pattern] of PATTERNS) {
        for (const line of lines) {
          const m = pattern.exec(line);
          if (m) found.push(`${person.id} #/${route}: ${what} "${m[0].trim()}" in "${line.trim().slice(0, 100)}"`);
        }
      }
    }
  }
  const distinct = [...new Set(found)];
  if (distinct.length > 0) console.log(distinct.join('\n'));
  assert.deepEqual(distinct, []);
  await context.close();
});

test('Edit Access\'s what-if preview names the actions gained and lost in words, not action ids (section 10)', async () => {
  const { context, page, problems } = await openPage(app.browser);
  await openApp(page, app.url);
  await actAs(page, 'u-siteadmin', 'north', 'settings/users/u-lee');
  await page.selectOption('[data-testid="role-select"][data-module="personnel"]', 'manager');
  await page.waitForSelector('[data-testid="whatif"][data-allowed="true"]');
  // The change the select stages (Lee: personnel manager at north only).
  const change = { type: 'access.set', user: 'u-lee', site: 'north', module: 'personnel', role: 'manager', includeChildSites: false };
  const expected = app.engine.whatIf('u-siteadmin', change);
  const gained = expected.changes.flatMap((c) => c.gained);
  assert.ok(gained.length > 0, 'the change gives Lee actions');
  const listed = await page.$$eval('[data-testid="whatif"] li[data-action]', (els) => els.map((e) => e.dataset.action));
  assert.deepEqual(listed.sort(), [...gained, ...expected.changes.flatMap((c) => c.lost)].sort());
  const lines = (await text(page)).split('\n');
  const found = [];
  for (const [what, pattern] of PATTERNS) {
    for (const line of lines) if (pattern.test(line)) found.push(`${what}: ${line.trim().slice(0, 100)}`);
  }
  assert.deepEqual(found, []);
  assert.ok(gained.includes('training.assessment.review'));
  assert.equal(
    await page.$eval('[data-testid="whatif"] li[data-action="training.assessment.review"]', (e) => e.textContent),
    "Review people's assessment attempts",
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('the check itself finds each kind of internal word', () => {
  const hits = (s) => PATTERNS.filter(([, p]) => p.test(s)).map(([w]) => w);
  assert.deepEqual(hits('Site north'), ['raw id']);
  assert.deepEqual(hits('Course c-fire'), ['raw id']);
  assert.deepEqual(hits('Only a manager may do that (T12)'), ['rule id']);
  assert.deepEqual(hits('personnel.block.revealed'), ['event or action id']);
  assert.deepEqual(hits('Name is required (/company/name)'), ['JSON pointer']);
  assert.deepEqual(hits('North Campus. Fire safety, due 1 March.'), []);
});
